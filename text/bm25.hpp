// BM25 relevance scoring (pure formulas; the memory store supplies the counts).
#pragma once

#include <cstdint>

namespace vfb::text {

struct bm25_params {
  double k1 = 1.2;
  double b = 0.75;
};

/// Inverse document frequency, never negative: ln(1 + (N - df + 0.5) / (df + 0.5)).
double bm25_idf(uint64_t documents, uint64_t document_frequency);

/// One query term's contribution to a document's score.
double bm25_term(double term_frequency, double document_length, double average_length, double idf,
                 const bm25_params& p = {});

} // namespace vfb::text
