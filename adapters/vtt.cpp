#include "adapters/vtt.hpp"

#include <cctype>
#include <cstdlib>
#include <optional>

namespace vfb {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    auto eol = text.find('\n', start);
    auto line =
        text.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    lines.push_back(line);
    if (eol == std::string_view::npos)
      break;
    start = eol + 1;
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

/// "hh:mm:ss.ttt" or "mm:ss.ttt" in milliseconds.
std::optional<int64_t> parse_time(std::string_view s) {
  int64_t parts[3] = {0, 0, 0};
  int n = 0;
  size_t i = 0;
  for (;;) {
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      ++i;
    if (i == start || n == 3)
      return std::nullopt;
    parts[n++] = std::strtoll(std::string{s.substr(start, i - start)}.c_str(), nullptr, 10);
    if (i < s.size() && s[i] == ':') {
      ++i;
      continue;
    }
    break;
  }
  if (n < 2 || i + 4 != s.size() || s[i] != '.')
    return std::nullopt;
  for (size_t k = i + 1; k < s.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(s[k])))
      return std::nullopt;
  int64_t ms = std::strtoll(std::string{s.substr(i + 1)}.c_str(), nullptr, 10);
  int64_t h = n == 3 ? parts[0] : 0, m = parts[n - 2], sec = parts[n - 1];
  if (m > 59 || sec > 59)
    return std::nullopt;
  return ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

/// "start --> end [settings]"; nullopt when the line is not a valid timing line.
std::optional<std::pair<int64_t, int64_t>> parse_timing(std::string_view line) {
  auto arrow = line.find("-->");
  if (arrow == std::string_view::npos)
    return std::nullopt;
  auto start = parse_time(trim(line.substr(0, arrow)));
  auto rest = trim(line.substr(arrow + 3));
  auto end = parse_time(rest.substr(0, rest.find_first_of(" \t")));
  if (!start || !end || *end < *start)
    return std::nullopt;
  return std::make_pair(*start, *end);
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x110000) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

/// Cue text without tags (<c>, <00:00:01.520>, <v Speaker>, <i>, ...) and with entities
/// decoded, white space collapsed.
std::string clean(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '<') {
      auto close = raw.find('>', i);
      if (close == std::string_view::npos)
        break;
      i = close;
      continue;
    }
    if (c == '&') {
      auto semi = raw.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        auto name = raw.substr(i + 1, semi - i - 1);
        std::optional<unsigned long> cp;
        if (name == "amp")
          cp = '&';
        else if (name == "lt")
          cp = '<';
        else if (name == "gt")
          cp = '>';
        else if (name == "quot")
          cp = '"';
        else if (name == "apos")
          cp = '\'';
        else if (name == "nbsp")
          cp = ' ';
        else if (name.size() > 1 && name[0] == '#') {
          bool hex = name[1] == 'x' || name[1] == 'X';
          auto digits = std::string{name.substr(hex ? 2 : 1)};
          char* end = nullptr;
          auto v = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
          if (!digits.empty() && end != nullptr && *end == '\0')
            cp = v;
        }
        if (cp) {
          append_utf8(out, *cp);
          i = semi;
          continue;
        }
      }
    }
    out.push_back(c);
  }
  // Collapse white space.
  std::string collapsed;
  bool space = false;
  for (char c : out) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !collapsed.empty();
      continue;
    }
    if (space)
      collapsed.push_back(' ');
    space = false;
    collapsed.push_back(c);
  }
  return collapsed;
}

} // namespace

vtt_captions parse_vtt(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF")
    text.remove_prefix(3);
  auto lines = split_lines(text);
  auto first = trim(lines.empty() ? std::string_view{} : lines[0]);
  if (first.substr(0, 6) != "WEBVTT" || (first.size() > 6 && first[6] != ' ' && first[6] != '\t'))
    throw vtt_error("not a WebVTT file (line 1 is '" + std::string{first.substr(0, 40)} + "')");
  vtt_captions out;
  std::string last_line; // the newest line emitted: rolling cues repeat it
  size_t first_bad_line = 0;
  size_t cues = 0;
  size_t i = 1;
  while (i < lines.size() && !lines[i].empty())
    ++i; // header fields ("Kind: captions", "Language: en") run until the first empty line
  while (i < lines.size()) {
    // A block runs until an empty line (YouTube's cues contain lines of one space: not empty).
    while (i < lines.size() && lines[i].empty())
      ++i;
    size_t block = i;
    while (i < lines.size() && !lines[i].empty())
      ++i;
    if (block == i)
      break;
    auto head = trim(lines[block]);
    if (head.substr(0, 4) == "NOTE" || head.substr(0, 5) == "STYLE" ||
        head.substr(0, 6) == "REGION")
      continue;
    // An optional identifier line, then the timing line.
    size_t timing_at = head.find("-->") != std::string::npos ? block : block + 1;
    if (timing_at >= i)
      continue; // a lone line: not a cue
    ++cues;
    auto timing = parse_timing(trim(lines[timing_at]));
    if (!timing) {
      ++out.skipped_cues;
      if (first_bad_line == 0)
        first_bad_line = timing_at + 1;
      continue;
    }
    std::string fresh;
    for (size_t k = timing_at + 1; k < i; ++k) {
      auto line = clean(lines[k]);
      if (line.empty() || line == last_line)
        continue;
      fresh += (fresh.empty() ? "" : " ") + line;
      last_line = line;
    }
    if (!fresh.empty())
      out.segments.push_back({timing->first, timing->second, fresh});
  }
  if (cues > 0 && cues == out.skipped_cues)
    throw vtt_error("no cue has valid timings (line " + std::to_string(first_bad_line) + ": '" +
                    std::string{trim(lines[first_bad_line - 1]).substr(0, 60)} + "')");
  return out;
}

std::string transcript_text(const std::vector<transcript_segment>& segments) {
  std::string out;
  for (auto& s : segments)
    out += (out.empty() ? "" : " ") + s.text;
  return out;
}

} // namespace vfb
