#include "tests/support/media.hpp"

#include "adapters/ffmpeg.hpp"
#include "adapters/process.hpp"

#include <stdexcept>
#include <vector>

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

/// The encoder options for a container: cheap settings, the files only have to be valid.
std::vector<std::string> codecs_for(const std::string& container) {
  if (container == "mp4")
    return {"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt",  "yuv420p",
            "-c:a", "aac",     "-b:a",    "48k",       "-movflags", "+faststart"};
  if (container == "webm")
    return {"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8",
            "-b:v", "100k",   "-c:a",      "libopus",  "-b:a",      "32k"};
  if (container == "mkv")
    return {"-c:v",    "libx264", "-preset", "ultrafast", "-pix_fmt",
            "yuv420p", "-c:a",    "libopus", "-b:a",      "32k"};
  throw std::invalid_argument("synth_video: unknown container " + container);
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

std::filesystem::path synth_speech_wav_voice(const std::filesystem::path& dir,
                                             const std::string& name, const std::string& text,
                                             const std::string& voice) {
  if (voice == "espeak")
    return synth_speech_wav(dir, name, text);
  if (voice.rfind("flite-", 0) != 0)
    throw std::invalid_argument("no voice '" + voice + "'");
  auto wav = dir / (name + ".wav");
  run_or_throw({"flite", "-voice", voice.substr(6), "-o", wav.string(), "-t", text});
  return wav;
}

std::filesystem::path synth_video(const std::filesystem::path& dir, const std::string& name,
                                  const std::string& text, const std::string& container) {
  auto codecs = codecs_for(container);
  // flite's rms voice, made from recordings of a man's voice, is far closer to people than
  // espeak-ng's formant voices: pocketsphinx's word error rate on the demo's videos is 0.21
  // (espeak-ng's Klatt: 0.74; read speech from LibriVox: 0.28), see docs/PERFORMANCE.md.
  auto wav = synth_speech_wav_voice(dir, name + ".speech", text, "flite-rms");
  auto video = dir / (name + "." + container);
  // The picture lasts exactly as long as the speech: with `-shortest` the video would run on
  // by the frames the encoder buffered.
  auto seconds = std::to_string(probe_duration({}, wav));
  std::vector<std::string> argv{
      "ffmpeg",    "-nostdin",  "-y",
      "-loglevel", "error",     "-f",
      "lavfi",     "-i",        "testsrc=size=160x120:rate=5:duration=" + seconds,
      "-i",        wav.string()};
  argv.insert(argv.end(), codecs.begin(), codecs.end());
  argv.push_back(video.string());
  run_or_throw(std::move(argv));
  std::filesystem::remove(wav);
  return video;
}

} // namespace vfb::test
