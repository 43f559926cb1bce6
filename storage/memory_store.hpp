// The searchable memory: transcript chunks of processed videos, per tenant and workspace,
// ranked by BM25. Plain C++ over its own LMDB environment (no CAF): the memory writer stage owns
// the only writing instance; searches may run on any thread and in other processes.
//
// A namespace is one (tenant, workspace); nothing crosses namespaces, neither hits nor the
// statistics that score them. A video is identified by (source, external_id) inside its
// namespace: storing it again replaces its chunks.
//
// Layout (see memory_store_layout.hpp): an inverted index whose keys are namespace | term | chunk
// id, so one cursor range scan yields a term's postings in chunk order. Postings are packed in
// blocks of up to 128 (chunk id delta, term frequency, chunk length), so scoring never decodes a
// chunk; only the top hits' texts are read. A put rewrites one block per distinct term of the
// video (a few MiB for a long video), which is cheap next to the transcription that precedes it.
//
// Writes: the caller serialises them (one writer). Each `put`/`remove` is one LMDB write
// transaction; when the map is full it is thrown away, the map grows and the transaction runs
// again. Reads use read transactions and never block the writer.
//
// Files: memory_store.cpp (open, put, remove, statistics), memory_store_search.cpp,
// memory_store_postings.cpp (the index's writes), memory_store_invariants.cpp, and the private
// memory_store_layout.{hpp,cpp} they share. The snippet of a hit is text work: text/snippet.hpp.
#pragma once

#include "messages/media.hpp"
#include "storage/lmdb_store.hpp"
#include "text/bm25.hpp"
#include "text/topics.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// Where the store lives (e.g. DATA_DIR/memory) and how it writes (see lmdb::store_options),
/// and how it ranks.
struct memory_options : lmdb::store_options {
  memory_options() { initial_map_size = size_t{64} << 20; }
  text::bm25_params bm25;
};

/// One processed video as memory: where it came from and its transcript chunks.
struct memory_entry {
  uint64_t job_id = 0;
  std::string source;      // e.g. "youtube"
  std::string external_id; // the platform's video id
  std::string title;
  std::string url;
  std::vector<transcript_chunk> chunks;
};

/// Counts of one namespace.
struct memory_stats {
  uint64_t videos = 0;
  uint64_t chunks = 0;
  uint64_t total_length = 0; // content terms over all chunks (for the average chunk length)
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

  /// The `limit` chunks that match `query` best (BM25 over the query's content terms), best
  /// first; equal scores go to the chunk stored first. A query without content terms (empty,
  /// only stop words) finds nothing; only its first 32 distinct content terms count.
  std::vector<memory_hit> search(const std::string& tenant, const std::string& workspace,
                                 std::string_view query, size_t limit = 10) const;

  /// Video-level statistics for topics: the number of videos and, per term, how many videos
  /// contain it.
  text::corpus_stats corpus(const std::string& tenant, const std::string& workspace) const;
  /// The same, restricted to `terms` (what a transcript's topics need; cheaper on big corpora).
  text::corpus_stats corpus(const std::string& tenant, const std::string& workspace,
                            const std::vector<std::string>& terms) const;

  memory_stats stats(const std::string& tenant, const std::string& workspace) const;

  /// Rebuilds every statistic and posting from the stored chunks and compares; returns one
  /// line per difference (empty: consistent). Reads everything: for tests and repair tools.
  std::vector<std::string> check_invariants() const;

  /// Forces written data to disk (after bulk loads with `sync = false`).
  void sync();

  const memory_options& options() const { return opts_; }
  using lmdb::store::map_size;

private:
  struct dbs;
  /// Both `corpus` overloads: every term, or only those in `only`.
  text::corpus_stats corpus_of(const std::string& tenant, const std::string& workspace,
                               const std::vector<std::string>* only) const;

  memory_options opts_;
  std::unique_ptr<dbs> dbs_;
};

} // namespace vfb
