#include "text/transcript_formats.hpp"

#include "text/strings.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

namespace vfb::text {

namespace {

/// HH:MM:SS followed by `separator` and milliseconds (SubRip: ',', WebVTT: '.').
std::string timestamp(int64_t ms, char separator) {
  ms = std::max<int64_t>(0, ms);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld%c%03lld",
                static_cast<long long>(ms / 3'600'000), static_cast<long long>(ms / 60'000 % 60),
                static_cast<long long>(ms / 1000 % 60), separator,
                static_cast<long long>(ms % 1000));
  return buf;
}

/// The segment's text as cue lines: line breaks kept, blank lines (which end a cue) and
/// surrounding blanks dropped. Empty when nothing is left.
std::string cue_text(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty())
      continue;
    if (!out.empty())
      out += '\n';
    out += line;
  }
  return out;
}

/// WebVTT cue text: its markup characters escaped, and no "-->" (it would end the cue text).
std::string vtt_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out; // with '>' escaped, "-->" cannot appear
}

int64_t end_of(const transcript_segment& s) {
  return s.end_ms > s.start_ms ? s.end_ms : s.start_ms + 1;
}

} // namespace

std::optional<transcript_format> parse_transcript_format(std::string_view name) {
  if (name == "srt")
    return transcript_format::srt;
  if (name == "vtt")
    return transcript_format::vtt;
  if (name == "txt")
    return transcript_format::txt;
  if (name == "json")
    return transcript_format::json;
  return std::nullopt;
}

std::string_view content_type(transcript_format f) {
  switch (f) {
  case transcript_format::srt:
    return "application/x-subrip; charset=utf-8";
  case transcript_format::vtt:
    return "text/vtt; charset=utf-8";
  case transcript_format::txt:
    return "text/plain; charset=utf-8";
  case transcript_format::json:
    break;
  }
  return "application/json";
}

std::string format_transcript(const transcript& t, transcript_format f, const moment_link& moment) {
  if (f == transcript_format::json) {
    // The shape of the stored transcript (storage/media_json.hpp), written here from its fields.
    auto segments = nlohmann::json::array();
    for (const auto& s : t.segments) {
      nlohmann::json j{{"start_ms", s.start_ms}, {"end_ms", s.end_ms}, {"text", s.text}};
      if (moment)
        j["moment_url"] = moment(s.start_ms);
      segments.push_back(std::move(j));
    }
    nlohmann::json j{{"origin", t.origin}, {"language", t.language}, {"segments", segments}};
    if (t.confidence >= 0)
      j["confidence"] = t.confidence;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  std::ostringstream out;
  if (f == transcript_format::vtt)
    out << "WEBVTT\n\n";
  size_t n = 0;
  for (const auto& s : t.segments) {
    auto text = cue_text(s.text);
    if (text.empty())
      continue;
    switch (f) {
    case transcript_format::srt:
      out << ++n << '\n'
          << timestamp(s.start_ms, ',') << " --> " << timestamp(end_of(s), ',') << '\n'
          << text << "\n\n";
      break;
    case transcript_format::vtt:
      out << timestamp(s.start_ms, '.') << " --> " << timestamp(end_of(s), '.') << '\n'
          << vtt_text(text) << "\n\n";
      break;
    case transcript_format::txt:
    case transcript_format::json:
      out << text << '\n';
      break;
    }
  }
  return out.str();
}

std::string transcript_source(const transcript& t) {
  if (t.origin == "speech")
    return t.confidence < 0
               ? "speech recognition"
               : "speech recognition, " +
                     std::to_string(static_cast<int>(t.confidence * 100 + 0.5)) + "% confident";
  if (t.origin == "external")
    return "external transcriber";
  return t.origin;
}

} // namespace vfb::text
