// The passage of a text to show for a search hit: about `width` bytes around the first
// occurrence of a query term, cut at word boundaries. Pure text work (no storage): the memory
// store calls it for each hit it returns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfb::text {

/// About `width` bytes of `text` around the first occurrence of one of `terms` (content terms,
/// as the tokenizer spells them), cut at word boundaries, with "…" where text was left out.
/// Without an occurrence, the start of the text. White space runs become one space.
std::string snippet(std::string_view text, const std::vector<std::string>& terms,
                    size_t width = 200);

} // namespace vfb::text
