// Speaker adaptation against the real tools: pocketsphinx's model converted for sphinxtrain, a
// transform estimated (sphinx_fe, bw, mllr_solve) from synthesised speech and the recogniser's
// own hypotheses, the decoder switching to it and back, the per-speaker store.
#include "adapters/ffmpeg.hpp"
#include "adapters/speaker_adaptation.hpp"
#include "adapters/speaker_profiles.hpp"
#include "adapters/speech.hpp"
#include "tests/support/media.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

const fs::path hmm = "/usr/share/pocketsphinx/model/en-us/en-us";

// About 25 s of speech in flite's rms voice: enough for an estimate (min_speech 20 s).
const std::string story =
    "The old lighthouse stood on the rocks above the harbour for more than a hundred years. "
    "Every night the keeper climbed the stairs and lit the lamp so that the fishing boats "
    "could find their way home through the fog. One winter a great storm broke the windows "
    "and the keeper worked until morning to keep the light burning. The town still tells the "
    "story to its children, and the lighthouse is now a small museum open in the summer.";

std::vector<int16_t> speech_pcm(const test::temp_dir& dir, const std::string& name,
                                const std::string& text) {
  auto wav = test::synth_speech_wav_voice(dir.path(), name, text, "flite-rms");
  auto pcm = dir / (name + "16k.wav");
  extract_audio({}, wav, pcm);
  return read_wav_pcm16(pcm);
}

std::string joined(const std::vector<transcript_segment>& segs) {
  std::string out;
  for (const auto& s : segs)
    out += s.text + " ";
  return out;
}

std::vector<adaptation_utterance> as_utterances(const std::vector<int16_t>& pcm,
                                                const speech_recognizer& rec) {
  std::vector<adaptation_utterance> out;
  for (const auto& u : rec.last_utterances()) {
    adaptation_utterance a;
    for (const auto& span : u.spans)
      a.pcm.insert(a.pcm.end(), pcm.begin() + static_cast<std::ptrdiff_t>(span.begin),
                   pcm.begin() + static_cast<std::ptrdiff_t>(span.end));
    a.words = u.words;
    out.push_back(std::move(a));
  }
  return out;
}

/// The tied states the model's mdef declares ("N n_tied_state" in its text form).
uint32_t tied_states(const test::temp_dir& dir) {
  auto text = dir / "mdef.txt";
  REQUIRE(test::run_process(
              {"pocketsphinx_mdef_convert", "-text", (hmm / "mdef").string(), text.string()})
              .exit_code == 0);
  std::ifstream in{text};
  for (std::string line; std::getline(in, line);)
    if (auto at = line.find(" n_tied_state"); at != std::string::npos)
      return static_cast<uint32_t>(std::stoul(line.substr(0, at)));
  FAIL("no n_tied_state in the mdef");
  return 0;
}

} // namespace

TEST_CASE("the model's sendump becomes mixture weights with its dimensions summing to 1") {
  test::temp_dir dir;
  auto w = read_sendump(hmm / "sendump");
  CHECK(w.senones == tied_states(dir));
  CHECK(w.features == 3); // 1s_c_d_dd in three streams (-svspec 0-12/13-25/26-38)
  CHECK(w.codewords == 128);
  REQUIRE(w.weights.size() == size_t{w.senones} * w.features * w.codewords);
  for (uint32_t s = 0; s < w.senones; ++s)
    for (uint32_t f = 0; f < w.features; ++f) {
      double sum = 0;
      for (uint32_t c = 0; c < w.codewords; ++c)
        sum += w.at(s, f, c);
      REQUIRE(sum == Approx(1.0).epsilon(1e-4));
    }
  // Not all the same: the weights carry the senones' shapes.
  CHECK(w.at(0, 0, 0) != w.at(1, 0, 0));
  write_mixture_weights(w, dir / "mixture_weights");
  auto back = read_mixture_weights(dir / "mixture_weights");
  CHECK(back.senones == w.senones);
  CHECK(back.features == w.features);
  CHECK(back.codewords == w.codewords);
  CHECK(back.weights == w.weights);
}

TEST_CASE("the adaptation model is prepared once into its cache") {
  test::temp_dir dir;
  adaptation_options o;
  o.cache_dir = dir / "model";
  prepare_adaptation_model(o);
  for (auto name : {"mdef.txt", "mixture_weights", "means", "variances", "transition_matrices",
                    "noisedict", "feat.params"})
    CHECK(fs::exists(o.cache_dir / name));
  auto before = fs::last_write_time(o.cache_dir / "mixture_weights");
  prepare_adaptation_model(o);
  CHECK(fs::last_write_time(o.cache_dir / "mixture_weights") == before);
  size_t entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(o.cache_dir))
    ++entries;
  CHECK(entries == 7); // no temporary file left behind
}

TEST_CASE("a transform estimated from the recogniser's own hypotheses is decoded with and undone") {
  test::temp_dir dir;
  auto pcm = speech_pcm(dir, "story", story);
  speech_recognizer rec{speech_options{}};
  // The decoder's cepstral mean carries over from one recording to the next: compare the
  // second decoding of the audio with later ones.
  rec.transcribe(pcm);
  auto base = rec.transcribe(pcm);
  auto base_confidence = rec.confidence();
  REQUIRE_FALSE(rec.last_utterances().empty());
  adaptation_options o;
  o.cache_dir = dir / "model";
  auto transform = estimate_transform(o, as_utterances(pcm, rec), {}, dir / "work");
  // sphinxtrain's MLLR text: one class, three streams of 13.
  CHECK(transform.rfind("1\n3\n13\n", 0) == 0);

  rec.set_transform(transform);
  auto adapted = rec.transcribe(pcm);
  UNSCOPED_INFO("base:    " << joined(base) << "(WER " << word_error_rate(story, joined(base))
                            << ")");
  UNSCOPED_INFO("adapted: " << joined(adapted) << "(WER " << word_error_rate(story, joined(adapted))
                            << ")");
  // The model changed (the words' posteriors with it), and not for the worse.
  CHECK(rec.confidence() != base_confidence);
  CHECK(word_error_rate(story, joined(adapted)) <= word_error_rate(story, joined(base)));

  // A second estimate aligned with the first.
  auto again = estimate_transform(o, as_utterances(pcm, rec), transform, dir / "work");
  CHECK(again.rfind("1\n3\n13\n", 0) == 0);
  CHECK(again != transform);

  rec.set_transform({});
  auto undone = rec.transcribe(pcm);
  CHECK(rec.confidence() == base_confidence);
  REQUIRE(undone.size() == base.size());
  for (size_t i = 0; i < base.size(); ++i) {
    CHECK(undone[i].text == base[i].text);
    CHECK(undone[i].start_ms == base[i].start_ms);
    CHECK(undone[i].end_ms == base[i].end_ms);
  }
}

TEST_CASE("words the dictionary lacks are left out of what bw aligns") {
  test::temp_dir dir;
  auto pcm = speech_pcm(dir, "story", story);
  adaptation_options o;
  o.cache_dir = dir / "model";
  std::istringstream said{"the old lighthouse stood on the rocks above the harbour for more than "
                          "a hundred years every night the keeper climbed the stairs and lit the "
                          "lamp"};
  adaptation_utterance u{pcm, {"qzxvbnmk"}};
  for (std::string w; said >> w;)
    u.words.push_back(w);
  auto transform = estimate_transform(o, {u}, {}, dir / "work");
  CHECK_FALSE(transform.empty());
  std::ifstream in{dir / "work" / "transcription"};
  std::string line;
  std::getline(in, line);
  CHECK(line.find("lighthouse") != std::string::npos);
  CHECK(line.find("qzxvbnmk") == std::string::npos);
}

TEST_CASE("a missing tool names the package to install") {
  test::temp_dir dir;
  adaptation_options o;
  o.cache_dir = dir / "model";
  CHECK_FALSE(adaptation_unavailable(o).has_value());
  std::vector<adaptation_utterance> one{{std::vector<int16_t>(16000, 0), {"hello"}}};

  auto no_sphinxtrain = o;
  no_sphinxtrain.sphinxtrain_dir = dir.subdir("empty");
  REQUIRE(adaptation_unavailable(no_sphinxtrain).has_value());
  CHECK_THAT(*adaptation_unavailable(no_sphinxtrain), Catch::Contains("install sphinxtrain"));
  CHECK_THROWS_WITH(estimate_transform(no_sphinxtrain, one, {}, dir / "work"),
                    Catch::Contains("bw") && Catch::Contains("install sphinxtrain"));

  auto no_fe = o;
  no_fe.sphinx_fe = "vfb-no-such-sphinx_fe";
  CHECK_THROWS_WITH(estimate_transform(no_fe, one, {}, dir / "work"),
                    Catch::Contains("vfb-no-such-sphinx_fe") &&
                        Catch::Contains("install sphinxbase-utils"));
}

TEST_CASE("a failing tool is quoted") {
  test::temp_dir dir;
  auto pcm = speech_pcm(dir, "story", story);
  adaptation_options o;
  o.cache_dir = dir / "model";
  std::vector<adaptation_utterance> one{{pcm, {"the", "old", "lighthouse"}}};
  // A prior transform cut short after its first stream's length: bw refuses it, and its log
  // says why.
  CHECK_THROWS_WITH(estimate_transform(o, one, "1\n3\n13\n1.0 2.0\n", dir / "work"),
                    Catch::StartsWith("bw exited with 1") &&
                        Catch::Contains("inconsistent w/ -feat config"));
}

TEST_CASE("a speaker's transform is estimated once enough speech came in and kept per speaker") {
  test::temp_dir dir;
  auto pcm = speech_pcm(dir, "story", story);
  speech_recognizer rec{speech_options{}};
  rec.transcribe(pcm);
  speaker_profile_options o;
  o.min_speech = std::chrono::seconds{20};
  speaker_profiles profiles{dir / "speakers", o};
  CHECK(profiles.transform("youtube:UCalice").empty());

  // Five seconds of it are not enough speech yet.
  REQUIRE_FALSE(rec.last_utterances().empty());
  auto begin = rec.last_utterances().front().spans.front().begin;
  std::vector<speech_recognizer::utterance> some{
      {{{begin, begin + 5 * 16000}}, {"the", "old", "lighthouse", "stood"}}};
  CHECK_FALSE(profiles.learn("youtube:UCalice", pcm, some));
  CHECK(profiles.transform("youtube:UCalice").empty());

  CHECK(profiles.learn("youtube:UCalice", pcm, rec.last_utterances()));
  auto alice = profiles.transform("youtube:UCalice");
  CHECK(alice.rfind("1\n3\n13\n", 0) == 0);
  CHECK(profiles.transform("youtube:UCbob").empty());
  // What is kept to estimate from again is features with their words, not audio.
  size_t features = 0, other = 0;
  for (auto& e : fs::directory_iterator(profiles.dir_of("youtube:UCalice") / "pool"))
    (e.path().extension() == ".mfc" ? features : other) += 1;
  CHECK(features > 0);
  CHECK(other == features); // each one's words (.txt)
  CHECK(profiles.dir_of("youtube:UCalice") != profiles.dir_of("youtube:UCbob"));
  // Kept on disk: a node started again finds it.
  speaker_profiles reopened{dir / "speakers", o};
  CHECK(reopened.transform("youtube:UCalice") == alice);
  // The next estimate waits for as much new speech as the last one used.
  CHECK_FALSE(profiles.learn("youtube:UCalice", pcm, some));
}
