// A memory store of format 1 (vfb before stemming, phrases and filters: unstemmed terms, one text
// record per chunk) rebuilt in the current format. The old store is only read: the new one is
// written beside it (DIR.rebuilding), and only when complete does it take the old one's place,
// so a crash at any point leaves one whole store (the old one, or the new one) to open.
#include "storage/memory_store_layout.hpp"

#include <chrono>

namespace vfb::memory_layout {

namespace {

namespace fs = std::filesystem;

/// The records of format 1 that a rebuild reads.
struct v1_space {
  static constexpr const char* name = "namespace record (format 1)";
  uint32_t id = 0;
  uint64_t videos = 0, chunks = 0, total_length = 0, next_chunk = 0;
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.id);
    f(r.videos);
    f(r.chunks);
    f(r.total_length);
    f(r.next_chunk);
  }
};

struct v1_video {
  static constexpr const char* name = "video record (format 1)";
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

struct v1_chunk {
  static constexpr const char* name = "chunk record (format 1)";
  std::string source, external_id;
  int64_t start_ms = 0, end_ms = 0;
  uint32_t length = 0;
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

fs::path beside(const fs::path& dir, const std::string& suffix) {
  return dir.parent_path() / (dir.filename().string() + suffix);
}

/// The format byte of the store in `dir`: 0 when it has none (new, or not a memory store).
uint8_t stored_format(const fs::path& dir) {
  lmdb::env e{lmdb::env_options{dir, size_t{1} << 20, 0, 16, true, false}};
  lmdb::txn t{e, false};
  try {
    lmdb::db meta{t, "meta", false};
    auto format = meta.get(t, "format");
    return format && format->size() == 1 ? static_cast<uint8_t>((*format)[0]) : 0;
  } catch (const lmdb::error&) {
    return 0; // no meta table: not a store this code rebuilds
  }
}

/// Reads every video of the format 1 store at `from` into `to`, a batch at a time.
void copy_videos(const fs::path& from, memory_store& to, const memory_options& o, uint64_t& videos,
                 uint64_t& chunks) {
  lmdb::env e{lmdb::env_options{from, size_t{1} << 20, 0, 16, true, false}};
  lmdb::txn t{e, false};
  lmdb::db spaces{t, "namespaces", false}, video_table{t, "videos", false},
      chunk_table{t, "chunks", false};
  std::vector<memory_put> batch;
  size_t batch_chunks = 0;
  auto flush = [&] {
    to.put_many(batch);
    for (auto& p : batch) {
      ++videos;
      chunks += p.entry.chunks.size();
    }
    batch.clear();
    batch_chunks = 0;
  };
  auto last_notice = std::chrono::steady_clock::now();
  lmdb::cursor sc{t, spaces};
  for (bool s_at = sc.first(); s_at; s_at = sc.next()) {
    size_t at = 0;
    auto tenant = codec::get_lp16(sc.key(), at);
    auto workspace = codec::get_lp16(sc.key(), at);
    auto space = decode<v1_space>(sc.value());
    auto ns = be32(space.id);
    lmdb::cursor vc{t, video_table};
    for (bool v_at = vc.seek_prefix(ns); v_at && vc.key().substr(0, 4) == ns; v_at = vc.next()) {
      auto v = decode<v1_video>(vc.value());
      memory_put p{tenant, workspace, {}};
      p.entry.job_id = v.job_id;
      p.entry.title = v.title;
      p.entry.url = v.url;
      size_t k_at = 4;
      p.entry.source = codec::get_lp16(vc.key(), k_at);
      p.entry.external_id = codec::get_lp16(vc.key(), k_at);
      for (uint32_t i = 0; i < v.chunk_count; ++i)
        if (auto raw = chunk_table.get(t, chunk_key(space.id, v.first_chunk + i))) {
          auto c = decode<v1_chunk>(*raw);
          p.entry.chunks.push_back({c.start_ms, c.end_ms, std::move(c.text)});
        }
      batch_chunks += p.entry.chunks.size();
      batch.push_back(std::move(p));
      if (batch_chunks >= 5000)
        flush();
      auto now = std::chrono::steady_clock::now();
      if (now - last_notice > std::chrono::seconds(10)) {
        o.notice("memory store: rebuilt " + std::to_string(videos) + " videos so far");
        last_notice = now;
      }
    }
  }
  flush();
}

} // namespace

void rebuild_older_format(const memory_options& o) {
  auto old_copy = beside(o.dir, ".format1");
  auto building = beside(o.dir, ".rebuilding");
  std::error_code ec;
  auto fail = [&](const std::string& what) {
    throw storage_error(store_failure::io, "memory store at " + o.dir.string() + ": " + what);
  };
  // A rebuild that stopped between its two renames: the old store waits beside, the new one may
  // or may not be in place. Only a writer puts things right (a reader may run while a node is
  // rebuilding); the old copy goes only once a store of the current format is in place.
  if (fs::exists(old_copy, ec)) {
    if (o.read_only)
      throw storage_error(store_failure::io, "memory store at " + o.dir.string() +
                                                 " is being rebuilt (" + old_copy.string() +
                                                 " is the older one): try again once the node "
                                                 "has started");
    bool rebuilt = false;
    try {
      rebuilt = fs::exists(o.dir / "data.mdb", ec) && stored_format(o.dir) == format_version;
    } catch (const lmdb::error&) {
      rebuilt = false; // not a whole store: the older one is
    }
    if (rebuilt) {
      fs::remove_all(old_copy, ec);
      if (ec)
        fail("cannot remove " + old_copy.string() + ": " + ec.message());
    } else {
      fs::remove_all(o.dir, ec); // nothing, or an unfinished new store: the old one is whole
      fs::rename(old_copy, o.dir, ec);
      if (ec)
        fail("cannot put " + old_copy.string() + " back: " + ec.message());
    }
  }
  if (!fs::exists(o.dir / "data.mdb", ec))
    return; // nothing stored yet
  uint8_t format = 0;
  try {
    format = stored_format(o.dir);
  } catch (const lmdb::error&) {
    return; // the normal open reports what is wrong
  }
  if (format != 1)
    return;
  if (o.read_only)
    throw storage_error(store_failure::corrupt,
                        "memory store at " + o.dir.string() +
                            " was written by an older vfb (format 1): its search index is rebuilt "
                            "when a vfb that writes opens it (vfb node, vfb run)");
  o.notice("memory store at " + o.dir.string() +
           " was written by an older vfb: rebuilding its search index (stemmed words, phrases, "
           "filters) from its chunks; nothing is lost (videos stored before have no channel or "
           "upload date to filter by until they are processed again)");
  auto started = std::chrono::steady_clock::now();
  fs::remove_all(building, ec); // an earlier rebuild that did not finish
  uint64_t videos = 0, chunks = 0;
  try {
    memory_options n = o;
    n.dir = building;
    n.read_only = false;
    n.sync = false;
    memory_store rebuilt{n};
    copy_videos(o.dir, rebuilt, o, videos, chunks);
    rebuilt.sync();
  } catch (const lmdb::error& e) {
    throw storage_error(store_failure::io, "memory store at " + o.dir.string() +
                                               ": rebuilding failed: " + e.what() +
                                               " (the old store is unchanged)");
  } catch (const codec::decode_error& e) {
    throw storage_error(store_failure::corrupt, "memory store at " + o.dir.string() +
                                                    " is corrupt: " + e.what() +
                                                    " (rebuilding stopped; the old store is "
                                                    "unchanged)");
  }
  fs::rename(o.dir, old_copy, ec);
  if (ec)
    fail("cannot move the older store aside: " + ec.message() + " (it is unchanged)");
  fs::rename(building, o.dir, ec);
  if (ec)
    fail("cannot put the rebuilt store in place: " + ec.message() +
         " (the next start finishes the rebuild)");
  fs::remove_all(old_copy, ec);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  o.notice("memory store at " + o.dir.string() + ": rebuilt " + std::to_string(videos) +
           " videos (" + std::to_string(chunks) + " chunks) in " +
           std::to_string(static_cast<int>(seconds + 0.5)) + " s");
}

} // namespace vfb::memory_layout
