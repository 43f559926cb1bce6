// The follow registry's stored bytes (first input byte: 0 a follow record, key then value after
// the key's length byte; 1 a due key; 2 a setting) decode or throw codec::decode_error, never
// anything undefined; a decoded follow encodes to bytes that decode to the same.
#include "fuzz/fuzz_check.hpp"
#include "storage/codec.hpp"
#include "storage/follow_registry_layout.hpp"

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [which, bytes] = fuzz::select(fuzz::text(data, size));
  try {
    switch (which % 3) {
    case 0: {
      auto [key_size, rest] = fuzz::select(bytes);
      auto key = rest.substr(0, key_size);
      auto once = follow_layout::encode(follow_layout::decode(key, rest.substr(key.size())));
      fuzz::require(follow_layout::encode(follow_layout::decode(key, once)) == once,
                    "a follow record round-trips");
      break;
    }
    case 1:
      follow_layout::due_key_time(bytes);
      break;
    default:
      parse_auto_follow_setting(bytes);
    }
  } catch (const codec::decode_error&) {
  }
  return 0;
}
