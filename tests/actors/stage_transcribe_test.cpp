// The transcribe stage's speaker adaptation, with the real tools: an uploader's later videos
// are decoded with the transform its earlier ones taught; other uploaders, videos without
// uploader and a node with adaptation off are decoded exactly as without it.
#include "actors/config_options.hpp"
#include "actors/node.hpp"
#include "actors/stages.hpp"
#include "adapters/ffmpeg.hpp"
#include "adapters/speaker_profiles.hpp"
#include "adapters/speech.hpp"
#include "storage/artifact_store.hpp"
#include "storage/media_json.hpp"
#include "tests/support/media.hpp"
#include "tests/support/temp_dir.hpp"
#include "text/video_context.hpp"

#include <catch2/catch.hpp>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

// About 25 s in flite's rms voice: enough speech for a first transform (10 s).
const std::string first_text =
    "The old lighthouse stood on the rocks above the harbour for more than a hundred years. "
    "Every night the keeper climbed the stairs and lit the lamp so that the fishing boats "
    "could find their way home through the fog. One winter a great storm broke the windows "
    "and the keeper worked until morning to keep the light burning. The town still tells the "
    "story to its children, and the lighthouse is now a small museum open in the summer.";
const std::string second_text = "The museum shows the lamp, the keeper's logbook and a model of "
                                "the harbour as it was a hundred years ago.";

struct stage_fixture {
  test::temp_dir dir;
  fs::path data = dir / "data";
  std::shared_ptr<stage_environment> env;
  stage_function transcribe;
  uint64_t next_id = 1;

  explicit stage_fixture(bool adaptation) {
    vfb_config cfg;
    cfg.speech.adaptation = adaptation;
    env = open_tool_environment(cfg, data);
    transcribe = real_stages(env)(stage_kind::transcribe);
  }

  fs::path speech(const std::string& name, const std::string& text) const {
    return test::synth_speech_wav_voice(dir.path(), name, text, "flite-rms");
  }

  /// Runs the stage on a downloaded `media` file of `channel` (empty: no uploader known) for
  /// `tenant`; returns the stage's note.
  std::string run(const fs::path& media, const std::string& channel,
                  const std::string& tenant = "acme") {
    ingest_job job;
    job.id = next_id++;
    job.key.tenant = tenant;
    job.key.source = "youtube";
    job.key.external_id = "video" + std::to_string(job.id);
    download_result d;
    d.media_path = media.string();
    d.channel_id = channel;
    env->artifacts->save_checkpoint(job.id, stage_kind::download, nlohmann::json(d));
    auto r = transcribe(stage_request{stage_kind::transcribe, job, 0}, [](double, std::string) {});
    REQUIRE_FALSE(r.finished);
    return r.note;
  }

  std::vector<transcript_segment> transcript_of(uint64_t id) const {
    auto t = env->artifacts->cached_transcript("youtube", "video" + std::to_string(id));
    REQUIRE(t);
    CHECK(t->origin == "speech");
    return t->segments;
  }

  size_t speakers() const {
    std::error_code ec;
    size_t n = 0;
    for (auto& e : fs::directory_iterator(speakers_dir(data), ec))
      n += e.is_directory() && e.path().filename() != "model";
    return n;
  }
};

/// What an unadapted decoder hears in the last of `media` after the others (the cepstral mean
/// carries over from one recording to the next, so the history must be the same).
std::vector<transcript_segment> unadapted(const test::temp_dir& dir,
                                          const std::vector<fs::path>& media) {
  auto wav = dir / "reference16k.wav";
  speech_recognizer rec{speech_options{}};
  std::vector<transcript_segment> last;
  for (const auto& m : media) {
    extract_audio({}, m, wav);
    last = rec.transcribe(read_wav_pcm16(wav), {}, nullptr,
                          text::recogniser_context(download_result{}));
  }
  return last;
}

void same(const std::vector<transcript_segment>& a, const std::vector<transcript_segment>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].text == b[i].text);
    CHECK(a[i].start_ms == b[i].start_ms);
    CHECK(a[i].end_ms == b[i].end_ms);
  }
}

const std::string adapted_note = "adapted to the uploader's voice";

} // namespace

TEST_CASE("an uploader's second video is decoded with the transform its first one taught") {
  stage_fixture f{true};
  auto first = f.speech("first", first_text);
  auto second = f.speech("second", second_text);

  CHECK_THAT(f.run(first, "UCalice"), !Catch::Contains(adapted_note));
  speaker_profiles profiles{speakers_dir(f.data), {}};
  CHECK_FALSE(profiles.transform("acme:youtube:UCalice").empty());
  CHECK(f.speakers() == 1);

  CHECK_THAT(f.run(second, "UCalice"), Catch::Contains(adapted_note));

  SECTION("another uploader's video is decoded without it, exactly as unadapted") {
    CHECK_THAT(f.run(second, "UCbob"), !Catch::Contains(adapted_note));
    same(f.transcript_of(3), unadapted(f.dir, {first, second, second}));
    CHECK(profiles.transform("acme:youtube:UCbob").empty());
    CHECK(f.speakers() == 2); // bob's speech is kept towards his own transform
  }
  SECTION("the same uploader's video in another tenant is decoded without it") {
    CHECK_THAT(f.run(second, "UCalice", "globex"), !Catch::Contains(adapted_note));
    same(f.transcript_of(3), unadapted(f.dir, {first, second, second}));
    CHECK(profiles.transform("globex:youtube:UCalice").empty());
    CHECK(f.speakers() == 2); // the tenants' speech is kept apart
  }
  SECTION("a video without uploader never adapts nor teaches") {
    CHECK_THAT(f.run(second, ""), !Catch::Contains(adapted_note));
    same(f.transcript_of(3), unadapted(f.dir, {first, second, second}));
    CHECK_THAT(f.run(first, ""), !Catch::Contains(adapted_note));
    CHECK(f.speakers() == 1);
  }
}

TEST_CASE("with adaptation off an uploader's videos are transcribed exactly as before") {
  stage_fixture f{false};
  auto first = f.speech("first", first_text);
  auto second = f.speech("second", second_text);
  CHECK_THAT(f.run(first, "UCalice"), !Catch::Contains(adapted_note));
  CHECK_THAT(f.run(second, "UCalice"), !Catch::Contains(adapted_note));
  same(f.transcript_of(2), unadapted(f.dir, {first, second}));
  CHECK(f.speakers() == 0);
  CHECK_FALSE(fs::exists(speakers_dir(f.data)));
}
