// Quoted phrases in a text: a phrase is a run of stems (`word_stems`), so "Black, rock!" holds
// the phrase "black rock" (punctuation and case are not words) and "volcanoes erupt" holds
// "volcano erupt". Search checks its hits with `contains_phrase`; text::marked_snippet marks
// them (with `phrase_starts`).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vfb::text {

/// The indices in `words` where `phrase` starts as consecutive words, ascending; overlapping
/// occurrences are all listed ("a a a" holds "a a" at 0 and 1). None for an empty phrase.
std::vector<size_t> phrase_starts(const std::vector<std::string>& words,
                                  const std::vector<std::string>& phrase);

/// Whether the words of `text` (`word_stems`) hold `phrase` (stems) as consecutive words. An
/// empty phrase is in no text.
bool contains_phrase(std::string_view text, const std::vector<std::string>& phrase);

} // namespace vfb::text
