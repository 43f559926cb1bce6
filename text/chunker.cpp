#include "text/chunker.hpp"

#include "text/tokenizer.hpp"

#include <algorithm>

namespace vfb::text {

namespace {

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

/// Splits an overlong segment into pieces of at most `target` characters at word boundaries,
/// with times in proportion to the characters before each piece.
std::vector<transcript_segment> split_long(const transcript_segment& s, size_t target) {
  std::vector<transcript_segment> out;
  auto tokens = tokenize(s.text);
  auto duration = s.end_ms - s.start_ms;
  auto total = static_cast<double>(s.text.size());
  auto time_at = [&](size_t offset) {
    return s.start_ms + static_cast<int64_t>(duration * (static_cast<double>(offset) / total));
  };
  size_t from = 0; // byte offset of the piece's start
  size_t i = 0;
  while (i < tokens.size()) {
    size_t j = i;
    // Take words while the piece fits (always at least one word).
    while (j + 1 < tokens.size() && tokens[j + 1].offset + tokens[j + 1].length - from <= target)
      ++j;
    auto to = (j + 1 < tokens.size()) ? tokens[j + 1].offset : s.text.size();
    out.push_back({time_at(from), j + 1 < tokens.size() ? time_at(to) : s.end_ms,
                   trimmed(s.text.substr(from, to - from))});
    from = to;
    i = j + 1;
  }
  return out;
}

} // namespace

std::vector<transcript_chunk> chunk_transcript(const std::vector<transcript_segment>& input,
                                               size_t target, size_t overlap) {
  // Clean segments; overlong ones cut down.
  std::vector<transcript_segment> segs;
  for (auto& s : input) {
    auto t = trimmed(s.text);
    if (t.empty())
      continue;
    transcript_segment clean{s.start_ms, s.end_ms, t};
    if (t.size() > 2 * target) {
      auto pieces = split_long(clean, target);
      segs.insert(segs.end(), pieces.begin(), pieces.end());
    } else {
      segs.push_back(std::move(clean));
    }
  }
  std::vector<transcript_chunk> out;
  size_t begin = 0;
  while (begin < segs.size()) {
    size_t end = begin; // one past the chunk's last segment
    size_t chars = 0;
    while (end < segs.size()) {
      auto add = segs[end].text.size() + (end > begin ? 1 : 0);
      if (end > begin && chars + add > target)
        break;
      chars += add;
      ++end;
    }
    transcript_chunk c{segs[begin].start_ms, segs[end - 1].end_ms, {}};
    for (size_t k = begin; k < end; ++k)
      c.text += (k > begin ? " " : "") + segs[k].text;
    out.push_back(std::move(c));
    if (end == segs.size())
      break;
    // The next chunk repeats the trailing segments that fit in the overlap, but always starts
    // after this chunk's first segment.
    size_t next = end;
    size_t kept = 0;
    while (next > begin + 1 && kept + segs[next - 1].text.size() + 1 <= overlap) {
      kept += segs[next - 1].text.size() + 1;
      --next;
    }
    begin = next;
  }
  return out;
}

} // namespace vfb::text
