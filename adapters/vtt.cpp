#include "adapters/vtt.hpp"

#include "text/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>

namespace vfb {

namespace {
using text::trim;

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

/// `s` as a number if it is `min` to `max` digits.
std::optional<int64_t> number(std::string_view s, size_t min, size_t max) {
  if (s.size() < min || s.size() > max)
    return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

/// "hh:mm:ss.ttt" or "mm:ss.ttt" in milliseconds. Minutes and seconds take two digits and the
/// fraction three, as the WebVTT spec says; hours one or more (some tools write "0:00:01.000").
std::optional<int64_t> parse_time(std::string_view s) {
  auto dot = s.find('.');
  if (dot == std::string_view::npos)
    return std::nullopt;
  std::vector<std::string_view> fields;
  for (auto clock = s.substr(0, dot);;) {
    auto colon = clock.find(':');
    fields.push_back(clock.substr(0, colon));
    if (colon == std::string_view::npos)
      break;
    clock.remove_prefix(colon + 1);
  }
  if (fields.size() < 2 || fields.size() > 3)
    return std::nullopt;
  auto h = fields.size() == 3 ? number(fields[0], 1, 9) : int64_t{0};
  auto m = number(fields[fields.size() - 2], 2, 2);
  auto sec = number(fields.back(), 2, 2);
  auto ms = number(s.substr(dot + 1), 3, 3);
  if (!h || !m || !sec || !ms || *m > 59 || *sec > 59)
    return std::nullopt;
  return ((*h * 60 + *m) * 60 + *sec) * 1000 + *ms;
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

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

/// The text an entity's name ("amp", "#39", "#x41") stands for; nullopt when it is not one
/// (then the text is kept as written).
std::optional<std::string> entity(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> named[] = {
      {"amp", "&"},  {"lt", "<"},   {"gt", ">"}, {"quot", "\""},
      {"apos", "'"}, {"nbsp", " "}, // a plain space: the text is for reading and searching
      {"lrm", ""},   {"rlm", ""},   // direction marks carry no text
  };
  for (auto& [n, text] : named)
    if (name == n)
      return std::string{text};
  if (name.size() < 2 || name[0] != '#')
    return std::nullopt;
  bool hex = name[1] == 'x' || name[1] == 'X';
  auto digits = name.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 6)
    return std::nullopt;
  uint32_t cp = 0;
  for (char c : digits) {
    auto u = static_cast<unsigned char>(c);
    if (std::isdigit(u))
      cp = cp * (hex ? 16 : 10) + (u - '0');
    else if (hex && std::isxdigit(u))
      cp = cp * 16 + (std::tolower(u) - 'a' + 10);
    else
      return std::nullopt;
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return std::nullopt; // not a character
  std::string out;
  append_utf8(out, cp);
  return out;
}

/// Whether `raw[i]` ('<') opens a tag: <c>, </c>, <00:00:01.520>, <v Speaker>, <i>, ... A '<'
/// that opens none ("a < b", which should have been "&lt;") is text.
size_t tag_end(std::string_view raw, size_t i) {
  if (i + 1 >= raw.size())
    return std::string_view::npos;
  auto next = static_cast<unsigned char>(raw[i + 1]);
  if (!std::isalnum(next) && next != '/')
    return std::string_view::npos;
  return raw.find('>', i);
}

/// Cue text without tags and with entities decoded, white space collapsed.
std::string clean(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '<') {
      if (auto close = tag_end(raw, i); close != std::string_view::npos) {
        i = close;
        continue;
      }
    } else if (c == '&') {
      auto semi = raw.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        if (auto text = entity(raw.substr(i + 1, semi - i - 1))) {
          out += *text;
          i = semi;
          continue;
        }
      }
    }
    out.push_back(c);
  }
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

/// How many leading lines of `cue` repeat the last lines of `previous`: roll-up captions
/// (YouTube's automatic ones, broadcast ones) show the lines said before above the new one.
size_t rolled_over(const std::vector<std::string>& previous, const std::vector<std::string>& cue) {
  for (auto k = std::min(previous.size(), cue.size()); k > 0; --k)
    if (std::equal(cue.begin(), cue.begin() + k, previous.end() - k))
      return k;
  return 0;
}

std::string join(const std::vector<std::string>& lines, size_t from) {
  std::string out;
  for (size_t k = from; k < lines.size(); ++k)
    out += (out.empty() ? "" : " ") + lines[k];
  return out;
}

/// Folds cues into segments as they come, each spoken line once.
class folder {
public:
  explicit folder(std::vector<transcript_segment>& out) : out_(out) {}

  void add(int64_t start, int64_t end, std::vector<std::string> lines) {
    if (lines.empty())
      return; // a cue without text (YouTube's first cue is often a lone space)
    auto rolled = rolled_over(previous_, lines);
    if (rolled < lines.size()) {
      emit(start, end, join(lines, rolled));
    } else if (!out_.empty() && start <= out_.back().end_ms + held_slack_ms) {
      // Nothing new, straight after the line it repeats: the line is held on screen (YouTube's
      // 10 ms transition cues; a line split across cues). It lasts longer; it is not said again.
      out_.back().end_ms = std::max(out_.back().end_ms, end);
    } else {
      emit(start, end, join(lines, 0)); // the same words again, after a pause: said again
    }
    previous_ = std::move(lines);
  }

private:
  static constexpr int64_t held_slack_ms = 20;

  void emit(int64_t start, int64_t end, std::string text) {
    // Segments never overlap: a cue that starts before the previous one ends cuts it short.
    if (!out_.empty() && start < out_.back().end_ms && start >= out_.back().start_ms)
      out_.back().end_ms = start;
    out_.push_back({start, end, std::move(text)});
  }

  std::vector<transcript_segment>& out_;
  std::vector<std::string> previous_; // text lines of the last cue with text
};

} // namespace

vtt_captions parse_vtt(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF")
    text.remove_prefix(3);
  auto lines = split_lines(text);
  auto first = trim(lines[0]);
  if (first.substr(0, 6) != "WEBVTT" || (first.size() > 6 && first[6] != ' ' && first[6] != '\t'))
    throw vtt_error("not a WebVTT file: line 1 is '" + std::string{first.substr(0, 40)} +
                    "', not 'WEBVTT'");
  vtt_captions out;
  folder fold{out.segments};
  size_t first_bad_line = 0;
  size_t cues = 0;
  size_t i = 1;
  // Header fields ("Kind: captions", "Language: en") run until the first empty line; a timing
  // line right below them (no empty line, against the spec) starts the cues anyway.
  while (i < lines.size() && !lines[i].empty() && lines[i].find("-->") == std::string_view::npos)
    ++i;
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
    auto starts = [&](std::string_view word) {
      return head.substr(0, word.size()) == word &&
             (head.size() == word.size() ||
              std::isspace(static_cast<unsigned char>(head[word.size()])));
    };
    if (starts("NOTE") || starts("STYLE") || starts("REGION"))
      continue;
    // An optional identifier line, then the timing line.
    size_t timing_at = head.find("-->") != std::string_view::npos ? block : block + 1;
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
    std::vector<std::string> cue_lines;
    for (size_t k = timing_at + 1; k < i; ++k)
      if (auto line = clean(lines[k]); !line.empty())
        cue_lines.push_back(std::move(line));
    fold.add(timing->first, timing->second, std::move(cue_lines));
  }
  if (cues > 0 && cues == out.skipped_cues)
    throw vtt_error("no cue has valid timings (line " + std::to_string(first_bad_line) + ": '" +
                    std::string{trim(lines[first_bad_line - 1]).substr(0, 60)} +
                    "'; expected 'hh:mm:ss.ttt --> hh:mm:ss.ttt')");
  return out;
}

std::string transcript_text(const std::vector<transcript_segment>& segments) {
  std::string out;
  for (auto& s : segments)
    out += (out.empty() ? "" : " ") + s.text;
  return out;
}

} // namespace vfb
