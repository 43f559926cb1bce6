// Which words are nouns, from WordNet (see word_classes.hpp).
#include "text/word_classes.hpp"

#include "text/strings.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace vfb::text {

namespace {

const char* const file_part[] = {"noun", "verb", "adj", "adv"};

/// WordNet's detachment rules (morphy): an ending and what replaces it, per part of speech.
const std::vector<std::pair<std::string_view, std::string_view>> rules[] = {
    {{"s", ""},
     {"ses", "s"},
     {"xes", "x"},
     {"zes", "z"},
     {"ches", "ch"},
     {"shes", "sh"},
     {"men", "man"},
     {"ies", "y"}},
    {{"s", ""},
     {"ies", "y"},
     {"es", "e"},
     {"es", ""},
     {"ed", "e"},
     {"ed", ""},
     {"ing", "e"},
     {"ing", ""}},
    {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}},
    {},
};

} // namespace

word_classes::word_classes(const std::filesystem::path& dir) {
  for (int p = 0; p < parts; ++p) {
    // index.POS: "lemma pos synset_cnt p_cnt [ptr...] sense_cnt tagsense_cnt offsets..."
    std::ifstream index{dir / (std::string{"index."} + file_part[p])};
    for (std::string line; std::getline(index, line);) {
      if (line.empty() || line[0] == ' ')
        continue; // the licence at the top
      std::istringstream in{line};
      std::string lemma, pos;
      int synsets = 0, pointers = 0;
      in >> lemma >> pos >> synsets >> pointers;
      for (int i = 0; i < pointers; ++i)
        in >> pos;
      int senses = 0, tagged = 0;
      if (in >> senses >> tagged)
        index_[p][lemma] = tagged;
    }
    // POS.exc: "form lemma [lemma...]"
    std::ifstream exc{dir / (std::string{file_part[p]} + ".exc")};
    for (std::string line; std::getline(exc, line);) {
      std::istringstream in{line};
      std::string form, lemma;
      in >> form;
      while (in >> lemma)
        exceptions_[p][form].push_back(lemma);
    }
    loaded_ = loaded_ || !index_[p].empty();
  }
}

const word_classes& word_classes::system() {
  static const word_classes wordnet{"/usr/share/wordnet"};
  return wordnet;
}

int word_classes::score(std::string_view word, part p) const {
  int best = -1;
  auto consider = [&](const std::string& lemma) {
    if (auto it = index_[p].find(lemma); it != index_[p].end())
      best = std::max(best, it->second);
  };
  std::string w{word};
  consider(w);
  if (auto it = exceptions_[p].find(w); it != exceptions_[p].end())
    for (const auto& lemma : it->second)
      consider(lemma);
  for (const auto& [end, with] : rules[p])
    if (word.size() > end.size() && text::ends_with(word, end)) // something must be left
      consider(std::string{word.substr(0, word.size() - end.size())} + std::string{with});
  return best;
}

word_kind word_classes::kind_of(std::string_view word) const {
  if (!loaded_)
    return word_kind::unknown;
  // WordNet's tagged-sense counts are small and noisy (a "telescope" was tagged as a verb once
  // and never as a noun): a word that can be a noun is one unless another use is clearly more
  // common ("saw": see 18, saw 0; "old": 4 to 0; "black": 8 to 1).
  constexpr int clearly = 3;
  const word_kind others[] = {word_kind::verb, word_kind::adjective, word_kind::adverb};
  auto as_noun = score(word, noun);
  auto best = word_kind::unknown;
  int best_score = -1;
  for (int p = verb; p < parts; ++p)
    if (auto sc = score(word, static_cast<part>(p)); sc > best_score) {
      best_score = sc;
      best = others[p - verb];
    }
  if (as_noun >= 0 && best_score < as_noun + clearly)
    return word_kind::noun;
  return best;
}

} // namespace vfb::text
