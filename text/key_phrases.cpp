#include "text/key_phrases.hpp"

#include "text/ranking.hpp"
#include "text/tokenizer.hpp"

#include <algorithm>
#include <map>

namespace vfb::text {

namespace {

constexpr size_t max_words = 4;

/// Whether the bytes between two words break a phrase (sentence or clause punctuation).
bool breaks_phrase(std::string_view between) {
  return between.find_first_of(".,;:!?()[]{}\"\n") != std::string_view::npos ||
         between.find(" - ") != std::string_view::npos;
}

bool is_number(const std::string& t) {
  return std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::vector<weighted_term> key_phrases(std::string_view input, size_t max) {
  // Candidate phrases: runs of content words.
  std::vector<std::vector<std::string>> candidates;
  std::vector<std::string> run;
  auto close = [&] {
    // Runs longer than max_words are split into max_words pieces.
    for (size_t i = 0; i < run.size(); i += max_words)
      candidates.emplace_back(run.begin() + i, run.begin() + std::min(run.size(), i + max_words));
    run.clear();
  };
  auto tokens = tokenize(input);
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto& t = tokens[i];
    if (i > 0) {
      auto prev_end = tokens[i - 1].offset + tokens[i - 1].length;
      if (breaks_phrase(input.substr(prev_end, t.offset - prev_end)))
        close();
    }
    if (is_stop_word(t.term) || t.term.size() < 2 || is_number(t.term)) {
      close();
      continue;
    }
    run.push_back(t.term);
  }
  close();
  // Word scores: degree (co-occurrences within phrases, itself included) over frequency.
  std::map<std::string, double> freq, degree;
  for (auto& c : candidates)
    for (auto& w : c) {
      freq[w] += 1;
      degree[w] += static_cast<double>(c.size());
    }
  std::map<std::string, double> phrases;
  std::map<std::string, int> seen;
  for (auto& c : candidates) {
    std::string phrase;
    double score = 0;
    for (auto& w : c) {
      phrase += (phrase.empty() ? "" : " ") + w;
      score += degree[w] / freq[w];
    }
    phrases[phrase] = score;
    ++seen[phrase];
  }
  std::vector<weighted_term> out;
  for (auto& [phrase, score] : phrases)
    // Every time a phrase is said counts: a recurring phrase is what the text is about.
    out.push_back({phrase, score * seen[phrase]});
  keep_best(out, max);
  return out;
}

} // namespace vfb::text
