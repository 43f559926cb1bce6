// The searchable memory: transcript chunks of processed videos, per tenant and workspace,
// ranked by BM25 over stemmed terms. Plain C++ over its own LMDB environment (no CAF): the
// memory writer stage owns the only writing instance; searches may run on any thread and in
// other processes.
//
// A namespace is one (tenant, workspace); nothing crosses namespaces, neither hits nor the
// statistics that score them. A video is identified by (source, external_id) inside its
// namespace: storing it again replaces its chunks.
//
// Layout (see memory_store_layout.hpp): an inverted index whose keys are namespace | term | chunk
// id, so one cursor range scan yields a term's postings in chunk order. Postings are packed in
// blocks of up to 128 (chunk id delta, term frequency, chunk length), each block headed by its
// last chunk and the highest score any of its postings can reach, so a search skips blocks that
// cannot reach the top k (block-max MaxScore) and its cost does not grow with the corpus the way
// a walk over every posting does. A video's chunk texts are stored together, compressed.
//
// Writes: the caller serialises them (one writer). Each `put`/`remove` is one LMDB write
// transaction; when the map is full it is thrown away, the map grows and the transaction runs
// again. Reads use read transactions and never block the writer.
//
// A store written by an older vfb (format 1: unstemmed terms, texts per chunk) is rebuilt on the
// first writable open, from its own chunks, into a new store beside it that then takes its place
// (memory_store_migration.cpp); `memory_options::notice` hears what happens.
//
// Files: memory_store.cpp (open, put, remove, statistics), memory_store_search.cpp,
// memory_store_postings.cpp (the index's writes), memory_store_invariants.cpp,
// memory_store_migration.cpp, and the private memory_store_layout.{hpp,cpp} they share.
#pragma once

#include "messages/media.hpp"
#include "storage/lmdb_store.hpp"
#include "text/bm25.hpp"
#include "text/topics.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// Where the store lives (e.g. DATA_DIR/memory) and how it writes (see lmdb::store_options),
/// and how it ranks.
struct memory_options : lmdb::store_options {
  memory_options() { initial_map_size = size_t{64} << 20; }
  text::bm25_params bm25;
  /// A namespace's videos wait as pending postings until it has this many pending chunks; then
  /// one put merges them into the index (see memory_store_layout.hpp). Puts are cheaper the
  /// higher it is; searches read the pending ones exhaustively.
  uint64_t merge_chunks = 1000;
  /// Hears what opening does beyond opening (rebuilding an older store); default: standard error.
  std::function<void(const std::string&)> notice;
};

/// One processed video as memory: where it came from and its transcript chunks.
struct memory_entry {
  uint64_t job_id = 0;
  std::string source;      // e.g. "youtube"
  std::string external_id; // the platform's video id
  std::string title;
  std::string url;
  /// The uploader's channel in each canonical form known (e.g. its /channel/UC… URL and its
  /// /@handle URL), so a filter by either finds the video.
  std::vector<std::string> channels;
  std::string upload_date; // YYYYMMDD; empty when unknown
  std::vector<transcript_chunk> chunks;
};

/// A video for a namespace (put_many).
struct memory_put {
  std::string tenant, workspace;
  memory_entry entry;
};

/// Which videos a search looks at; every field set must hold.
struct memory_filter {
  std::optional<uint64_t> job_id;
  std::vector<std::string> channels; // any of these (as memory_entry::channels spells them)
  std::string from_date, to_date;    // YYYYMMDD, inclusive; empty: open
  bool any() const { return job_id || !channels.empty() || !from_date.empty() || !to_date.empty(); }
};

/// A search: words (each scored, stemmed: "volcanoes" finds "volcano"), "quoted phrases" (a
/// chunk must contain each, word by word), a filter and how many hits.
struct memory_query {
  std::string text;
  memory_filter filter;
  size_t limit = 10;
};

/// Counts of one namespace.
struct memory_stats {
  uint64_t videos = 0;
  uint64_t chunks = 0;
  uint64_t total_length = 0; // content terms over all chunks (for the average chunk length)
  uint64_t pending = 0;      // chunks whose postings wait to be merged into the index
};

class memory_store : private lmdb::store {
public:
  /// Opens (and when writable creates) the store in `opts.dir`. Throws `storage_error`.
  explicit memory_store(memory_options opts);
  ~memory_store();

  /// Stores a video's chunks, replacing whatever the namespace held for the same (source,
  /// external_id). Throws std::invalid_argument for identifiers too long to be keys (over 200
  /// bytes), storage_error for storage failures (nothing of the entry is stored then).
  void put(const std::string& tenant, const std::string& workspace, const memory_entry& entry);

  /// Removes a video; false when the namespace does not hold it.
  bool remove(const std::string& tenant, const std::string& workspace, const std::string& source,
              const std::string& external_id);

  /// The `q.limit` chunks that match `q` best (BM25 over the query's stemmed content terms),
  /// best first; equal scores go to the chunk stored first. A query without content terms
  /// (empty, only stop words) finds nothing; only its first 32 distinct terms count. Throws
  /// std::invalid_argument for a malformed filter date.
  std::vector<memory_hit> search(const std::string& tenant, const std::string& workspace,
                                 const memory_query& q) const;
  /// The same without a filter.
  std::vector<memory_hit> search(const std::string& tenant, const std::string& workspace,
                                 std::string_view query, size_t limit = 10) const;
  /// The same hits found by scoring every posting of every term (no pruning): the reference
  /// `search` must equal, for tests and benchmarks.
  std::vector<memory_hit> search_exhaustively(const std::string& tenant,
                                              const std::string& workspace,
                                              const memory_query& q) const;

  /// Video-level statistics for topics: the number of videos and, per index term (stem), how
  /// many videos contain it.
  text::corpus_stats corpus(const std::string& tenant, const std::string& workspace) const;
  /// The same, restricted to `terms` (what a transcript's topics need; cheaper on big corpora),
  /// each counted by its stem but reported under the term as given.
  text::corpus_stats corpus(const std::string& tenant, const std::string& workspace,
                            const std::vector<std::string>& terms) const;

  memory_stats stats(const std::string& tenant, const std::string& workspace) const;

  /// Rebuilds every statistic and posting from the stored chunks and compares; returns one
  /// line per difference (empty: consistent). Reads everything: for tests and repair tools.
  std::vector<std::string> check_invariants() const;

  /// Stores many videos in one transaction (a rebuild, a bulk load): as `put` for each, much
  /// faster per video.
  void put_many(const std::vector<memory_put>& puts);

  /// Forces written data to disk (after bulk loads with `sync = false`).
  void sync();

  const memory_options& options() const { return opts_; }
  using lmdb::store::map_size;

private:
  struct dbs;
  /// Both searches: pruned, or every posting scored.
  std::vector<memory_hit> find(const std::string& tenant, const std::string& workspace,
                               const memory_query& q, bool exhaustive) const;
  /// Both `corpus` overloads: every term, or only those in `only`.
  text::corpus_stats corpus_of(const std::string& tenant, const std::string& workspace,
                               const std::vector<std::string>* only) const;

  memory_options opts_;
  std::unique_ptr<dbs> dbs_;
};

} // namespace vfb
