#include "tests/support/media.hpp"

#include "adapters/process.hpp"

#include <stdexcept>

namespace vfb::test {

namespace {

void run_or_throw(std::vector<std::string> argv) {
  process_options o;
  o.argv = std::move(argv);
  o.timeout = std::chrono::seconds{120};
  auto r = run_process(o);
  if (!r.ok())
    throw std::runtime_error(o.argv[0] + " " + r.describe() + ": " + r.err);
}

} // namespace

std::filesystem::path synth_speech_wav(const std::filesystem::path& dir, const std::string& name,
                                       const std::string& text, int words_per_minute) {
  auto wav = dir / (name + ".wav");
  run_or_throw(
      // The Klatt voice: pocketsphinx's US English model recognises it far better than
      // espeak-ng's default voice (word error rate ~0.55 against ~1.0, same sentences).
      {"espeak-ng", "-v", "en-us+klatt", "-s", std::to_string(words_per_minute), "-w", wav.string(),
       "--", text});
  return wav;
}

std::filesystem::path synth_video(const std::filesystem::path& dir, const std::string& name,
                                  const std::string& text) {
  auto wav = synth_speech_wav(dir, name + ".speech", text);
  auto mp4 = dir / (name + ".mp4");
  run_or_throw({"ffmpeg",    "-nostdin",   "-y",
                "-loglevel", "error",      "-f",
                "lavfi",     "-i",         "testsrc=size=160x120:rate=5",
                "-i",        wav.string(), "-shortest",
                "-c:v",      "libx264",    "-preset",
                "ultrafast", "-pix_fmt",   "yuv420p",
                "-c:a",      "aac",        "-b:a",
                "48k",       "-movflags",  "+faststart",
                mp4.string()});
  std::filesystem::remove(wav);
  return mp4;
}

} // namespace vfb::test
