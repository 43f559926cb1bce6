// Which words are nouns: topics and key phrases are things ("lava", "black rock"), not what was
// done or how ("brought", "saw", "old", "either"), and in a noisy transcript the other words
// are mostly recognition errors. Read from WordNet (Debian's wordnet-base), whose index gives
// each lemma's parts of speech and how often each sense was seen in its tagged corpus; an
// inflected word is taken back to its lemmas with WordNet's own rules and exception lists
// ("saw" -> "see", "brought" -> "bring", "volcanoes" -> "volcano"). Pure code (no CAF).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vfb::text {

/// What a word is used as most often.
enum class word_kind { noun, verb, adjective, adverb, unknown };

class word_classes {
public:
  /// Reads WordNet's index and exception files from `dir`; a missing dir leaves it empty.
  explicit word_classes(const std::filesystem::path& dir);

  /// WordNet from wordnet-base (/usr/share/wordnet), read once; empty when not installed.
  static const word_classes& system();

  /// Whether WordNet was found.
  bool loaded() const { return loaded_; }

  /// What `word` (lower case) is used as: a noun when it can be one and no other use is
  /// clearly more common in WordNet's tagged corpus, else its most common use; unknown for
  /// words WordNet does not know (names, new words) and for every word when it is not loaded.
  word_kind kind_of(std::string_view word) const;

  /// A noun, or a word WordNet does not know (a name is a fine topic).
  bool noun_like(std::string_view word) const {
    auto k = kind_of(word);
    return k == word_kind::noun || k == word_kind::unknown;
  }

private:
  enum part { noun, verb, adj, adv, parts };
  /// The highest tagged-sense count of the word's lemmas as `p`; -1 when it is no `p` at all.
  int score(std::string_view word, part p) const;

  bool loaded_ = false;
  std::unordered_map<std::string, int> index_[parts];                           // lemma -> count
  std::unordered_map<std::string, std::vector<std::string>> exceptions_[parts]; // form -> lemmas
};

} // namespace vfb::text
