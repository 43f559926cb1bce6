// The token store's and the discord store's stored bytes (first input byte: 0 a token, 1 a
// pending reply, 2 a digest entry; then the key's length byte, the key and the value) decode or
// throw codec::decode_error, never anything undefined; what decodes encodes back to the same.
#include "fuzz/fuzz_check.hpp"
#include "storage/codec.hpp"
#include "storage/discord_store_layout.hpp"
#include "storage/token_store_layout.hpp"

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [which, bytes] = fuzz::select(fuzz::text(data, size));
  auto [key_size, rest] = fuzz::select(bytes);
  auto key = rest.substr(0, key_size);
  auto value = rest.substr(key.size());
  try {
    switch (which % 3) {
    case 0: {
      auto once = token_layout::encode_token(token_layout::decode_token(key, value));
      fuzz::require(token_layout::encode_token(token_layout::decode_token(key, once)) == once,
                    "a token record round-trips");
      break;
    }
    case 1: {
      auto once = discord_layout::encode_reply(discord_layout::decode_reply(key, value));
      fuzz::require(discord_layout::encode_reply(discord_layout::decode_reply(key, once)) == once,
                    "a pending reply round-trips");
      break;
    }
    default: {
      auto once = discord_layout::encode_entry(discord_layout::decode_entry(key, value));
      fuzz::require(discord_layout::encode_entry(discord_layout::decode_entry(key, once)) == once,
                    "a digest entry round-trips");
    }
    }
    parse_token_role(value);
  } catch (const codec::decode_error&) {
  }
  return 0;
}
