// Test media made at test time (no binary fixtures): speech from espeak-ng, turned into small
// videos by ffmpeg.
#pragma once

#include <filesystem>
#include <string>

namespace vfb::test {

/// Speaks `text` into DIR/NAME.wav (espeak-ng's own format: 22 kHz mono). Throws on failure.
std::filesystem::path synth_speech_wav(const std::filesystem::path& dir, const std::string& name,
                                       const std::string& text, int words_per_minute = 160);

/// A small video (a test pattern at 160x120 and the spoken `text`) at DIR/NAME.mp4.
std::filesystem::path synth_video(const std::filesystem::path& dir, const std::string& name,
                                  const std::string& text);

} // namespace vfb::test
