#include "text/chunker.hpp"

#include "text/strings.hpp"
#include "text/tokenizer.hpp"

#include <algorithm>

namespace vfb::text {

namespace {
std::string trimmed(const std::string& s) {
  return std::string(trim(s));
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
    // The next chunk repeats trailing segments of this one, as many as bring the repeated text
    // closest to `overlap`. It always starts after this chunk's first segment and leaves room
    // for the first new segment, so every chunk says something new and chunking ends even
    // when the overlap is as large as the target.
    size_t next = end;
    size_t kept = 0; // characters repeated, separators included
    while (next > begin + 1) {
      auto add = segs[next - 1].text.size() + 1;
      if (2 * kept + add >= 2 * overlap || kept + add + segs[end].text.size() > target)
        break;
      kept += add;
      --next;
    }
    begin = next;
  }
  return out;
}

} // namespace vfb::text
