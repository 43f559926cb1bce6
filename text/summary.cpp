#include "text/summary.hpp"

#include "text/tokenizer.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace vfb::text {

namespace {

constexpr size_t long_sentence = 60;
constexpr size_t window = 25;
constexpr size_t short_sentence = 4;

/// Cuts an unpunctuated run of words into windows of `window` words (by byte offsets, so the
/// words keep their original spelling).
std::vector<std::string> windows(const std::string& sentence) {
  auto tokens = tokenize(sentence);
  std::vector<std::string> out;
  for (size_t i = 0; i < tokens.size(); i += window) {
    auto last = std::min(tokens.size(), i + window) - 1;
    auto from = tokens[i].offset;
    auto to = tokens[last].offset + tokens[last].length;
    out.push_back(sentence.substr(from, to - from));
  }
  return out;
}

} // namespace

std::vector<std::string> summarize(const std::vector<std::string>& sentences,
                                   size_t max_sentences) {
  std::map<std::string, double> freq;
  std::vector<std::vector<std::string>> words;
  for (auto& s : sentences) {
    words.push_back(content_terms(s));
    for (auto& w : words.back())
      freq[w] += 1;
  }
  struct scored {
    size_t index;
    bool too_short;
    double score;
  };
  std::vector<scored> all;
  for (size_t i = 0; i < sentences.size(); ++i) {
    auto& ws = words[i];
    double sum = 0;
    for (auto& w : ws)
      sum += freq[w];
    all.push_back({i, terms(sentences[i]).size() < short_sentence,
                   ws.empty() ? 0 : sum / static_cast<double>(ws.size())});
  }
  std::stable_sort(all.begin(), all.end(), [](const scored& a, const scored& b) {
    if (a.too_short != b.too_short)
      return !a.too_short;
    return a.score > b.score;
  });
  if (all.size() > max_sentences)
    all.resize(max_sentences);
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.index < b.index; });
  std::vector<std::string> out;
  for (auto& s : all)
    out.push_back(sentences[s.index]);
  return out;
}

std::vector<std::string> summarize_text(std::string_view text, size_t max_sentences) {
  std::vector<std::string> units;
  for (auto& s : sentences(text)) {
    if (terms(s).size() > long_sentence) {
      auto w = windows(s);
      units.insert(units.end(), w.begin(), w.end());
    } else {
      units.push_back(s);
    }
  }
  return summarize(units, max_sentences);
}

} // namespace vfb::text
