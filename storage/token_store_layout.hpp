// The token store's keys and records, apart from the store so that the decoder can be tested and
// fuzzed on bytes alone (fuzz/). Private to storage/ (and the fuzz targets).
//   tokens  be64 id -> token record (the id is the key)
#pragma once

#include "storage/token_store.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace vfb::token_layout {

std::string id_key(uint64_t id);
/// Throws codec::decode_error for a key that is not 8 bytes.
uint64_t key_id(std::string_view key);
std::string encode_token(const token_record& r);
/// Throws codec::decode_error when the key or the value is not a token's.
token_record decode_token(std::string_view key, std::string_view value);

} // namespace vfb::token_layout
