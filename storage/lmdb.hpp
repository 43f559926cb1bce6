// A thin RAII layer over LMDB's C API. We do not use Debian's lmdb++.h: its txn destructor
// aborts a handle that a failed commit already freed (double free on MDB_MAP_FULL). Here a
// commit always forgets its handle before it can throw.
#pragma once

#include "storage/store_error.hpp"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <lmdb.h>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace vfb::lmdb {

/// Any LMDB failure. `code` is the LMDB or errno code.
class error : public std::runtime_error {
public:
  error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }
  bool map_full() const { return code_ == MDB_MAP_FULL; }
  /// The disk (or the file-size limit) refused a write.
  bool disk_full() const { return code_ == ENOSPC || code_ == EFBIG || code_ == EDQUOT; }

private:
  int code_;
};

/// Throws `error` for a non-zero LMDB return code, naming the operation.
void check(int rc, const char* what);

inline MDB_val to_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view to_view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

struct env_options {
  std::filesystem::path dir;
  size_t map_size = size_t{64} << 20;
  size_t max_map_size = 0; // 0: grow without limit
  unsigned max_dbs = 16;
  bool read_only = false;
  bool no_sync = false; // periodic durability: the caller syncs
};

class env {
public:
  explicit env(const env_options& opts);
  ~env();
  env(const env&) = delete;
  env& operator=(const env&) = delete;

  MDB_env* get() const { return env_; }
  size_t map_size() const;
  /// Doubles the map (up to max_map_size). Returns false when the limit is reached.
  /// Only valid while this process has no open transaction.
  bool grow();
  /// Adopts a map size another process grew the file to (after MDB_MAP_RESIZED).
  void adopt_map_size();
  void sync(bool force = true);
  const env_options& options() const { return opts_; }

private:
  env_options opts_;
  MDB_env* env_ = nullptr;
};

class txn {
public:
  /// Begins a transaction; with `parent`, a nested write transaction inside it.
  txn(env& e, bool write, txn* parent = nullptr);
  ~txn() { abort(); }
  txn(const txn&) = delete;
  txn& operator=(const txn&) = delete;

  MDB_txn* get() const { return txn_; }
  /// Commits. The handle is gone afterwards whether or not this throws.
  void commit();
  void abort() {
    if (txn_ != nullptr) {
      mdb_txn_abort(txn_);
      txn_ = nullptr;
    }
  }

  /// Records every change made through db::put/del and cursor::del into `log` (see
  /// apply_log), so a write-ahead log can replay the transaction.
  void record_into(std::string* log) { log_ = log; }
  std::string* log() const { return log_; }

private:
  MDB_txn* txn_ = nullptr;
  std::string* log_ = nullptr;
};

/// A named database; opened once in a write transaction at start-up. `id` names it in
/// recorded change logs (stable across runs: the caller assigns it).
class db {
public:
  db() = default;
  db(txn& t, const char* name, bool create, uint8_t id = 0);
  MDB_dbi dbi() const { return dbi_; }
  uint8_t id() const { return id_; }

  std::optional<std::string_view> get(txn& t, std::string_view key) const;
  void put(txn& t, std::string_view key, std::string_view value) const;
  /// A put of a key above every key of the database (MDB_APPEND): pages fill up completely,
  /// where ordinary puts of ever larger keys leave them half empty. MDB_KEYEXIST (an error)
  /// when the key is not above them all.
  void append(txn& t, std::string_view key, std::string_view value) const;
  /// Puts `key` unless it is there; then returns its value and changes nothing. One B-tree
  /// descent instead of a get and a put.
  std::optional<std::string_view> put_if_absent(txn& t, std::string_view key,
                                                std::string_view value) const;
  /// Returns false when the key was not there.
  bool del(txn& t, std::string_view key) const;
  size_t size(txn& t) const;

private:
  MDB_dbi dbi_ = 0;
  uint8_t id_ = 0;
};

/// Appends one change to a recorded log: a put (with value) or a delete (without).
void record_put(std::string& log, uint8_t db, std::string_view key, std::string_view value);
void record_del(std::string& log, uint8_t db, std::string_view key);

/// Applies a recorded log in `t`; `by_id(id)` returns the database a change names (nullptr:
/// the log is corrupt). Throws error on LMDB failures and std::runtime_error on a malformed log.
void apply_log(txn& t, std::string_view log, const std::function<const db*(uint8_t)>& by_id);

/// A cursor over one database. Positions are reported through key()/value().
class cursor {
public:
  cursor(txn& t, const db& d);
  ~cursor() { mdb_cursor_close(cur_); }
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;

  bool first() { return move(MDB_FIRST); }
  bool last() { return move(MDB_LAST); }
  bool next() { return move(MDB_NEXT); }
  bool prev() { return move(MDB_PREV); }
  /// Positions at the first key >= `key`.
  bool seek(std::string_view key);
  /// Positions at the first key starting with `prefix`; false if there is none.
  bool seek_prefix(std::string_view prefix) {
    return seek(prefix) && key().substr(0, prefix.size()) == prefix;
  }
  std::string_view key() const { return to_view(key_); }
  std::string_view value() const { return to_view(val_); }
  /// Deletes the entry under the cursor.
  void del();

private:
  bool move(MDB_cursor_op op);
  MDB_cursor* cur_ = nullptr;
  std::string* log_ = nullptr; // the transaction's change log, if it records
  uint8_t db_id_ = 0;
  MDB_val key_{0, nullptr};
  MDB_val val_{0, nullptr};
};

/// Runs `f(txn&)` in a read transaction. `resize` is held shared meanwhile, so that the map does
/// not grow under it (see write_growing).
template <class F> auto read_shared(env& e, std::shared_mutex& resize, F&& f) {
  std::shared_lock lock{resize};
  txn t{e, false};
  return f(t);
}

/// Runs `f(txn&)` in a write transaction and commits it; returns what `f` returns. When the map
/// is full the transaction is thrown away, the map grows and `f` runs again from scratch (so it
/// must not keep state across runs). Growing needs every transaction of this process closed:
/// `resize` is taken exclusively for it, and readers hold it shared. Throws `error` for other
/// failures and when the map cannot grow further.
template <class F> auto write_growing(env& e, std::shared_mutex& resize, F&& f) {
  for (;;) {
    try {
      txn t{e, true};
      if constexpr (std::is_void_v<decltype(f(t))>) {
        f(t);
        t.commit();
        return;
      } else {
        auto result = f(t);
        t.commit();
        return result;
      }
    } catch (const error& x) {
      if (!x.map_full())
        throw;
      std::unique_lock lock{resize};
      if (!e.grow())
        throw;
    }
  }
}

/// A store failure in words, naming the store: "queue at /x is corrupt: ...".
struct store_problem {
  store_failure kind;
  std::string message;
};

/// A store as its errors name it, and the settings those errors mention.
struct store_site {
  std::string_view what; // "follow registry"
  const std::filesystem::path& dir;
  bool read_only;
  size_t max_map_size;                                   // 0: no limit
  std::string_view size_key = "storage.max_map_size_mb"; // the setting that raises the limit
};

/// Describes an LMDB failure of the store `what` ("queue", "memory store") in `dir`.
/// `size_limit` and `size_key` name the map limit and the setting that raises it.
store_problem describe(const error& e, std::string_view what, const std::filesystem::path& dir,
                       size_t size_limit, std::string_view size_key);

/// The environment of a store in `dir`: its map starts at `initial_map_size` and grows up to
/// `max_map_size` (0: no limit); without `sync`, commits are not fsynced.
env_options store_env_options(const std::filesystem::path& dir, bool read_only, bool sync,
                              size_t initial_map_size, size_t max_map_size);

/// Checks a store's format version: one byte under "format" in its `meta` database, written
/// when a writable store has none yet (it is new). Returns the problem (corrupt) when the store
/// holds another version, most likely written by a newer vfb.
std::optional<store_problem> check_format(txn& t, const db& meta, uint8_t version, bool read_only,
                                          std::string_view what, const std::filesystem::path& dir);

/// Makes `dir` ready to hold a store: created when writable and missing. Returns the problem
/// when it cannot: missing (read-only and nothing there yet), or not a usable directory.
std::optional<store_problem> prepare_dir(const std::filesystem::path& dir, bool read_only,
                                         std::string_view what);

} // namespace vfb::lmdb
