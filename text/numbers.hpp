// Whole-string number parsing for everything that reads numbers from people: the config file,
// command-line options and ids, the HTTP API's query and body fields. One definition, so "12x",
// "" and out-of-range values are refused the same way everywhere. Pure code: no CAF.
#pragma once

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vfb::text {

/// The whole of `s` as a decimal integer: leading whitespace and one sign (as strtoll takes
/// them), then digits and nothing after. nullopt for anything else, and for values outside
/// int64_t (callers report those as "not a number", not as "out of range").
inline std::optional<int64_t> parse_int(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-')
      return std::nullopt;
  }
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return n;
}

/// parse_int, and only when the value is within [lo, hi].
inline std::optional<int64_t> parse_int_in(std::string_view s, int64_t lo, int64_t hi) {
  auto n = parse_int(s);
  if (!n || *n < lo || *n > hi)
    return std::nullopt;
  return n;
}

/// An id as people type it: digits only, not zero. nullopt otherwise (ids never exceed 64
/// bits; a longer number is not an id).
inline std::optional<uint64_t> parse_id(std::string_view s) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || n == 0)
    return std::nullopt;
  return n;
}

} // namespace vfb::text
