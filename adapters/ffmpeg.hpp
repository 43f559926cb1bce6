// ffmpeg turns whatever was downloaded into what speech recognition wants: 16 kHz mono 16-bit
// PCM WAV. Plain C++, no CAF.
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
  std::string program = "ffmpeg";
  std::chrono::seconds timeout{900};
};

class ffmpeg_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Writes the audio of `in` to `out_wav` as 16 kHz mono s16le WAV. Throws ffmpeg_error with
/// ffmpeg's last complaint.
void extract_audio(const ffmpeg_options& opts, const std::filesystem::path& in,
                   const std::filesystem::path& out_wav, const std::atomic<bool>* cancel = nullptr);

/// The samples of a 16-bit PCM mono 16 kHz WAV file. Throws ffmpeg_error naming what is wrong
/// with any other file.
std::vector<int16_t> read_wav_pcm16(const std::filesystem::path& wav);

} // namespace vfb
