// The memory store's stored bytes (first input byte: 0 namespace, 1 video, 2 chunk, 3 term
// statistics, 4 postings block, 5 postings key) decode or throw codec::decode_error, never
// anything undefined; a decoded record encodes to bytes that decode to the same.
#include "fuzz/fuzz_check.hpp"
#include "storage/memory_store_layout.hpp"

using namespace vfb;
using namespace vfb::memory_layout;

namespace {

template <class Record> void round_trip(std::string_view bytes) {
  auto once = encode(decode<Record>(bytes));
  fuzz::require(encode(decode<Record>(once)) == once, "a record round-trips");
}

void block(std::string_view bytes) {
  auto first = codec::get_be32(bytes);
  auto postings = decode_block(first, bytes.substr(4));
  if (postings.empty())
    return;
  auto again = decode_block(first, encode_block(postings.begin(), postings.end()));
  fuzz::require(again.size() == postings.size(), "a block round-trips");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [which, bytes] = fuzz::select(fuzz::text(data, size));
  try {
    switch (which % 6) {
    case 0:
      return round_trip<space_record>(bytes), 0;
    case 1:
      return round_trip<video_record>(bytes), 0;
    case 2:
      return round_trip<chunk_record>(bytes), 0;
    case 3:
      return round_trip<term_head>(bytes), 0;
    case 4:
      return block(bytes), 0;
    default:
      parse_postings_key(bytes);
    }
  } catch (const codec::decode_error&) {
  }
  return 0;
}
