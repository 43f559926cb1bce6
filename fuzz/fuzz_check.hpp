// What the fuzz targets share: the input as text, inputs in parts, and property checks that fail
// loudly (libFuzzer then keeps the input as a crash artifact).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace vfb::fuzz {

inline std::string_view text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Aborts naming the property when `holds` is false.
inline void require(bool holds, const char* property) {
  if (!holds) {
    std::fprintf(stderr, "fuzz: property violated: %s\n", property);
    std::abort();
  }
}

/// The input up to the first `separator` and what follows it (all of it and nothing when there
/// is none): how targets that read two things (a key and a value, a header and a body) split it.
inline std::pair<std::string_view, std::string_view> split_once(std::string_view in,
                                                                char separator) {
  auto at = in.find(separator);
  if (at == std::string_view::npos)
    return {in, {}};
  return {in.substr(0, at), in.substr(at + 1)};
}

/// The first byte picks what a target decodes (the seeds carry the byte for their decoder); the
/// rest is the input.
inline std::pair<uint8_t, std::string_view> select(std::string_view in) {
  if (in.empty())
    return {0, in};
  return {static_cast<uint8_t>(in[0]), in.substr(1)};
}

} // namespace vfb::fuzz
