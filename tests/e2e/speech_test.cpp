// Speech recognition on speech synthesised at test time (espeak-ng), through the same ffmpeg
// conversion the pipeline uses; plus the external transcriber path and the WER measure.
#include "adapters/ffmpeg.hpp"
#include "adapters/speech.hpp"
#include "tests/support/media.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

// Four planted words, each in a short sentence of its own.
const std::string spoken_text = "The volcano erupted in the morning. She looked through the "
                                "telescope at night. He ate a bar of chocolate. The girl is "
                                "seventeen years old.";

/// `wav` as the pipeline's transcriber gets it: 16 kHz mono PCM, converted by ffmpeg.
std::vector<int16_t> to_pcm(const test::temp_dir& dir, const std::filesystem::path& wav) {
  auto pcm = dir / (wav.stem().string() + "16k.wav");
  extract_audio({}, wav, pcm);
  return read_wav_pcm16(pcm);
}

/// Spoken by espeak-ng's en-us+f2 voice at 150 words/min: with pocketsphinx's generic model it
/// scored clearly best of the voices tried (this text: 4 of 4 planted words, word error rate
/// 0.32; en-us+klatt at 150 and 160: 0 and 1 of 4, 0.60 and 0.56).
std::vector<int16_t> clear_speech_pcm(const test::temp_dir& dir, const std::string& text) {
  auto wav = dir / "clear.wav";
  auto r = test::run_process(
      {"espeak-ng", "-v", "en-us+f2", "-s", "150", "-w", wav.string(), "--", text});
  REQUIRE(r.exit_code == 0);
  return to_pcm(dir, wav);
}

} // namespace

TEST_CASE("pocketsphinx transcribes synthesised speech with the planted words, timed") {
  test::temp_dir dir;
  auto pcm = clear_speech_pcm(dir, spoken_text);
  speech_recognizer rec{speech_options{}};
  std::vector<double> progress;
  auto segs = rec.transcribe(pcm, [&](double f) { progress.push_back(f); });
  REQUIRE_FALSE(segs.empty());
  std::string all;
  int64_t last_end = 0;
  auto audio_ms = static_cast<int64_t>(pcm.size()) * 1000 / 16000;
  for (auto& s : segs) {
    all += s.text + " ";
    CHECK(s.start_ms >= last_end);
    CHECK(s.end_ms > s.start_ms);
    CHECK(s.end_ms <= audio_ms + 10); // pocketsphinx's last frame may round up
    last_end = s.end_ms;
  }
  // Sentences end in pauses of more than 300 ms: more than one segment.
  CHECK(segs.size() >= 2);
  auto wer = word_error_rate(spoken_text, all);
  UNSCOPED_INFO("transcript: " << all << "(WER " << wer << ")");
  int planted = 0;
  for (auto w : {"volcano", "telescope", "chocolate", "seventeen"})
    planted += all.find(w) != std::string::npos;
  CHECK(planted >= 3);
  CHECK(wer <= 0.5);
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back() == Approx(1.0));
}

TEST_CASE("a video's title biases the recogniser towards its words, and only that video") {
  // The demo channel's first videos, spoken as the demo speaks them (espeak-ng's Klatt voice):
  // without help the recogniser hears few of the words they are about.
  test::temp_dir dir;
  struct video {
    std::string text, title;
    std::vector<std::string> words;
  };
  const std::vector<video> videos{
      {"A volcano is a mountain of fire. Hot lava flows down the volcano and the lava cools "
       "into black rock. Ash from the volcano can cover a city.",
       "Volcanoes and lava: ash, rock and fire",
       {"volcano", "lava", "ash"}},
      {"A submarine dives deep under the ocean. The crew of the submarine lives in small rooms "
       "for months. Sonar helps them find their way in the dark.",
       "Life on a submarine: the crew under the ocean",
       {"submarine", "ocean", "crew"}},
  };
  speech_recognizer rec{speech_options{}}; // biased by default (speech_options::context_weight)
  auto said = [&](const std::vector<int16_t>& pcm, const std::string& context) {
    std::string all;
    for (auto& s : rec.transcribe(pcm, {}, nullptr, context))
      all += s.text + " ";
    return all;
  };
  auto heard = [](const std::string& all, const video& v) {
    size_t n = 0;
    for (const auto& w : v.words)
      n += all.find(w) != std::string::npos;
    return n;
  };
  size_t plain = 0, biased = 0, total = 0;
  for (size_t i = 0; i < videos.size(); ++i) {
    auto pcm =
        to_pcm(dir, test::synth_speech_wav(dir.path(), "v" + std::to_string(i), videos[i].text));
    // The decoder's cepstral normalisation learns from each recording: each decode below
    // follows one of the same audio, so that only the context differs between them.
    said(pcm, {});
    auto unbiased = said(pcm, {});
    auto with_title = said(pcm, videos[i].title);
    plain += heard(unbiased, videos[i]);
    biased += heard(with_title, videos[i]);
    total += videos[i].words.size();
    CHECK(said(pcm, {}) == unbiased); // the next recording starts from the general model again
  }
  UNSCOPED_INFO("topic words heard: " << plain << " plain, " << biased << " with the title, of "
                                      << total);
  CHECK(biased > plain);
  CHECK(biased * 10 >= total * 8); // at least 80 %
  // Words the dictionary does not know are left out of the bias; stop words too.
  CHECK(rec.context_words("The Volcanoes of Qwxzzy and the lava") ==
        std::vector<std::string>{"volcanoes", "lava"});
}

TEST_CASE("long audio is decoded in utterances, and cancel stops early") {
  test::temp_dir dir;
  std::string text;
  for (int i = 0; i < 8; ++i)
    text += "The volcano erupted and the telescope watched it for seventeen days. ";
  auto pcm = to_pcm(dir, test::synth_speech_wav(dir.path(), "long", text));
  REQUIRE(pcm.size() > 16000 * 30); // longer than one utterance
  speech_recognizer rec{speech_options{}};
  std::vector<double> progress;
  auto segs = rec.transcribe(pcm, [&](double f) { progress.push_back(f); });
  CHECK(progress.size() >= 2);
  CHECK(segs.back().end_ms > 25'000);
  std::atomic<bool> cancel{true};
  CHECK(rec.transcribe(pcm, {}, &cancel).empty());
}

TEST_CASE(
    "speech between long pauses: each sentence timed where it is said, no words in the pauses") {
  // Four sentences (flite's voice, as the demo speaks) after 2, 0.4, 10 and 15 s of a faint
  // hiss: 40 s in all, longer than one utterance; the first two are one span of speech.
  test::temp_dir dir;
  const std::vector<std::pair<std::string, std::string>> sentences{
      {"The volcano erupted in the morning.", "volcano"},
      {"The girl is seventeen years old.", "seventeen"},
      {"She looked through the telescope at night.", "telescope"},
      {"He ate a bar of chocolate.", "chocolate"}};
  const double pauses_s[] = {2, 0.4, 10, 15, 2};
  std::vector<int16_t> pcm;
  auto hiss = [&](double seconds) {
    for (size_t i = 0; i < static_cast<size_t>(seconds * 16000); ++i)
      pcm.push_back(static_cast<int16_t>(static_cast<int>(i * 7919 % 61) - 30));
  };
  std::vector<std::pair<int64_t, int64_t>> said_ms; // where each sentence is
  for (size_t i = 0; i < sentences.size(); ++i) {
    hiss(pauses_s[i]);
    auto wav = test::synth_speech_wav_voice(dir.path(), "s" + std::to_string(i), sentences[i].first,
                                            "flite-rms");
    auto speech = to_pcm(dir, wav);
    auto start = static_cast<int64_t>(pcm.size()) / 16;
    pcm.insert(pcm.end(), speech.begin(), speech.end());
    said_ms.emplace_back(start, static_cast<int64_t>(pcm.size()) / 16);
  }
  hiss(pauses_s[4]);
  REQUIRE(pcm.size() > 16000 * 35);

  speech_recognizer rec{speech_options{}};
  std::vector<double> progress;
  auto segs = rec.transcribe(pcm, [&](double f) { progress.push_back(f); });
  std::vector<std::string> heard(sentences.size());
  for (const auto& s : segs) {
    INFO("segment " << s.start_ms << "-" << s.end_ms << ": " << s.text);
    // Inside one sentence (flite's WAV has a little silence of its own at both ends).
    auto in = std::find_if(said_ms.begin(), said_ms.end(), [&](auto& at) {
      return s.start_ms >= at.first - 100 && s.end_ms <= at.second + 100;
    });
    REQUIRE(in != said_ms.end());
    heard[static_cast<size_t>(in - said_ms.begin())] += s.text + " ";
  }
  int planted = 0;
  for (size_t i = 0; i < sentences.size(); ++i) {
    INFO("sentence " << i << " heard as: " << heard[i]);
    CHECK_FALSE(heard[i].empty());
    planted += heard[i].find(sentences[i].second) != std::string::npos;
  }
  CHECK(planted >= 3);
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back() == Approx(1.0));
}

TEST_CASE("decoder arguments add to vfb's own or replace them, and a bad one is an error") {
  speech_options o;
  o.decoder_args = {"-remove_silence", "yes", "-beam", "1e-60"}; // vfb sets the first itself
  CHECK_NOTHROW(speech_recognizer{o});
  o.decoder_args = {"-no-such-option", "1"};
  CHECK_THROWS_AS(speech_recognizer{o}, speech_error);
}

TEST_CASE("missing models are a clear error") {
  speech_options o;
  o.model_dir = "/nonexistent/models";
  CHECK_THROWS_WITH(speech_recognizer{o}, Catch::Contains("speech model missing") &&
                                              Catch::Contains("/nonexistent/models"));
}

TEST_CASE(
    "an external transcriber's VTT or whisper-style output is used, and failures are errors") {
  test::temp_dir dir;
  auto wav = dir / "in.wav";
  std::ofstream(wav) << "x";
  // Stand-ins for a whisper.cpp CLI: one prints segments, one writes {out}.vtt, one fails.
  auto script = [&](const std::string& name, const std::string& body) {
    auto p = dir / name;
    std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
    ::chmod(p.c_str(), 0755);
    return p.string();
  };
  speech_options o;
  o.external_command =
      script("whisper", "echo \"[00:00:00.000 --> 00:00:01.500]   hello there\"; "
                        "echo 'noise'; echo \"[00:00:01.500 --> 00:00:03.000]  general $1\"") +
      " \"{wav}\"";
  auto segs = transcribe_external(o, wav, dir.path());
  REQUIRE(segs.size() == 2);
  CHECK(segs[0].text == "hello there");
  CHECK(segs[1].start_ms == 1500);
  CHECK(segs[1].text == "general " + wav.string());
  o.external_command = script("vtt-writer", "printf 'WEBVTT\\n\\n00:01.000 --> 00:02.000\\n"
                                            "from vtt\\n' > \"$1.vtt\"") +
                       " {out}";
  segs = transcribe_external(o, wav, dir.path());
  REQUIRE(segs.size() == 1);
  CHECK(segs[0].text == "from vtt");
  o.external_command = script("failing", "echo 'model not found' >&2; exit 4");
  CHECK_THROWS_WITH(transcribe_external(o, wav, dir.path()),
                    Catch::Contains("exited with 4") && Catch::Contains("model not found"));
  CHECK_THROWS_WITH(split_command("a \"b c"), Catch::Contains("unterminated quote"));
  CHECK(split_command(R"(whisper-cli -m "my model.bin" -f {wav} a\ b)") ==
        std::vector<std::string>{"whisper-cli", "-m", "my model.bin", "-f", "{wav}", "a b"});
}

TEST_CASE("the README's whisper.cpp line works: whisper-cli's arguments in, its WebVTT out") {
  // The line as the README gives it.
  std::ifstream readme{VFB_SOURCE_DIR "/README.md"};
  std::string line, command;
  while (std::getline(readme, line))
    if (line.rfind("external_command = whisper-cli ", 0) == 0)
      command = line.substr(std::string{"external_command = "}.size());
  REQUIRE_FALSE(command.empty());
  test::temp_dir dir;
  auto wav = dir / "audio.wav";
  std::ofstream(wav) << "RIFF";
  auto model = dir / "ggml-base.en.bin";
  std::ofstream(model) << "ggml";
  // A stand-in for whisper-cli: it reads the options the real one reads (-m, -l, -f, -ovtt,
  // -of), refuses a missing model or input as it does, and writes STEM.vtt the way it writes
  // WebVTT (HH:MM:SS.mmm times, each cue's text after a space as whisper gives it).
  auto cli = dir / "whisper-cli";
  std::ofstream(cli) << R"(#!/bin/sh
model= input= vtt= stem=
while [ $# -gt 0 ]; do
  case "$1" in
    -m) model=$2; shift ;; -l) shift ;; -f) input=$2; shift ;;
    -ovtt) vtt=1 ;; -of) stem=$2; shift ;; *) echo "error: unknown argument: $1" >&2; exit 1 ;;
  esac
  shift
done
[ -f "$model" ] || { echo "error: failed to initialize whisper context" >&2; exit 3; }
[ -f "$input" ] || { echo "error: input file not found '$input'" >&2; exit 2; }
[ -n "$vtt" ] && printf 'WEBVTT

00:00:00.000 --> 00:00:02.500
 The volcano erupted.

00:00:02.500 --> 00:00:04.000
 Ash fell.

' > "$stem.vtt"
echo "[00:00:00.000 --> 00:00:02.500]   The volcano erupted."
)";
  ::chmod(cli.c_str(), 0755);
  speech_options o;
  o.external_command = command;
  for (auto [from, to] : {std::pair<std::string, std::string>{"whisper-cli", cli.string()},
                          {"/opt/whisper/ggml-base.en.bin", model.string()}})
    o.external_command.replace(o.external_command.find(from), from.size(), to);
  auto segs = transcribe_external(o, wav, dir.path());
  REQUIRE(segs.size() == 2); // the WebVTT file, not the printed lines
  CHECK(segs[0].text == "The volcano erupted.");
  CHECK(segs[1].start_ms == 2500);
  CHECK(segs[1].end_ms == 4000);
  fs::remove(model); // whisper-cli's own error reaches the job
  CHECK_THROWS_WITH(transcribe_external(o, wav, dir.path()),
                    Catch::Contains("failed to initialize whisper context"));
}

TEST_CASE("word error rate") {
  CHECK(word_error_rate("the cat sat", "the cat sat") == 0);
  CHECK(word_error_rate("the cat sat", "The cat, sat.") == 0);
  CHECK(word_error_rate("the cat sat", "the bat sat") == Approx(1.0 / 3));
  CHECK(word_error_rate("the cat sat", "cat sat down") == Approx(2.0 / 3));
  CHECK(word_error_rate("", "") == 0);
}

// Found by fuzz/whisper_fuzz: a line ending before it started (or with minutes out of range)
// became a segment that goes backwards.
TEST_CASE("whisper.cpp lines: segments in order, times that are no times skipped") {
  auto segs = parse_whisper_lines("[00:00:00.000 --> 00:00:02.000]   the volcano erupted\n"
                                  "[15:00:02.000 --> 00:00:04.500]   backwards\n"
                                  "[00:99:00.000 --> 01:00:00.000]   no such minute\n"
                                  "[00:00:-1.000 --> 00:00:01.000]   negative\n"
                                  "whisper_print_timings: 12 ms\n"
                                  "[00:00:02.000 --> 00:00:04.500]  near the telescope\n");
  REQUIRE(segs.size() == 2);
  CHECK(segs[0].start_ms == 0);
  CHECK(segs[0].end_ms == 2000);
  CHECK(segs[0].text == "the volcano erupted");
  CHECK(segs[1].start_ms == 2000);
  CHECK(segs[1].end_ms == 4500);
  CHECK(segs[1].text == "near the telescope");
}
