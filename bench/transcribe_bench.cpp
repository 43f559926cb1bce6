// Transcription benchmark: real-time factor of pocketsphinx on synthesised speech, and its word
// error rate. Prints one JSON object; exits non-zero when transcription is slower than real time
// (the bound: a node must keep up with the audio it is given) or when no word was recognised.
#include "adapters/ffmpeg.hpp"
#include "adapters/speech.hpp"
#include "tests/support/media.hpp"
#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

using namespace vfb;

int main(int argc, char** argv) {
  int repeats = 10;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick")
      repeats = 2;
    else {
      std::cout << "usage: transcribe_bench [--quick]\n";
      return a == "--help" ? 0 : 2;
    }
  }
  const std::string sentence = "The volcano near the old telescope erupted at seven in the "
                               "morning. Scientists measured the chocolate colored ash for "
                               "seventeen days. ";
  std::string text;
  for (int i = 0; i < repeats; ++i)
    text += sentence;
  test::temp_dir dir;
  auto wav = test::synth_speech_wav(dir.path(), "speech", text);
  auto pcm_path = dir / "speech16k.wav";
  extract_audio({}, wav, pcm_path);
  auto pcm = read_wav_pcm16(pcm_path);
  double audio_s = static_cast<double>(pcm.size()) / 16000.0;

  auto load_start = std::chrono::steady_clock::now();
  speech_recognizer rec{speech_options{}};
  auto start = std::chrono::steady_clock::now();
  auto segments = rec.transcribe(pcm);
  auto end = std::chrono::steady_clock::now();
  std::string transcript;
  for (auto& s : segments)
    transcript += s.text + " ";
  double decode_s = std::chrono::duration<double>(end - start).count();
  double load_s = std::chrono::duration<double>(start - load_start).count();
  double rtf = decode_s / audio_s;
  double wer = word_error_rate(text, transcript);
  bool pass = rtf < 1.0 && wer < 1.0;
  nlohmann::json out{
      {"benchmark", "transcribe"},   {"audio_s", audio_s},      {"model_load_s", load_s},
      {"decode_s", decode_s},        {"real_time_factor", rtf}, {"bound", 1.0},
      {"bound_source", "real time"}, {"word_error_rate", wer},  {"pass", pass}};
  std::cout << out.dump(2) << std::endl;
  return pass ? 0 : 1;
}
