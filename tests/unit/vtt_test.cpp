// WebVTT captions: YouTube's rolling automatic captions fold into clean segments; manual
// captions, tags, entities and malformed input.
#include "adapters/vtt.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

namespace {

// As yt-dlp writes YouTube's automatic captions: each cue repeats the previous line above the
// new one (with word timings), and 10 ms cues repeat it alone.
const char* rolling = "WEBVTT\n"
                      "Kind: captions\n"
                      "Language: en\n"
                      "\n"
                      "00:00:00.000 --> 00:00:02.350 align:start position:0%\n"
                      " \n"
                      "the<00:00:00.160><c> volcano</c><00:00:00.560><c> erupted</c>\n"
                      "\n"
                      "00:00:02.350 --> 00:00:02.360 align:start position:0%\n"
                      "the volcano erupted\n"
                      " \n"
                      "\n"
                      "00:00:02.360 --> 00:00:04.870 align:start position:0%\n"
                      "the volcano erupted\n"
                      "near<00:00:02.600><c> the</c><00:00:02.800><c> telescope</c>\n"
                      "\n"
                      "00:00:04.870 --> 00:00:04.880 align:start position:0%\n"
                      "near the telescope\n"
                      " \n"
                      "\n"
                      "00:00:04.880 --> 00:00:07.000 align:start position:0%\n"
                      "near the telescope\n"
                      "in<00:00:05.100><c> seventeen</c><00:00:05.600><c> minutes</c>\n";

} // namespace

TEST_CASE("rolling automatic captions fold into each line once, timed by its first cue") {
  auto c = parse_vtt(rolling);
  REQUIRE(c.segments.size() == 3);
  CHECK(c.segments[0].text == "the volcano erupted");
  CHECK(c.segments[0].start_ms == 0);
  CHECK(c.segments[0].end_ms == 2350);
  CHECK(c.segments[1].text == "near the telescope");
  CHECK(c.segments[1].start_ms == 2360);
  CHECK(c.segments[2].text == "in seventeen minutes");
  CHECK(c.segments[2].end_ms == 7000);
  CHECK(c.skipped_cues == 0);
  CHECK(transcript_text(c.segments) == "the volcano erupted near the telescope in seventeen "
                                       "minutes");
}

TEST_CASE("manual captions: identifiers, short timestamps, multi-line cues, tags, entities") {
  auto c = parse_vtt("\xEF\xBB\xBFWEBVTT - made by hand\r\n"
                     "\r\n"
                     "NOTE a comment\r\n"
                     "that spans lines\r\n"
                     "\r\n"
                     "STYLE\r\n"
                     "::cue { color: red }\r\n"
                     "\r\n"
                     "intro\r\n"
                     "00:01.000 --> 00:03.500\r\n"
                     "<v Ada>Fish &amp; chips</v>\r\n"
                     "cost &lt;5&gt; &#8364; &#x41;&nbsp;day\r\n"
                     "\r\n"
                     "01:00:00.000 --> 01:00:01.000 line:0\r\n"
                     "<i>Later</i>\r\n");
  REQUIRE(c.segments.size() == 2);
  CHECK(c.segments[0].start_ms == 1000);
  CHECK(c.segments[0].end_ms == 3500);
  CHECK(c.segments[0].text == "Fish & chips cost <5> \xE2\x82\xAC A day");
  CHECK(c.segments[1].start_ms == 3'600'000);
  CHECK(c.segments[1].text == "Later");
}

TEST_CASE("a malformed cue among good ones is skipped and counted") {
  auto c = parse_vtt("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfirst\n\n"
                     "00:00:0x.000 --> 00:00:03.000\nbroken\n\n"
                     "00:00:05.000 --> 00:00:04.000\nbackwards\n\n"
                     "00:00:06.000 --> 00:00:07.000\nlast\n");
  REQUIRE(c.segments.size() == 2);
  CHECK(c.segments[0].text == "first");
  CHECK(c.segments[1].text == "last");
  CHECK(c.skipped_cues == 2);
}

TEST_CASE("what is not WebVTT, or has no valid cue, is a clear error") {
  CHECK_THROWS_WITH(parse_vtt(""), Catch::Contains("not a WebVTT file"));
  CHECK_THROWS_WITH(parse_vtt("1\n00:00:01,000 --> 00:00:02,000\nan SRT file\n"),
                    Catch::Contains("not a WebVTT file"));
  CHECK_THROWS_WITH(parse_vtt("WEBVTTX\n"), Catch::Contains("not a WebVTT file"));
  CHECK_THROWS_WITH(parse_vtt("WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nSRT commas\n"),
                    Catch::Contains("line 3") && Catch::Contains("no cue has valid timings"));
  // Captions without cues are empty, not an error.
  CHECK(parse_vtt("WEBVTT\n\nNOTE nothing said\n").segments.empty());
}
