// text::phrase_starts and contains_phrase: consecutive stems in the tokenizer's words.
#include "text/phrase.hpp"

#include "text/stemmer.hpp"

#include <algorithm>
#include <cstddef>

namespace vfb::text {

std::vector<size_t> phrase_starts(const std::vector<std::string>& words,
                                  const std::vector<std::string>& phrase) {
  std::vector<size_t> out;
  if (phrase.empty() || phrase.size() > words.size())
    return out;
  // Every start is tried (no skipping ahead after a partial match), so repeated prefixes such
  // as "a a b" holding "a b" are found.
  for (size_t i = 0; i + phrase.size() <= words.size(); ++i)
    if (std::equal(phrase.begin(), phrase.end(), words.begin() + static_cast<std::ptrdiff_t>(i)))
      out.push_back(i);
  return out;
}

bool contains_phrase(std::string_view text, const std::vector<std::string>& phrase) {
  return !phrase.empty() && !phrase_starts(word_stems(text), phrase).empty();
}

} // namespace vfb::text
