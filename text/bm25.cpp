#include "text/bm25.hpp"

#include <algorithm>
#include <cmath>

namespace vfb::text {

double bm25_idf(uint64_t documents, uint64_t df) {
  auto n = static_cast<double>(documents);
  auto d = static_cast<double>(std::min(df, documents)); // stale counts must not make it NaN
  return std::log(1.0 + (n - d + 0.5) / (d + 0.5));
}

bm25_scorer::bm25_scorer(double idf, double average, const bm25_params& p)
    : weight_(idf * (p.k1 + 1)) {
  // Without an average length (no documents yet) every document counts as average.
  if (average > 0) {
    base_ = p.k1 * (1 - p.b);
    slope_ = p.k1 * p.b / average;
  } else {
    base_ = p.k1;
    slope_ = 0;
  }
}

double bm25_term(double tf, double length, double average, double idf, const bm25_params& p) {
  return bm25_scorer{idf, average, p}(tf, length);
}

} // namespace vfb::text
