// text::contains_phrase and phrase_spans: consecutive stems in the tokenizer's words.
#include "text/phrase.hpp"

#include "text/stemmer.hpp"
#include "text/tokenizer.hpp"

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

std::vector<std::pair<size_t, size_t>> phrase_spans(std::string_view text,
                                                    const std::vector<std::string>& phrase) {
  std::vector<std::pair<size_t, size_t>> out;
  if (phrase.empty())
    return out;
  auto tokens = tokenize(text);
  std::vector<std::string> words;
  words.reserve(tokens.size());
  for (auto& t : tokens)
    words.push_back(stem(t.term));
  for (auto i : phrase_starts(words, phrase)) {
    auto& last = tokens[i + phrase.size() - 1];
    out.emplace_back(tokens[i].offset, last.offset + last.length);
  }
  return out;
}

} // namespace vfb::text
