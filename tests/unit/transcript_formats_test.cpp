// Transcripts written out as SubRip, WebVTT, plain text and JSON (text/transcript_formats).
#include "text/transcript_formats.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace vfb;
using namespace vfb::text;

namespace {

transcript sample() {
  transcript t;
  t.origin = "speech";
  t.language = "en";
  t.confidence = 0.75;
  t.segments = {{0, 1500, "The volcano erupted."},
                {62'345, 63'000, "  Ash <b>&</b> smoke --> everywhere  "},
                {63'000, 63'000, "a moment"},                    // no length: lasts a millisecond
                {64'000, 65'000, " \n \n"},                      // nothing to show: left out
                {3'725'004, 3'726'000, "line one\n\nline two"}}; // a blank line would end the cue
  return t;
}

} // namespace

TEST_CASE("SubRip: numbered cues, comma milliseconds, no blank line inside a cue") {
  CHECK(format_transcript(sample(), transcript_format::srt) ==
        "1\n00:00:00,000 --> 00:00:01,500\nThe volcano erupted.\n\n"
        "2\n00:01:02,345 --> 00:01:03,000\nAsh <b>&</b> smoke --> everywhere\n\n"
        "3\n00:01:03,000 --> 00:01:03,001\na moment\n\n"
        "4\n01:02:05,004 --> 01:02:06,000\nline one\nline two\n\n");
}

TEST_CASE("WebVTT: the header, dot milliseconds, markup escaped and no arrow in cue text") {
  CHECK(format_transcript(sample(), transcript_format::vtt) ==
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:01.500\nThe volcano erupted.\n\n"
        "00:01:02.345 --> 00:01:03.000\nAsh &lt;b&gt;&amp;&lt;/b&gt; smoke --&gt; everywhere\n\n"
        "00:01:03.000 --> 00:01:03.001\na moment\n\n"
        "01:02:05.004 --> 01:02:06.000\nline one\nline two\n\n");
}

TEST_CASE("plain text: one line per cue line, no times") {
  CHECK(format_transcript(sample(), transcript_format::txt) ==
        "The volcano erupted.\nAsh <b>&</b> smoke --> everywhere\na moment\nline one\nline two\n");
}

TEST_CASE("JSON: the stored transcript's shape, every segment as it is") {
  auto j = nlohmann::json::parse(format_transcript(sample(), transcript_format::json));
  CHECK(j["origin"] == "speech");
  CHECK(j["language"] == "en");
  CHECK(j["confidence"] == 0.75);
  // Captions have no confidence: none is written.
  auto captions = sample();
  captions.confidence = -1;
  CHECK_FALSE(nlohmann::json::parse(format_transcript(captions, transcript_format::json))
                  .contains("confidence"));
  REQUIRE(j["segments"].size() == 5);
  CHECK(j["segments"][1]["start_ms"] == 62'345);
  CHECK(j["segments"][1]["text"] == "  Ash <b>&</b> smoke --> everywhere  ");
}

TEST_CASE("where a transcript came from, in words") {
  auto t = sample();
  CHECK(transcript_source(t) == "speech recognition, 75% confident");
  t.confidence = -1; // stored by a vfb that did not measure it
  CHECK(transcript_source(t) == "speech recognition");
  t.origin = "captions";
  CHECK(transcript_source(t) == "captions");
  t.origin = "external";
  CHECK(transcript_source(t) == "external transcriber");
}

TEST_CASE("transcript formats by name; an empty transcript is a valid empty file") {
  CHECK(parse_transcript_format("srt") == transcript_format::srt);
  CHECK(parse_transcript_format("vtt") == transcript_format::vtt);
  CHECK(parse_transcript_format("txt") == transcript_format::txt);
  CHECK(parse_transcript_format("json") == transcript_format::json);
  CHECK_FALSE(parse_transcript_format("SRT"));
  CHECK_FALSE(parse_transcript_format("pdf"));
  CHECK(content_type(transcript_format::vtt) == "text/vtt; charset=utf-8");
  CHECK(format_transcript({}, transcript_format::srt).empty());
  CHECK(format_transcript({}, transcript_format::vtt) == "WEBVTT\n\n");
}
