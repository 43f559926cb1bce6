#include "text/summary.hpp"

#include "text/tokenizer.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace vfb::text {

namespace {

constexpr size_t short_sentence = 4; // words; fewer is rarely a readable summary line
constexpr size_t long_sentence = 60; // words; more is a run-on, usually unpunctuated speech
constexpr size_t window_words = 25;

/// Cuts an unpunctuated run of words into windows of about `window_words` words, all of about
/// the same size (61 words give 21 + 20 + 20, not 25 + 25 + 11). Cut by byte offsets, so the
/// words keep their original spelling and inner punctuation.
std::vector<std::string> windows(const std::string& sentence) {
  auto tokens = tokenize(sentence);
  std::vector<std::string> out;
  auto count = (tokens.size() + window_words - 1) / window_words;
  for (size_t w = 0; w < count; ++w) {
    auto first = tokens.size() * w / count, last = tokens.size() * (w + 1) / count - 1;
    auto from = tokens[first].offset;
    auto to = tokens[last].offset + tokens[last].length;
    out.push_back(sentence.substr(from, to - from));
  }
  return out;
}

} // namespace

std::vector<std::string> summarize(const std::vector<std::string>& sentences, size_t max_sentences,
                                   const std::vector<std::string>& topics) {
  std::map<std::string, double> freq;
  std::vector<std::vector<std::string>> said, content; // each sentence's terms, content terms
  for (auto& s : sentences) {
    said.push_back(terms(s));
    content.push_back(content_terms(s));
    for (auto& w : content.back())
      freq[w] += 1;
  }
  const std::set<std::string> wanted(topics.begin(), topics.end());
  struct scored {
    size_t index;
    bool unsuitable; // too short or too long to read well
    double score;
    std::set<std::string> topics; // the topics it carries
  };
  std::vector<scored> all;
  for (size_t i = 0; i < sentences.size(); ++i) {
    auto words = said[i].size();
    double sum = 0;
    std::set<std::string> carried;
    for (auto& w : content[i]) {
      sum += freq[w];
      if (wanted.count(w))
        carried.insert(w);
    }
    // Normalised by all words, not only content words: a sentence padded with filler ("so
    // yeah I mean the volcano you know") says less than a dense one.
    all.push_back({i, words < short_sentence || words > long_sentence,
                   words == 0 ? 0 : sum / static_cast<double>(words), std::move(carried)});
  }
  // Best first; ties go to the earlier sentence.
  std::stable_sort(all.begin(), all.end(), [](const scored& a, const scored& b) {
    if (a.unsuitable != b.unsuitable)
      return !a.unsuitable;
    return a.score > b.score;
  });
  // Captions and speech repeat themselves: a sentence is picked once, however often it is said.
  // Each pick is the best sentence that carries a topic not yet in the summary, so that it
  // covers the topics, not one of them three times; then the best of the rest.
  std::vector<size_t> picked;
  std::set<std::vector<std::string>> seen; // the words of the sentences picked
  std::set<std::string> covered;
  while (picked.size() < max_sentences) {
    const scored* best = nullptr;
    size_t best_new = 0;
    for (const auto& s : all) {
      if (seen.count(said[s.index]))
        continue;
      size_t fresh = 0;
      for (auto& t : s.topics)
        fresh += covered.count(t) == 0;
      if (best == nullptr ||
          (!s.unsuitable && best->unsuitable == s.unsuitable && fresh > best_new)) {
        best = &s;
        best_new = fresh;
      }
    }
    if (best == nullptr)
      break;
    seen.insert(said[best->index]);
    covered.insert(best->topics.begin(), best->topics.end());
    picked.push_back(best->index);
  }
  std::sort(picked.begin(), picked.end());
  std::vector<std::string> out;
  for (auto i : picked)
    out.push_back(sentences[i]);
  return out;
}

std::vector<std::string> summarize_text(std::string_view text, size_t max_sentences,
                                        const std::vector<std::string>& topics) {
  std::vector<std::string> units;
  for (auto& s : sentences(text)) {
    if (terms(s).size() > long_sentence) {
      auto w = windows(s);
      units.insert(units.end(), w.begin(), w.end());
    } else {
      units.push_back(s);
    }
  }
  return summarize(units, max_sentences, topics);
}

} // namespace vfb::text
