#include "text/bm25.hpp"

#include <cmath>

namespace vfb::text {

double bm25_idf(uint64_t documents, uint64_t df) {
  auto n = static_cast<double>(documents);
  auto d = static_cast<double>(df);
  return std::log(1.0 + (n - d + 0.5) / (d + 0.5));
}

double bm25_term(double tf, double length, double average, double idf, const bm25_params& p) {
  if (tf <= 0)
    return 0;
  auto norm = average > 0 ? length / average : 1.0;
  return idf * tf * (p.k1 + 1) / (tf + p.k1 * (1 - p.b + p.b * norm));
}

} // namespace vfb::text
