// Test media made at test time (no binary fixtures): speech from flite or espeak-ng, turned
// into small videos by ffmpeg.
#pragma once

#include <filesystem>
#include <string>

namespace vfb::test {

/// Speaks `text` into DIR/NAME.wav (espeak-ng's own format: 22 kHz mono). Throws on failure.
std::filesystem::path synth_speech_wav(const std::filesystem::path& dir, const std::string& name,
                                       const std::string& text, int words_per_minute = 160);

/// Speaks `text` into DIR/NAME.wav with `voice`: "espeak" (as synth_speech_wav) or a flite
/// voice, "flite-slt", "flite-rms", "flite-awb", "flite-kal16" (16 kHz). Throws on failure.
std::filesystem::path synth_speech_wav_voice(const std::filesystem::path& dir,
                                             const std::string& name, const std::string& text,
                                             const std::string& voice);

/// A small video of `text` spoken by flite's rms voice over a test pattern (160x120, 5 frames per
/// second) at DIR/NAME.CONTAINER, as long as the speech: "mp4" (H.264 + AAC), "webm" (VP8 + Opus)
/// or "mkv" (H.264 + Opus). Throws std::invalid_argument for another container.
std::filesystem::path synth_video(const std::filesystem::path& dir, const std::string& name,
                                  const std::string& text, const std::string& container = "mp4");

} // namespace vfb::test
