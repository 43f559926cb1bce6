// Ordering weighted terms the same way everywhere: heaviest first, ties alphabetical.
#pragma once

#include "messages/media.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace vfb::text {

/// Sorts `terms` best first (ties alphabetical, so results are deterministic) and keeps `max`.
inline void keep_best(std::vector<weighted_term>& terms, size_t max) {
  std::sort(terms.begin(), terms.end(), [](const weighted_term& a, const weighted_term& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.term < b.term;
  });
  if (terms.size() > max)
    terms.resize(max);
}

/// The terms alone, in their order.
inline std::vector<std::string> terms_of(const std::vector<weighted_term>& terms) {
  std::vector<std::string> out;
  for (const auto& t : terms)
    out.push_back(t.term);
  return out;
}

} // namespace vfb::text
