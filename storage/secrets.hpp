// The secrets vfb hands out (API tokens, the web page's sessions and CSRF tokens): random bytes
// as text, kept only as a hash. They are 32 random bytes: a hash without a salt or a slow KDF is
// enough, since nobody can guess the input, and it lets a store find a secret with one lookup.
// Plain C++ over libsodium; callers run sodium_init() first (the stores' constructors do).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vfb {

/// Random bytes in a secret.
inline constexpr size_t secret_bytes = 32;

/// `secret_bytes` random bytes as unpadded URL-safe base64 (43 characters).
std::string random_secret();

/// The BLAKE2b-256 hash of a secret's text (32 raw bytes): what is stored instead.
std::string secret_hash(std::string_view text);

} // namespace vfb
