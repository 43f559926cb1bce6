// The memory store's on-disk layout, shared by the files that implement memory_store (private to
// storage/: nothing outside includes it). Tables, keys, records and the posting blocks of the
// inverted index; the index's writes (memory_store_postings.cpp); the analysis of a chunk into
// terms, which indexing, removal and the invariant check must do alike.
#pragma once

#include "storage/codec.hpp"
#include "storage/memory_store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

// -- layout -----------------------------------------------------------------------------------
//
// Named databases. `ns` is a namespace's 32-bit id (big-endian), `chunk` a chunk id, unique and
// increasing within its namespace (never reused, so appending postings is appending to a term's
// last block).
//   namespaces  lp16 tenant | lp16 workspace  -> ns, videos, chunks, total length, next chunk
//   videos      ns | lp16 source | lp16 id    -> job id, title, url, first chunk, chunk count
//   chunks      ns | chunk                    -> source, id, start, end, length, text
//   postings    ns | term | 0                 -> chunks with the term, videos with the term
//               ns | term | 0 | first chunk   -> block: (chunk delta, tf, chunk length)...
//   meta        name                          -> value ("format", "next_namespace")
// Terms contain no zero byte, so `ns | term | 0` starts exactly one term's range: its head (the
// document frequencies) sorts first, then its blocks in chunk order.

namespace memory_layout {

struct tables {
  lmdb::db namespaces, videos, chunks, postings, meta;
};

constexpr uint8_t format_version = 1;
constexpr size_t max_identifier = 200; // keeps every key below LMDB's 511-byte limit
constexpr size_t block_capacity = 128; // postings per block: a block stays well inside a page

// -- keys -------------------------------------------------------------------------------------

std::string be32(uint32_t x);
std::string namespace_key(const std::string& tenant, const std::string& workspace);
std::string video_key(uint32_t ns, const std::string& source, const std::string& external_id);
std::string chunk_key(uint32_t ns, uint32_t chunk);
/// `ns | term | 0`: the term's head key and the prefix of its blocks.
std::string term_prefix(uint32_t ns, std::string_view term);
/// Whether `key` is one of the blocks of the term whose prefix is `prefix`.
bool is_block_of(std::string_view key, const std::string& prefix);

// -- records ----------------------------------------------------------------------------------

// Every record lists its fields once (`fields`); codec::encode and codec::decode walk that list.

struct space_record {
  static constexpr const char* name = "namespace record";
  uint32_t id = 0;
  memory_stats stats;
  uint64_t next_chunk = 0;
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.id);
    f(r.stats.videos);
    f(r.stats.chunks);
    f(r.stats.total_length);
    f(r.next_chunk);
  }
};

struct video_record {
  static constexpr const char* name = "video record";
  uint64_t job_id = 0;
  std::string title, url;
  uint32_t first_chunk = 0;
  uint32_t chunk_count = 0;
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.job_id);
    f(r.title);
    f(r.url);
    f(r.first_chunk);
    f(r.chunk_count);
  }
};

struct chunk_record {
  static constexpr const char* name = "chunk record";
  std::string source, external_id;
  int64_t start_ms = 0, end_ms = 0;
  uint32_t length = 0; // content terms
  std::string text;
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.source);
    f(r.external_id);
    f(r.start_ms);
    f(r.end_ms);
    f(r.length);
    f(r.text);
  }
};

struct term_head {
  static constexpr const char* name = "term statistics";
  uint64_t chunks = 0; // chunk-level document frequency (BM25)
  uint64_t videos = 0; // video-level document frequency (topics)
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.chunks);
    f(r.videos);
  }
};

using codec::decode;
using codec::encode;

struct posting {
  uint32_t chunk = 0;
  uint32_t tf = 0;
  uint32_t length = 0;
};

/// Calls `f(posting)` for each posting of a block whose first chunk is `first`. This is the
/// inner loop of every search, hence the varints are decoded here without codec::reader.
template <class F> void for_each_posting(uint32_t first, std::string_view block, F&& f) {
  auto* at = reinterpret_cast<const uint8_t*>(block.data());
  auto* end = at + block.size();
  auto varint = [&]() -> uint32_t {
    uint32_t x = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (at == end)
        throw codec::decode_error("truncated posting block");
      auto b = *at++;
      x |= static_cast<uint32_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        return x;
    }
    throw codec::decode_error("malformed posting block");
  };
  posting p;
  p.chunk = first;
  while (at != end) {
    p.chunk += varint();
    p.tf = varint();
    p.length = varint();
    f(p);
  }
}

std::vector<posting> decode_block(uint32_t first, std::string_view block);

/// Encodes postings [begin, end) as one block keyed by the first one's chunk.
std::string encode_block(std::vector<posting>::const_iterator begin,
                         std::vector<posting>::const_iterator end);

/// Where a postings key belongs: its term, and whether it is the term's head or a block.
struct postings_key {
  std::string_view term;
  std::optional<uint32_t> block_first; // none: the head
};

postings_key parse_postings_key(std::string_view key);

// -- analysis ---------------------------------------------------------------------------------

/// A chunk as the index sees it: how long it is and how often each term occurs.
struct analysed_chunk {
  uint32_t length = 0;
  std::map<std::string, uint32_t> frequencies;
};

analysed_chunk analyse(std::string_view text);

/// Refuses (std::invalid_argument) an identifier too long to be part of a key.
void check_identifier(const char* what, const std::string& value);

// -- namespaces and the index's writes (memory_store_postings.cpp) ----------------------------

std::optional<space_record> find_space(lmdb::txn& t, const tables& d, const std::string& tenant,
                                       const std::string& workspace);
/// The namespace's record; a new namespace gets the next id.
space_record open_space(lmdb::txn& t, const tables& d, const std::string& tenant,
                        const std::string& workspace);
/// Removes a stored video: its chunks, their postings, and their share of the statistics.
void unindex_video(lmdb::txn& t, const tables& d, space_record& s, const std::string& key,
                   const video_record& v);
/// Stores a video's chunks under new chunk ids and indexes them.
void index_video(lmdb::txn& t, const tables& d, space_record& s, const std::string& key,
                 const memory_entry& e, const std::vector<analysed_chunk>& analysed);

} // namespace memory_layout

struct memory_store::dbs : memory_layout::tables {};

} // namespace vfb
