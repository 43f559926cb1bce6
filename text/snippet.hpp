// The passage of a text to show for a search hit: about `width` bytes around the place where
// most of the query's words are, cut at word boundaries, with the matched words marked so that a
// front end can highlight them. Pure text work (no storage): the memory store calls it for each
// hit it returns.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vfb::text {

/// A passage with the byte ranges of its matched words.
struct marked_text {
  std::string text;                             // the passage
  std::vector<std::pair<size_t, size_t>> marks; // [begin, end) in `text`, ascending, disjoint
};

/// About `width` bytes of `text` around the best place: the window holding the most distinct
/// phrases of `phrases` (occurrences inside it), then the most distinct matched stems, earliest on
/// ties; with some context before its first match. Matched words are those whose `stem()` is one
/// of `stems`; every occurrence of one of `phrases` (stems, see text/phrase.hpp) in the passage is
/// marked as one range (overlapping marks merge). Cut at word boundaries, with "…" where text was
/// left out; white space runs become one space (the marks refer to the returned text). Without a
/// match, the start of the text.
marked_text marked_snippet(std::string_view text, const std::vector<std::string>& stems,
                           const std::vector<std::vector<std::string>>& phrases = {},
                           size_t width = 200);

/// `m.text` with `open` and `close` around each mark: "**" for Discord, "\x1b[1m" and "\x1b[0m"
/// for a terminal. Nothing is escaped; marks that are out of order or out of range are skipped.
std::string render_marks(const marked_text& m, std::string_view open, std::string_view close);

} // namespace vfb::text
