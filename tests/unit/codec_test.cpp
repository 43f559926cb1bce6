// The stores' record codec: round trips, and records written before a field was added.
#include "storage/codec.hpp"
#include "storage/job_queue_layout.hpp"
#include "storage/memory_store_layout.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace vfb;

namespace {

/// A record as an older vfb stored it.
struct record_v1 {
  static constexpr const char* name = "test record";
  std::string text;
  uint64_t number = 0;
  template <class Self, class F> static void fields(Self& s, F&& f) {
    f(s.text);
    f(s.number);
  }
};

/// The same record with a field appended later.
struct record_v2 {
  static constexpr const char* name = "test record";
  std::string text;
  uint64_t number = 0;
  std::vector<std::string> list{"default"};
  template <class Self, class F> static void fields(Self& s, F&& f) {
    f(s.text);
    f(s.number);
    f(codec::added_later{s.list});
  }
};

} // namespace

TEST_CASE("codec: a field added later round-trips, and older records decode with its default") {
  record_v2 r;
  r.text = "a";
  r.number = 300;
  r.list = {"x", "", "yz"};
  auto back = codec::decode<record_v2>(codec::encode(r));
  CHECK(back.text == "a");
  CHECK(back.number == 300);
  CHECK(back.list == std::vector<std::string>{"x", "", "yz"});
  r.list.clear();
  CHECK(codec::decode<record_v2>(codec::encode(r)).list.empty());

  record_v1 old;
  old.text = "old";
  old.number = 7;
  auto upgraded = codec::decode<record_v2>(codec::encode(old));
  CHECK(upgraded.text == "old");
  CHECK(upgraded.number == 7);
  CHECK(upgraded.list == std::vector<std::string>{"default"});
}

TEST_CASE("codec: records that are cut short or too long are refused") {
  record_v2 r;
  r.text = "a";
  r.list = {"first", "second"};
  auto bytes = codec::encode(r);
  // Cut inside the added field: only a record that ends before it is an older one.
  for (size_t cut = bytes.size() - 1; cut > codec::encode(record_v1{"a", 0}).size(); --cut)
    CHECK_THROWS_AS(codec::decode<record_v2>(bytes.substr(0, cut)), codec::decode_error);
  // A list claiming more strings than the record has bytes.
  auto claim = codec::encode(record_v1{"a", 0}) + std::string(1, '\x7f');
  CHECK_THROWS_AS(codec::decode<record_v2>(claim), codec::decode_error);
  // A newer record read by the older layout: bytes left over.
  CHECK_THROWS_AS(codec::decode<record_v1>(bytes), codec::decode_error);
}

// Found by fuzz/memory_records_fuzz: a postings key shorter than a namespace id threw
// std::out_of_range, which the store does not report as corruption.
TEST_CASE("a postings key shorter than its namespace id is a decode error") {
  using memory_layout::parse_postings_key;
  CHECK_THROWS_AS(parse_postings_key(std::string{"\x0c\x02", 2}), codec::decode_error);
  CHECK_THROWS_AS(parse_postings_key(""), codec::decode_error);
  auto key = memory_layout::term_prefix(3, "volcano");
  auto k = parse_postings_key(key);
  CHECK(k.term == "volcano");
  CHECK_FALSE(k.block_first);
}

TEST_CASE("posting blocks round-trip at every width from 0 to 32 bits") {
  using memory_layout::posting;
  auto round_trip = [](const std::vector<posting>& ps) {
    auto block = memory_layout::encode_block(ps.begin(), ps.end());
    auto back = memory_layout::decode_block(ps.front().chunk, block);
    REQUIRE(back.size() == ps.size());
    for (size_t i = 0; i < ps.size(); ++i) {
      CHECK(back[i].chunk == ps[i].chunk);
      CHECK(back[i].tf == ps[i].tf);
      CHECK(back[i].length == ps[i].length);
    }
    return block.size();
  };
  // A word in every chunk, once, in chunks of one length: every width 0, a few bytes in all.
  std::vector<posting> dense;
  for (uint32_t c = 10; c < 138; ++c)
    dense.push_back({c, 1, 130});
  CHECK(round_trip(dense) < 12);
  // The extremes: the widest gaps, lengths and tfs, a single posting.
  CHECK(round_trip({{0, 1, 0}, {UINT32_MAX, uint32_t{1} << 31, UINT32_MAX}}) > 0);
  CHECK(round_trip({{5, 7, 0}, {6, 1, UINT32_MAX}}) > 0);
  CHECK(round_trip({{UINT32_MAX - 2, 1, UINT32_MAX - 1}, {UINT32_MAX, 2, UINT32_MAX}}) > 0);
  CHECK(round_trip({{42, 3, 99}}) > 0);
  for (uint32_t bits = 0; bits <= 31; ++bits) {
    std::vector<posting> ps;
    uint32_t chunk = 1;
    for (uint32_t i = 0; i < 128; ++i) {
      auto spread = bits == 0 ? 0 : (i * 2654435761u) & ((uint32_t{1} << bits) - 1);
      ps.push_back({chunk, 1 + spread / 2, 100 + spread});
      chunk += 1 + (spread >> 8);
    }
    round_trip(ps);
  }
  CHECK_THROWS_AS(memory_layout::encode_block(dense.begin(), dense.begin()), std::logic_error);
  std::vector<posting> zero_tf{{1, 0, 5}};
  CHECK_THROWS_AS(memory_layout::encode_block(zero_tf.begin(), zero_tf.end()), std::length_error);
}

TEST_CASE("a posting block that is cut short or malformed is a decode error") {
  using memory_layout::posting;
  std::vector<posting> ps{{1, 2, 100}, {9, 1, 120}, {30, 5, 80}};
  auto block = memory_layout::encode_block(ps.begin(), ps.end());
  for (size_t cut = 0; cut < block.size(); ++cut)
    CHECK_THROWS_AS(memory_layout::decode_block(1, block.substr(0, cut)), codec::decode_error);
  CHECK_THROWS_AS(memory_layout::decode_block(1, block + "x"), codec::decode_error);
  // Chunk ids past 2^32.
  CHECK_THROWS_AS(memory_layout::decode_block(UINT32_MAX - 3, block), codec::decode_error);
  // A width of more than 32 bits.
  auto wide = memory_layout::read_block_header(1, block);
  auto header = block.substr(0, block.size() - wide.body.size());
  auto body = std::string{wide.body};
  body[1] = 33;
  CHECK_THROWS_AS(memory_layout::decode_block(1, header + body), codec::decode_error);
}

TEST_CASE("a job record whose state, priority or origin is out of range is a decode error") {
  queue_layout::record rec;
  rec.view.job.id = 7;
  rec.view.job.key = {"t", "w", "youtube", "v"};
  rec.suspect = true;
  auto bytes = queue_layout::encode_record(rec);
  auto back = queue_layout::decode_record(bytes);
  CHECK(back.id() == 7);
  CHECK(back.suspect);
  // The origin's byte: where the records of two origins differ.
  rec.view.job.origin = job_origin::api;
  auto other = queue_layout::encode_record(rec);
  REQUIRE(other.size() == bytes.size());
  size_t origin_at = 0;
  while (bytes[origin_at] == other[origin_at])
    ++origin_at;
  bytes[origin_at] = 9;
  CHECK_THROWS_AS(queue_layout::decode_record(bytes), codec::decode_error);
}
