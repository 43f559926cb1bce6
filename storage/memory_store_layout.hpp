// The memory store's on-disk layout, shared by the files that implement memory_store (private to
// storage/: nothing outside includes it). Tables, keys, records and the posting blocks of the
// inverted index; the index's writes (memory_store_postings.cpp); the analysis of a chunk into
// terms, which indexing, removal and the invariant check must do alike.
#pragma once

#include "storage/codec.hpp"
#include "storage/memory_store.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <endian.h>
#include <functional>
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
// last block); a video's chunks have consecutive ids.
//   namespaces  lp16 tenant | lp16 workspace  -> ns, videos, chunks, total length, next chunk
//   videos      ns | lp16 source | lp16 id    -> job id, title, url, first chunk, chunk count,
//                                                channels, upload day
//   texts       ns | first chunk              -> the video's source and id, each chunk's times
//                                                and length, where its compressed texts are
//   pieces      be64 piece                    -> the chunks' texts of a video, compressed
//                                                together and cut in pieces that fill pages
//   postings    ns | term | 0                 -> chunks with the term, videos with the term, the
//                                                highest tf and the lowest chunk length
//               ns | term | 0 | first chunk   -> block: last chunk, score front, then the
//                                                postings bit-packed (packed_postings)
//   pending     ns | first chunk              -> a video's postings not yet in `postings`: its
//                                                terms, sorted, each with its postings
//   facets      ns | 'c' | lp16 channel | first chunk   -> chunk count   (videos by channel)
//               ns | 'd' | be32 day | first chunk       -> chunk count   (by upload day)
//               ns | 'j' | be64 job | first chunk       -> chunk count   (by job)
//   meta        name                          -> value ("format", "next_namespace")
// Terms are stems (text::index_terms) and contain no zero byte, so `ns | term | 0` starts exactly
// one term's range: its head sorts first, then its blocks in chunk order.
//
// Why `pending`: appending a video's postings rewrites one block per distinct term, a page each
// (hundreds per video), and the pages are what a write costs. A put writes the video's postings
// as one pending record instead; once a namespace has enough pending chunks, one
// transaction merges them all into the blocks (memory_options::merge_chunks), each block rewritten
// once for many videos. The pending chunks are the namespace's newest (chunk ids only grow), so a
// search scores them after the index, exhaustively (there are few), and counts them in the
// statistics.

namespace memory_layout {

struct tables {
  lmdb::db namespaces, videos, texts, pieces, postings, pending, facets, meta;
};

constexpr uint8_t format_version = 2;
constexpr size_t max_identifier = 200; // keeps every key below LMDB's 511-byte limit
constexpr size_t block_capacity = 128; // postings per block: a block stays well inside a page

// -- keys -------------------------------------------------------------------------------------

std::string be32(uint32_t x);
std::string namespace_key(const std::string& tenant, const std::string& workspace);
std::string video_key(uint32_t ns, const std::string& source, const std::string& external_id);
std::string chunk_key(uint32_t ns, uint32_t chunk); // a texts key: ns | first chunk
/// Facet keys: `facet_prefix` + the video's first chunk.
std::string channel_facet(uint32_t ns, std::string_view channel);
std::string day_facet(uint32_t ns, uint32_t day);
std::string job_facet(uint32_t ns, uint64_t job_id);
/// YYYYMMDD as a number (20261205), 0 for an empty date; std::invalid_argument otherwise.
uint32_t parse_day(std::string_view yyyymmdd);
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
  uint64_t pending_chunks = 0; // chunks whose postings wait in `pending`
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.id);
    f(r.stats.videos);
    f(r.stats.chunks);
    f(r.stats.total_length);
    f(r.next_chunk);
    f(r.pending_chunks);
  }
};

struct video_record {
  static constexpr const char* name = "video record";
  uint64_t job_id = 0;
  std::string title, url;
  uint32_t first_chunk = 0;
  uint32_t chunk_count = 0;
  std::vector<std::string> channels;
  uint32_t day = 0; // YYYYMMDD, 0: unknown
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.job_id);
    f(r.title);
    f(r.url);
    f(r.first_chunk);
    f(r.chunk_count);
    f(r.channels);
    f(r.day);
  }
};

/// One chunk's place and size (its text is in the video's compressed texts).
struct chunk_info {
  int64_t start_ms = 0, end_ms = 0;
  uint32_t length = 0; // index terms
};

/// A video's chunks: which video, each chunk's times and length, and where their texts are:
/// compressed together (zstd; each text length-prefixed), since neighbouring chunks share most
/// words, and cut into `piece_size` pieces under consecutive keys of `pieces`. The keys only
/// grow, so each piece is appended (MDB_APPEND) and pages fill up, where a video's texts as one
/// value would take whole overflow pages, a third of them empty on average.
struct text_record {
  static constexpr const char* name = "text record";
  std::string source, external_id;
  std::string spans; // per chunk: svarint start, varint duration, varint length
  uint64_t first_piece = 0;
  uint32_t pieces = 0;
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.source);
    f(r.external_id);
    f(r.spans);
    f(r.first_piece);
    f(r.pieces);
  }
};

constexpr size_t piece_size = 1000; // four to a 4 KiB page, with the keys and node headers

/// Compresses and stores the chunks' texts; returns their record (to store under `texts`).
text_record store_texts(lmdb::txn& t, const tables& d, const std::string& source,
                        const std::string& external_id, const std::vector<transcript_chunk>& chunks,
                        const std::vector<uint32_t>& lengths);
std::vector<chunk_info> chunk_infos(const text_record& r);
/// The texts of the record's chunks, in order.
std::vector<std::string> chunk_texts(lmdb::txn& t, const tables& d, const text_record& r);
/// Deletes the record's pieces.
void drop_texts(lmdb::txn& t, const tables& d, const text_record& r);

/// The (tf, chunk length) pairs of a term's or a block's postings that no other posting beats
/// on both counts (a higher tf in a shorter chunk), at most `max_points`: BM25 rises with tf and
/// falls with length, so no posting scores more than the best of these, whatever the corpus's
/// statistics are when a search runs. A front of more points is cut down by joining two
/// neighbours into one that beats both (the higher tf with the shorter length): a bound still,
/// a little higher. Where a single (highest tf, shortest length) pair would bound a common
/// word's blocks far above what any of their postings scores, these stay close to it, so a
/// search skips most blocks of such words.
struct score_front {
  static constexpr size_t max_points = 4;
  /// (tf, length): tf falling, length falling. Fixed room (one more than kept, for an addition
  /// before the cut): a search reads one per block and allocates nothing for it.
  std::array<std::pair<uint32_t, uint32_t>, max_points + 1> points{};
  size_t size = 0;

  void add(uint32_t tf, uint32_t length);
  /// Whether some point beats or equals (tf, length) on both counts.
  bool covers(uint32_t tf, uint32_t length) const;
  template <class Score> double best(const Score& score) const {
    double b = 0;
    for (size_t i = 0; i < size; ++i)
      b = std::max(b, score(points[i].first, points[i].second));
    return b;
  }
  std::string encode() const;
  void write(codec::writer& w) const;
  /// Reads a front written by `write` (varint count, then the pairs).
  static score_front read(const uint8_t*& at, const uint8_t* end);
  static score_front decode(std::string_view packed);
};

struct term_head {
  static constexpr const char* name = "term statistics";
  uint64_t chunks = 0; // chunk-level document frequency (BM25)
  uint64_t videos = 0; // video-level document frequency (topics)
  std::string front;   // score_front of every posting the term had (kept when postings go)
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.chunks);
    f(r.videos);
    f(r.front);
  }
};

using codec::decode;
using codec::encode;

struct posting {
  uint32_t chunk = 0;
  uint32_t tf = 0;
  uint32_t length = 0;
};

/// A block's header: its chunk range and what bounds its postings' scores.
struct block_header {
  uint32_t first = 0, last = 0;
  score_front front;
  std::string_view body; // the postings
};

/// The fast varint of block headers, score fronts and pending records (no codec::reader).
inline uint32_t read_varint(const uint8_t*& at, const uint8_t* end) {
  if (at != end && *at < 0x80) // most are one byte
    return *at++;
  if (end - at >= 2 && at[1] < 0x80) { // the rest mostly two (a chunk's length and its flag)
    uint32_t x = (at[0] & 0x7fu) | uint32_t{at[1]} << 7;
    at += 2;
    return x;
  }
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
}

block_header read_block_header(uint32_t first, std::string_view block);

/// A posting's tf and chunk length, as `write_tf_length` wrote them.
inline void read_tf_length(posting& p, const uint8_t*& at, const uint8_t* end) {
  auto x = read_varint(at, end);
  p.length = x >> 1;
  p.tf = (x & 1) != 0 ? read_varint(at, end) : 1;
}

/// A pending posting's tf and length: most words occur once in a chunk, so the length carries a
/// flag for "tf is not 1", and only then the tf follows (a byte less for most postings).
inline void write_tf_length(codec::writer& w, const posting& p) {
  if (p.length > (UINT32_MAX >> 1))
    throw std::length_error("memory: a chunk of more than 2^31 terms");
  w.varint(uint64_t{p.length} << 1 | (p.tf != 1 ? 1 : 0));
  if (p.tf != 1)
    w.varint(p.tf);
}

/// A block's postings, bit-packed (encode_block): after a byte each for the count less one and
/// the widths in bits of the three arrays, and the lengths' base as a varint, come
///   the chunk gaps less one (count - 1 of them: the first chunk is the key's),
///   the chunk lengths less the base,
///   the tfs less one,
/// each array packed little-endian at its width (0 when all its values are 0, as every gap of a
/// word in every chunk and every tf of a rare word are) and padded to a byte. Fixed widths let a
/// search read any posting's tf and length without decoding the ones before it, and decode with
/// no branch on the data; and they take fewer bytes than varints.
class packed_postings {
public:
  /// The most postings a block can hold (its count is a byte, less one).
  static constexpr size_t max_count = 256;

  /// No postings (count 0), until one is read.
  packed_postings() = default;
  /// Reads the body's layout; throws codec::decode_error when it is not one.
  explicit packed_postings(std::string_view body);

  uint32_t count() const { return count_; }
  /// The gap from the chunk of posting i - 1 to that of posting i (1 <= i < count).
  uint64_t gap(size_t i) const {
    return uint64_t{1} + bits(deltas_, (i - 1) * delta_bits_, delta_bits_);
  }
  uint32_t length(size_t i) const {
    return base_length_ + bits(lengths_, i * length_bits_, length_bits_);
  }
  uint32_t tf(size_t i) const { return 1 + bits(tfs_, i * tf_bits_, tf_bits_); }
  /// The chunks of all postings into out[0, count), the first being `first`; throws
  /// codec::decode_error past the last chunk id.
  void chunks(uint32_t first, uint32_t* out) const {
    uint64_t chunk = first;
    out[0] = first;
    if (delta_bits_ == 0) { // a word in every chunk of the stretch: consecutive chunks
      for (uint32_t i = 1; i < count_; ++i)
        out[i] = static_cast<uint32_t>(++chunk);
    } else {
      // Sums only grow: checked once below. While a whole word from the gap's first byte lies
      // inside the body (the other arrays follow the gaps), it is read with no check.
      auto mask = (uint64_t{1} << delta_bits_) - 1;
      auto last_word = end_ - deltas_ - 8; // the last byte a word can be read from
      uint32_t i = 1;
      for (size_t bit = 0; i < count_ && static_cast<ptrdiff_t>(bit >> 3) <= last_word;
           ++i, bit += delta_bits_) {
        uint64_t word;
        std::memcpy(&word, deltas_ + (bit >> 3), sizeof word);
        out[i] = static_cast<uint32_t>(chunk += 1 + ((le64toh(word) >> (bit & 7)) & mask));
      }
      for (; i < count_; ++i)
        out[i] = static_cast<uint32_t>(chunk += gap(i));
    }
    if (chunk > UINT32_MAX)
      throw codec::decode_error("malformed posting block: chunk ids past 2^32");
  }

private:
  /// `width` bits from bit `bit` of the array at `array` (little-endian).
  uint32_t bits(const uint8_t* array, size_t bit, unsigned width) const {
    if (width == 0)
      return 0;
    auto* at = array + (bit >> 3);
    uint64_t word = 0;
    if (end_ - at >= 8) {
      std::memcpy(&word, at, sizeof word);
      word = le64toh(word);
    } else {
      for (unsigned i = 0; at + i < end_; ++i) // the last bytes of the body
        word |= uint64_t{at[i]} << (8 * i);
    }
    return static_cast<uint32_t>((word >> (bit & 7)) & ((uint64_t{1} << width) - 1));
  }

  uint32_t count_ = 0, base_length_ = 0;
  unsigned delta_bits_ = 0, length_bits_ = 0, tf_bits_ = 0;
  const uint8_t *deltas_ = nullptr, *lengths_ = nullptr, *tfs_ = nullptr, *end_ = nullptr;
};

/// Calls `f(posting)` for each posting of a block, in chunk order.
template <class F> void for_each_posting(const block_header& h, F&& f) {
  packed_postings packed{h.body};
  std::array<uint32_t, packed_postings::max_count> chunks;
  packed.chunks(h.first, chunks.data());
  for (uint32_t i = 0; i < packed.count(); ++i)
    f(posting{chunks[i], packed.tf(i), packed.length(i)});
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

/// A chunk as the index sees it: how long it is and how often each term (stem) occurs.
struct analysed_chunk {
  uint32_t length = 0;
  std::vector<std::pair<std::string, uint32_t>> frequencies; // sorted by term
};

analysed_chunk analyse(std::string_view text);

// -- pending records -----------------------------------------------------------------------
//
// u32 term count, then a u32 offset per term (little-endian, sorted by term) to its entry:
// varint term size, term, varint postings, then per posting (chunk - first chunk, length and tf as
// in blocks). A search finds its terms by binary search without decoding the rest.

std::string encode_pending(uint32_t first_chunk, const std::vector<analysed_chunk>& chunks);
/// Appends the postings of `term` in a pending record to `out`.
void pending_postings_of(std::string_view record, uint32_t first_chunk, std::string_view term,
                         std::vector<posting>& out);
/// Calls `f(term, postings)` for every term of a pending record, in term order.
void for_each_pending_term(
    std::string_view record, uint32_t first_chunk,
    const std::function<void(std::string_view, const std::vector<posting>&)>& f);

/// Refuses (std::invalid_argument) an identifier too long to be part of a key.
void check_identifier(const char* what, const std::string& value);

// -- namespaces and the index's writes (memory_store_postings.cpp) ----------------------------

std::optional<space_record> find_space(lmdb::txn& t, const tables& d, const std::string& tenant,
                                       const std::string& workspace);
/// The namespace's record; a new namespace gets the next id.
space_record open_space(lmdb::txn& t, const tables& d, const std::string& tenant,
                        const std::string& workspace);
/// Removes a stored video: its chunks, their postings, facets and share of the statistics.
void unindex_video(lmdb::txn& t, const tables& d, space_record& s, const std::string& key,
                   const video_record& v);

/// A video ready to index: its entry, its chunks analysed, its facets parsed (done before the
/// write transaction, which may run again).
struct prepared_video {
  const memory_entry* entry = nullptr;
  std::vector<analysed_chunk> analysed;
  uint32_t day = 0;
};
prepared_video prepare(const memory_entry& e);

/// Stores a video's chunks under new chunk ids, its texts and facets, and its postings as a
/// pending record (merged into the index by `merge_pending`).
void index_video(lmdb::txn& t, const tables& d, space_record& s, const std::string& key,
                 const prepared_video& v);
/// Moves every pending record of the namespace into the index: each term's last block and head
/// rewritten once.
void merge_pending(lmdb::txn& t, const tables& d, space_record& s);

// -- older formats (memory_store_migration.cpp) -----------------------------------------------

/// When `o.dir` holds a store of format 1 and is writable: rebuilds it in the current format
/// (a new store beside it, filled from the old one's chunks, then put in its place), telling
/// `o.notice`. Read-only: a storage_error saying to open it writable once. Otherwise nothing.
void rebuild_older_format(const memory_options& o);

} // namespace memory_layout

struct memory_store::dbs : memory_layout::tables {};

} // namespace vfb
