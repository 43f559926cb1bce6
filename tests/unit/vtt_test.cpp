// WebVTT captions: YouTube's rolling automatic captions fold into clean segments; manual
// captions, tags, entities and malformed input.
#include "adapters/vtt.hpp"
#include "text/tokenizer.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

namespace {

// As yt-dlp writes YouTube's automatic captions: each cue repeats the previous line above the
// new one (whose words carry inline timestamps), and 10 ms cues show the new line alone. After
// a pause, the next cue starts from an empty first line again.
const char* youtube_auto = "WEBVTT\n"
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
                           "in<00:00:05.100><c> seventeen</c><00:00:05.600><c> minutes</c>\n"
                           "\n"
                           "00:00:07.000 --> 00:00:07.010 align:start position:0%\n"
                           "in seventeen minutes\n"
                           " \n"
                           "\n"
                           "00:00:12.000 --> 00:00:14.000 align:start position:0%\n"
                           " \n"
                           "[Music]\n"
                           "\n"
                           "00:00:14.000 --> 00:00:14.010 align:start position:0%\n"
                           "[Music]\n"
                           " \n"
                           "\n"
                           "00:00:14.010 --> 00:00:16.500 align:start position:0%\n"
                           "[Music]\n"
                           "it's<00:00:14.300><c> over</c><00:00:14.900><c> it's</c>"
                           "<00:00:15.200><c> over</c>\n";

std::vector<std::string> texts(const vtt_captions& c) {
  std::vector<std::string> out;
  for (auto& s : c.segments)
    out.push_back(s.text);
  return out;
}

std::string vtt(const std::string& body) {
  return "WEBVTT\n\n" + body;
}

} // namespace

TEST_CASE("YouTube's rolling automatic captions fold into each line once") {
  auto c = parse_vtt(youtube_auto);
  CHECK(c.skipped_cues == 0);
  REQUIRE(texts(c) == std::vector<std::string>{"the volcano erupted", "near the telescope",
                                               "in seventeen minutes", "[Music]",
                                               "it's over it's over"});
  // Timed by the cue that introduced the line, held until the next line starts.
  CHECK(c.segments[0].start_ms == 0);
  CHECK(c.segments[0].end_ms == 2360);
  CHECK(c.segments[1].start_ms == 2360);
  CHECK(c.segments[1].end_ms == 4880);
  CHECK(c.segments[2].start_ms == 4880);
  CHECK(c.segments[2].end_ms == 7010);
  CHECK(c.segments[3].start_ms == 12'000);
  CHECK(c.segments[4].end_ms == 16'500);
  // Every spoken word once: the words of the transcript are the words said.
  CHECK(text::terms(transcript_text(c.segments)) ==
        text::terms("the volcano erupted near the telescope in seventeen minutes music it's over "
                    "it's over"));
  for (size_t i = 1; i < c.segments.size(); ++i)
    CHECK(c.segments[i].start_ms >= c.segments[i - 1].end_ms);
}

TEST_CASE("broadcast roll-up captions of three lines fold too") {
  auto c = parse_vtt(vtt("00:00.000 --> 00:01.000\n"
                         "first line\n\n"
                         "00:01.000 --> 00:02.000\n"
                         "first line\nsecond line\n\n"
                         "00:02.000 --> 00:03.000\n"
                         "first line\nsecond line\nthird line\n\n"
                         "00:03.000 --> 00:04.000\n"
                         "second line\nthird line\nfourth line\n"));
  CHECK(texts(c) ==
        std::vector<std::string>{"first line", "second line", "third line", "fourth line"});
  CHECK(c.segments[3].start_ms == 3000);
}

TEST_CASE("a line held across cues is one segment, the same words after a pause are two") {
  auto held = parse_vtt(vtt("00:01.000 --> 00:02.000\nYes.\n\n"
                            "00:02.000 --> 00:03.000\nYes.\n\n"
                            "00:03.000 --> 00:04.000\nNo.\n"));
  REQUIRE(texts(held) == std::vector<std::string>{"Yes.", "No."});
  CHECK(held.segments[0].end_ms == 3000);
  auto again = parse_vtt(vtt("00:01.000 --> 00:02.000\nYes.\n\n"
                             "00:05.000 --> 00:06.000\nYes.\n"));
  REQUIRE(texts(again) == std::vector<std::string>{"Yes.", "Yes."});
  CHECK(again.segments[1].start_ms == 5000);
}

TEST_CASE("overlapping cues make segments that do not overlap") {
  auto c = parse_vtt(vtt("00:00.000 --> 00:04.000\nfirst\n\n"
                         "00:02.000 --> 00:05.000\nsecond\n"));
  REQUIRE(c.segments.size() == 2);
  CHECK(c.segments[0].end_ms == 2000);
  CHECK(c.segments[1].start_ms == 2000);
  CHECK(c.segments[1].end_ms == 5000);
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
                     "REGION\r\n"
                     "id:fred width:40%\r\n"
                     "\r\n"
                     "intro\r\n"
                     "00:01.000 --> 00:03.500\r\n"
                     "<v Ada>Fish &amp; chips</v>\r\n"
                     "cost &lt;5&gt; &#8364; &#x41;&nbsp;day\r\n"
                     "\r\n"
                     "NOTEBOOK\r\n"
                     "01:00:00.000 --> 01:00:01.000 line:0 align:end\r\n"
                     "<i>Later</i>, <b.loud>she</b> said &quot;it&#39;s &apos;fine&apos;&quot;\r\n"
                     "\r\n"
                     "0:00:00.000 --> 123:00:00.000\r\n"
                     "<u>long</u> &lrm;night\r\n");
  CHECK(c.skipped_cues == 0);
  REQUIRE(c.segments.size() == 3);
  CHECK(c.segments[0].start_ms == 1000);
  CHECK(c.segments[0].end_ms == 3500);
  CHECK(c.segments[0].text == "Fish & chips cost <5> \xE2\x82\xAC A day");
  CHECK(c.segments[1].start_ms == 3'600'000);
  CHECK(c.segments[1].end_ms == 3'601'000);
  CHECK(c.segments[1].text == "Later, she said \"it's 'fine'\"");
  CHECK(c.segments[2].end_ms == 123 * 3'600'000LL);
  CHECK(c.segments[2].text == "long night");
}

TEST_CASE("text that only looks like a tag or an entity is kept as written") {
  auto c = parse_vtt(vtt("00:01.000 --> 00:02.000\n"
                         "a < b and c > d, x <3 y\n"
                         "AT&T &unknown; &#0; &#xD800; &#12a; & done\n"));
  REQUIRE(c.segments.size() == 1);
  CHECK(c.segments[0].text == "a < b and c > d, x <3 y AT&T &unknown; &#0; &#xD800; &#12a; & done");
}

TEST_CASE("white space is collapsed, cues without text add nothing") {
  auto c = parse_vtt(vtt("00:01.000 --> 00:02.000\n"
                         "  spaced \t out  \n"
                         "\n"
                         "00:02.000 --> 00:03.000\n"
                         " \n"
                         "<c> </c>\n"
                         "\n"
                         "00:03.000 --> 00:04.000\n"));
  CHECK(texts(c) == std::vector<std::string>{"spaced out"});
  CHECK(c.skipped_cues == 0);
}

TEST_CASE("a cue right below the header, without the empty line, is still read") {
  auto c = parse_vtt("WEBVTT\n00:01.000 --> 00:02.000\nhello\n\n00:02.000 --> 00:03.000\nworld\n");
  CHECK(texts(c) == std::vector<std::string>{"hello", "world"});
}

TEST_CASE("a malformed cue among good ones is skipped and counted") {
  auto c = parse_vtt(vtt("00:00:01.000 --> 00:00:02.000\nfirst\n\n"
                         "00:00:0x.000 --> 00:00:03.000\nbroken digit\n\n"
                         "00:00:05.000 --> 00:00:04.000\nbackwards\n\n"
                         "00:00:60.000 --> 00:01:01.000\nsixty seconds\n\n"
                         "00:00:05.00 --> 00:00:06.000\ntwo-digit fraction\n\n"
                         "00:0:05.000 --> 00:00:06.000\none-digit minutes\n\n"
                         "9999999999:00:00.000 --> 9999999999:00:01.000\ntoo many hours\n\n"
                         "00:00:05.000 -->\nno end\n\n"
                         "id\njust text\nmore text\n\n"
                         "00:00:06.000 --> 00:00:07.000\nlast\n"));
  CHECK(texts(c) == std::vector<std::string>{"first", "last"});
  CHECK(c.skipped_cues == 8);
}

TEST_CASE("what is not WebVTT, or has no valid cue, is a clear error") {
  CHECK_THROWS_AS(parse_vtt(""), vtt_error);
  CHECK_THROWS_WITH(parse_vtt(""),
                    Catch::Contains("not a WebVTT file") && Catch::Contains("line 1"));
  CHECK_THROWS_WITH(parse_vtt("1\n00:00:01,000 --> 00:00:02,000\nan SRT file\n"),
                    Catch::Contains("not a WebVTT file") && Catch::Contains("'1'"));
  CHECK_THROWS_WITH(parse_vtt("WEBVTTX\n"), Catch::Contains("not a WebVTT file"));
  CHECK_THROWS_WITH(parse_vtt("\n\nWEBVTT\n"), Catch::Contains("not a WebVTT file"));
  CHECK_THROWS_WITH(parse_vtt("WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nSRT commas\n"),
                    Catch::Contains("line 3") && Catch::Contains("no cue has valid timings") &&
                        Catch::Contains("00:00:01,000"));
  CHECK_THROWS_WITH(parse_vtt("WEBVTT\r\nKind: captions\r\n\r\nNOTE hi\r\n\r\n1\r\n"
                              "00:01 --> 00:02\r\none\r\n\r\n2\r\n00:02 --> 00:03\r\ntwo\r\n"),
                    Catch::Contains("line 7"));
  // Captions without cues are empty, not an error.
  CHECK(parse_vtt("WEBVTT\n\nNOTE nothing said\n").segments.empty());
  CHECK(parse_vtt("WEBVTT").segments.empty());
  CHECK(parse_vtt("WEBVTT\tKind\n\nlone line\n").segments.empty());
}

TEST_CASE("transcript_text joins segment texts with single spaces") {
  CHECK(transcript_text({}).empty());
  CHECK(transcript_text({{0, 1, "one"}, {1, 2, "two"}}) == "one two");
}
