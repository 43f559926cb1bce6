// ffmpeg turns whatever was downloaded into what speech recognition wants: 16 kHz mono 16-bit
// PCM WAV; ffprobe says how long a media file is. Plain C++, no CAF.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace vfb {

struct ffmpeg_options {
  std::string program = "ffmpeg";        // a name on PATH or a path
  std::string probe_program = "ffprobe"; // for probe_duration
  std::chrono::seconds timeout{900};
};

class ffmpeg_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Writes the audio of `in` to `out_wav` as 16 kHz mono s16le WAV (replacing it). Throws
/// ffmpeg_error with ffmpeg's last complaint; a media file without sound is such a complaint.
/// File names reach ffmpeg as `file:` URLs, so no name is read as an option or a protocol.
void extract_audio(const ffmpeg_options& opts, const std::filesystem::path& in,
                   const std::filesystem::path& out_wav, const std::atomic<bool>* cancel = nullptr);

/// The duration of a media file in seconds, from its container (ffprobe). Throws ffmpeg_error
/// when ffprobe cannot run, cannot read the file, or the container names no duration.
double probe_duration(const ffmpeg_options& opts, const std::filesystem::path& media);

/// The samples of a 16-bit PCM mono 16 kHz WAV file (chunks other than "fmt " and "data" are
/// skipped; WAVE_FORMAT_EXTENSIBLE with a PCM subformat is PCM). Throws ffmpeg_error naming
/// what is wrong with any other file.
std::vector<int16_t> read_wav_pcm16(const std::filesystem::path& wav);

} // namespace vfb
