// Where speech is (speech_spans), on signals built here: tone bursts for words, a faint noise
// for the room between them.
#include "adapters/voice_activity.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

using namespace vfb;

namespace {

constexpr size_t rate = 16000;

/// A recording: `pieces` of (seconds, loud?) — loud is a 220 Hz tone at `level`, quiet is
/// noise about 50 dB below full scale.
std::vector<int16_t> recording(const std::vector<std::pair<double, bool>>& pieces,
                               double level = 8000) {
  std::mt19937 rng{7};
  std::uniform_int_distribution<int> hiss{-100, 100};
  std::vector<int16_t> out;
  for (auto [seconds, loud] : pieces)
    for (size_t i = 0; i < static_cast<size_t>(seconds * rate); ++i) {
      double tone = loud ? level * std::sin(2 * M_PI * 220.0 * static_cast<double>(out.size()) /
                                            static_cast<double>(rate))
                         : 0.0;
      out.push_back(static_cast<int16_t>(tone + hiss(rng)));
    }
  return out;
}

double seconds(size_t sample) {
  return static_cast<double>(sample) / rate;
}

} // namespace

TEST_CASE("speech between long pauses is three spans with their margins") {
  // 1 s quiet, 1 s speech, 2 s pause, 1.5 s speech, 3 s pause, 0.5 s speech, 1 s quiet.
  auto pcm = recording(
      {{1, false}, {1, true}, {2, false}, {1.5, true}, {3, false}, {0.5, true}, {1, false}});
  auto spans = speech_spans(pcm);
  REQUIRE(spans.size() == 3);
  const double starts[] = {1, 4, 8.5}, ends[] = {2, 5.5, 9};
  for (size_t i = 0; i < 3; ++i) {
    INFO("span " << i);
    CHECK(seconds(spans[i].begin) == Approx(starts[i] - 0.25).margin(0.02));
    CHECK(seconds(spans[i].end) == Approx(ends[i] + 0.25).margin(0.02));
  }
}

TEST_CASE("pauses shorter than the minimum stay inside one span") {
  auto pcm = recording({{0.5, false}, {1, true}, {0.3, false}, {1, true}, {0.5, false}});
  auto spans = speech_spans(pcm);
  REQUIRE(spans.size() == 1);
  CHECK(seconds(spans[0].begin) == Approx(0.25).margin(0.02));
  CHECK(seconds(spans[0].end) == Approx(3.05).margin(0.02));
  // With a shorter minimum pause the same recording is two spans.
  voice_activity_options fine;
  fine.min_pause_ms = 200;
  fine.margin_ms = 100;
  CHECK(speech_spans(pcm, fine).size() == 2);
}

TEST_CASE("a click in silence is not speech and quiet speech still is") {
  auto click = recording({{2, false}, {0.03, true}, {2, false}, {1, true}, {1, false}});
  auto spans = speech_spans(click);
  REQUIRE(spans.size() == 1);
  CHECK(seconds(spans[0].begin) == Approx(4.03 - 0.25).margin(0.02));
  // Speech far below full scale is found against its own, quieter, room.
  auto quiet = recording({{1, false}, {1, true}, {1, false}}, 1500);
  REQUIRE(speech_spans(quiet).size() == 1);
}

TEST_CASE("all speech is one span and digital silence is none") {
  auto talk = recording({{3, true}});
  auto spans = speech_spans(talk);
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].begin == 0);
  CHECK(spans[0].end == talk.size());
  CHECK(speech_spans(std::vector<int16_t>(rate * 2, 0)).empty());
  CHECK(speech_spans({}).empty());
}
