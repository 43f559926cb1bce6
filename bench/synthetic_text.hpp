// Deterministic synthetic speech-like text for the benchmarks (memory_bench,
// search_engines_bench): chunks of ~130 words drawn from a Zipf distribution over a generated
// vocabulary, stop words in between, and queries of 1-4 terms from the same distribution. The
// same seed gives the same vocabulary, chunks and queries on every platform.
#pragma once

#include "text/tokenizer.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace vfb::bench {

/// Deterministic text: a seeded generator (uniform draws done by hand, as std distributions
/// differ between standard libraries).
class text_source {
public:
  static constexpr size_t vocabulary_size = 20'000;

  explicit text_source(uint64_t seed) : rng_(seed) {
    make_vocabulary();
    // Zipf with exponent 1: P(rank r) ~ 1 / r.
    double sum = 0;
    for (size_t r = 1; r <= vocabulary_.size(); ++r)
      cdf_.push_back(sum += 1.0 / static_cast<double>(r));
    for (auto& c : cdf_)
      c /= sum;
  }

  const std::string& word() {
    auto at = std::upper_bound(cdf_.begin(), cdf_.end(), uniform());
    return vocabulary_[std::min<size_t>(at - cdf_.begin(), vocabulary_.size() - 1)];
  }

  /// ~130 words (100-160) with stop words in between, as speech has.
  std::string chunk() {
    static const char* fillers[] = {"the", "and", "of", "to", "is", "that", "it", "we", "so"};
    std::string out;
    for (size_t i = 0, n = 100 + below(61); i < n; ++i) {
      if (below(10) < 3)
        out += std::string{fillers[below(std::size(fillers))]} + " ";
      out += word();
      out += below(12) == 0 ? ". " : " ";
    }
    return out;
  }

  std::string query() {
    std::string q;
    for (size_t i = 0, n = 1 + below(4); i < n; ++i)
      q += word() + " ";
    return q;
  }

private:
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  size_t below(size_t n) { return static_cast<size_t>(rng_() % n); }

  void make_vocabulary() {
    static const char* onsets[] = {"b", "d", "f", "g", "k",  "l",  "m",  "n",  "p",  "r",
                                   "s", "t", "v", "z", "br", "st", "tr", "pl", "gr", "sh"};
    static const char* vowels[] = {"a", "e", "i", "o", "u", "ai", "ou", "ea"};
    static const char* codas[] = {"", "", "n", "r", "s", "t", "l", "m"};
    std::set<std::string> seen;
    while (vocabulary_.size() < vocabulary_size) {
      std::string w;
      for (size_t s = 0, n = 1 + below(3); s < n; ++s)
        w += std::string{onsets[below(std::size(onsets))]} + vowels[below(std::size(vowels))] +
             codas[below(std::size(codas))];
      // Only words the index keeps as they are (no stop words, nothing too short).
      if (w.size() < 3 || text::content_terms(w) != std::vector<std::string>{w} ||
          !seen.insert(w).second)
        continue;
      vocabulary_.push_back(w);
    }
  }

  std::mt19937_64 rng_;
  std::vector<std::string> vocabulary_;
  std::vector<double> cdf_;
};

} // namespace vfb::bench
