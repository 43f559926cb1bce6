// What the stores over their own LMDB environment (memory, follows, tokens, Discord) share, so
// that each is written once: their options, opening the environment and its tables with the
// format version checked, and transactions whose failures come out as `storage_error`, worded the
// same way everywhere ("follow registry at DIR is corrupt: ..."). A store derives privately from
// `lmdb::store` and keeps only its tables and its own logic. The job queue opens its environment
// its own way (a write-ahead log, a long-lived transaction) but words its failures alike.
#pragma once

#include "storage/codec.hpp"
#include "storage/lmdb.hpp"
#include "storage/store_error.hpp"

#include <filesystem>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace vfb::lmdb {

/// What such a store is opened with; each store's options derive from this (adding their own
/// settings, and their own initial map size where 1 MiB does not fit).
struct store_options {
  std::filesystem::path dir; // e.g. DATA_DIR/follows; created when writable
  bool read_only = false;
  /// fsync every commit (default). Off is for bulk loads: a power loss may then lose or corrupt
  /// what was written since the last sync.
  bool sync = true;
  size_t initial_map_size = size_t{1} << 20;
  size_t max_map_size = 0; // 0: grow until the disk is full
};

/// An LMDB failure of the store at `s`, as storage_error.
[[noreturn]] void throw_store_error(const error& e, const store_site& s);
/// A record of the store at `s` that did not decode, as storage_error (corrupt).
[[noreturn]] void throw_corrupt(const codec::decode_error& e, const store_site& s);
/// Throws storage_error for a problem that prepare_dir or check_format found.
void throw_if(const std::optional<store_problem>& problem);

/// Opens the store's environment (creating `s.dir` when writable) and its tables:
/// `make(open)` returns them, `open(name)` opening one named database. The format version in
/// `tables.meta` is checked (and written into a new store).
template <class Tables, class Make>
std::unique_ptr<env> open_store(const store_site& s, bool sync, size_t initial_map_size,
                                uint8_t format, Tables& tables, Make&& make) {
  throw_if(prepare_dir(s.dir, s.read_only, s.what));
  try {
    auto e = std::make_unique<env>(
        store_env_options(s.dir, s.read_only, sync, initial_map_size, s.max_map_size));
    txn t{*e, !s.read_only};
    tables = make([&](const char* name) { return db{t, name, !s.read_only}; });
    throw_if(check_format(t, tables.meta, format, s.read_only, s.what, s.dir));
    t.commit();
    return e;
  } catch (const error& e) {
    if (e.code() == MDB_NOTFOUND)
      throw storage_error(store_failure::corrupt, std::string{s.what} + " at " + s.dir.string() +
                                                      " is not a vfb " + std::string{s.what} +
                                                      " (tables missing)");
    throw_store_error(e, s);
  }
}

/// One store over its own LMDB environment: the environment, the lock that growing its map
/// takes, and read and write transactions with failures as storage_error.
class store {
protected:
  /// `what` names the store in errors ("follow registry"), `size_key` the setting that raises
  /// its map limit. Opens nothing yet: the store calls `open` (after its own preparations).
  store(const store_options& opts, std::string_view what,
        std::string_view size_key = "storage.max_map_size_mb");
  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  /// Opens the environment and the tables; see open_store.
  template <class Tables, class Make> void open(uint8_t format, Tables& tables, Make&& make) {
    env_ = open_store(site(), opts_.sync, opts_.initial_map_size, format, tables,
                      std::forward<Make>(make));
  }

  /// read_shared, with failures as storage_error.
  template <class F> auto read(F&& f) const {
    return guarded([&] { return read_shared(*env_, resize_, f); });
  }

  /// write_growing, with failures as storage_error; refused (io) when open read-only.
  template <class F> auto write(F&& f) {
    refuse_if_read_only();
    return guarded([&] { return write_growing(*env_, resize_, f); });
  }

  /// Forces written data to disk (after writes with `sync` off).
  void sync_to_disk();
  size_t map_size() const { return env_->map_size(); }
  store_site site() const;

private:
  /// Runs `op`, its failures as storage_error.
  template <class Op> auto guarded(Op&& op) const {
    try {
      return op();
    } catch (const error& x) {
      throw_store_error(x, site());
    } catch (const codec::decode_error& x) {
      throw_corrupt(x, site());
    }
  }
  void refuse_if_read_only() const;

  store_options opts_;
  std::string_view what_;
  std::string_view size_key_;
  std::unique_ptr<env> env_;
  // Growing the map needs every transaction of this process closed: readers hold it shared.
  mutable std::shared_mutex resize_;
};

} // namespace vfb::lmdb
