#include "text/topics.hpp"

#include "text/ranking.hpp"
#include "text/tokenizer.hpp"
#include "text/word_classes.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace vfb::text {

namespace {

constexpr size_t short_text = 50; // content terms

} // namespace

std::vector<std::string> document_terms(std::string_view text) {
  auto all = content_terms(text);
  std::set<std::string> distinct(all.begin(), all.end());
  return {distinct.begin(), distinct.end()};
}

std::vector<weighted_term> topics(std::string_view text, const corpus_stats& corpus, size_t max,
                                  std::string_view context) {
  auto terms = content_terms(text);
  auto about = content_terms(context);
  std::set<std::string> named(about.begin(), about.end());
  const auto& classes = word_classes::system();
  std::map<std::string, int> tf;
  for (auto& t : terms)
    ++tf[t];
  // In a long text a word said once is noise, not a topic.
  int min_tf = terms.size() >= short_text ? 2 : 1;
  auto n = static_cast<double>(corpus.documents);
  std::vector<weighted_term> out;
  for (auto& [term, count] : tf) {
    if (count < min_tf || !classes.noun_like(term) || is_filler_word(term))
      continue;
    auto it = corpus.document_frequency.find(term);
    // A count above N (stats updated out of step) is read as "in every document", so the idf
    // never falls below 1 and no weight turns negative.
    double df = it == corpus.document_frequency.end() ? 0 : static_cast<double>(it->second);
    df = std::min(df, n);
    double idf = std::log((n + 1) / (df + 1)) + 1;
    auto weight = (1 + std::log(static_cast<double>(count))) * idf;
    out.push_back({term, named.count(term) != 0 ? 2 * weight : weight});
  }
  keep_best(out, max);
  return out;
}

} // namespace vfb::text
