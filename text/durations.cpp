// The two duration forms (text/durations.hpp): snprintf keeps the zero-padding plain.
#include "text/durations.hpp"

#include <cmath>
#include <cstdio>

namespace vfb::text {

std::string clock_duration(double seconds) {
  if (seconds <= 0)
    return {};
  auto total = static_cast<long long>(std::llround(seconds));
  char buf[32];
  if (total >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", total / 3600, (total / 60) % 60,
                  total % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", total / 60, total % 60);
  return buf;
}

std::string elapsed_duration(int64_t ms) {
  char buf[64];
  if (ms < 1000)
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(ms));
  else if (ms < 60'000)
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  else
    std::snprintf(buf, sizeof buf, "%lld min %02lld s", static_cast<long long>(ms / 60'000),
                  static_cast<long long>((ms / 1000) % 60));
  return buf;
}

} // namespace vfb::text
