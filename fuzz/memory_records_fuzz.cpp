// The memory store's stored bytes (first input byte: 0 namespace, 1 video, 2 chunk texts' record,
// 3 term statistics with their score bound, 4 postings block, 5 postings key, 6 pending
// postings) decode or throw codec::decode_error, never anything undefined; a decoded record
// encodes to bytes that decode to the same.
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

void term(std::string_view bytes) {
  auto h = decode<term_head>(bytes);
  auto front = score_front::decode(h.front);
  fuzz::require(score_front::decode(front.encode()).encode() == front.encode(),
                "a score bound round-trips");
  round_trip<term_head>(bytes);
}

void pending(std::string_view bytes) {
  auto first = codec::get_be32(bytes);
  auto record = bytes.substr(4);
  std::string last;
  size_t terms = 0;
  for_each_pending_term(record, first, [&](std::string_view t, const std::vector<posting>& ps) {
    ++terms;
    last = std::string{t};
    for (auto& p : ps)
      fuzz::require(p.chunk >= first || p.chunk < first, "a posting has a chunk");
  });
  if (terms > 0) {
    std::vector<posting> found;
    pending_postings_of(record, first, last, found); // a binary search over whatever is there
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [which, bytes] = fuzz::select(fuzz::text(data, size));
  try {
    switch (which % 7) {
    case 0:
      return round_trip<space_record>(bytes), 0;
    case 1:
      return round_trip<video_record>(bytes), 0;
    case 2:
      return round_trip<text_record>(bytes), 0;
    case 3:
      return term(bytes), 0;
    case 4:
      return block(bytes), 0;
    case 5:
      return parse_postings_key(bytes), 0;
    default:
      return pending(bytes), 0;
    }
  } catch (const codec::decode_error&) {
  }
  return 0;
}
