// The exported transcripts read back by a real parser: ffprobe's SubRip and WebVTT demuxers find
// every cue at its segment's time, with its length and (SubRip) its text.
#include "adapters/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "text/transcript_formats.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace vfb;

namespace {

/// ffprobe's packets of a subtitle file: (start ms, duration ms, bytes).
std::vector<std::tuple<int64_t, int64_t, int64_t>> cues_read_back(const std::filesystem::path& p) {
  process_options o;
  o.argv = {"ffprobe", "-v", "error", "-show_packets", "-of", "json", p.string()};
  auto r = run_process(o);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::tuple<int64_t, int64_t, int64_t>> out;
  auto probed = nlohmann::json::parse(r.out);
  for (const auto& packet : probed["packets"])
    out.emplace_back(packet["pts"].get<int64_t>(), packet["duration"].get<int64_t>(),
                     std::stoll(packet["size"].get<std::string>()));
  return out;
}

} // namespace

TEST_CASE("exported SubRip and WebVTT read back with ffprobe: every cue, its time and length") {
  transcript t;
  t.segments = {{0, 1500, "The volcano erupted."},
                {62'345, 63'000, "Ash <b>&</b> smoke --> everywhere"},
                {64'000, 65'000, " \n "},
                {3'725'004, 3'726'000, "line one\n\nline two"},
                {3'726'000, 3'726'000, "no length"}};
  test::temp_dir dir;
  for (auto f : {text::transcript_format::srt, text::transcript_format::vtt}) {
    auto path = dir / (f == text::transcript_format::srt ? "t.srt" : "t.vtt");
    std::ofstream{path} << text::format_transcript(t, f);
    auto cues = cues_read_back(path);
    INFO(path);
    REQUIRE(cues.size() == 4); // the empty segment is left out
    CHECK(cues[0] == std::tuple<int64_t, int64_t, int64_t>{0, 1500, 20});
    CHECK(std::get<0>(cues[1]) == 62'345);
    CHECK(std::get<1>(cues[1]) == 655);
    CHECK(std::get<0>(cues[2]) == 3'725'004);
    CHECK(std::get<1>(cues[2]) == 996);
    CHECK(std::get<0>(cues[3]) == 3'726'000);
    CHECK(std::get<1>(cues[3]) == 1);
    if (f == text::transcript_format::srt) {
      CHECK(std::get<2>(cues[1]) == 33); // the text as it is
      CHECK(std::get<2>(cues[2]) == 17); // "line one\nline two": the blank line is gone
    }
  }
}
