// BM25 relevance scoring (pure formulas; the memory store supplies the counts).
#pragma once

#include <cstdint>

namespace vfb::text {

struct bm25_params {
  double k1 = 1.2;
  double b = 0.75;
};

/// Inverse document frequency, never negative: ln(1 + (N - df + 0.5) / (df + 0.5)); a df above
/// N counts as N.
double bm25_idf(uint64_t documents, uint64_t document_frequency);

/// One query term's contribution to documents' scores, with what does not depend on the
/// document computed once (a search scores hundreds of thousands of postings per term):
/// idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average)); 0 when tf is 0.
class bm25_scorer {
public:
  bm25_scorer(double idf, double average_length, const bm25_params& p = {});
  double operator()(double term_frequency, double document_length) const {
    if (term_frequency <= 0)
      return 0;
    return weight_ * term_frequency / (term_frequency + base_ + slope_ * document_length);
  }
  /// Whether the score is at most `floor`, without the division: a search's inner loop
  /// asks this of most postings. Agrees with `operator() <= floor` but for ties within
  /// rounding, which callers give a margin.
  bool at_most(double term_frequency, double document_length, double floor) const {
    return weight_ * term_frequency <= floor * (term_frequency + base_ + slope_ * document_length);
  }

private:
  double weight_; // idf * (k1 + 1)
  double base_;   // k1 * (1 - b), or k1 without an average length
  double slope_;  // k1 * b / average
};

/// The same for a single document.
double bm25_term(double term_frequency, double document_length, double average_length, double idf,
                 const bm25_params& p = {});

} // namespace vfb::text
