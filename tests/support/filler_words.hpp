// Words no test query stems to, for padding texts (the text tests' windows and caps).
#pragma once

#include <string>

namespace vfb::test {

/// "filler0x filler1x ..." with `n` distinct words starting at `first`.
inline std::string filler(int n, int first = 0) {
  std::string out;
  for (int i = first; i < first + n; ++i)
    out += "filler" + std::to_string(i) + "x ";
  return out;
}

} // namespace vfb::test
