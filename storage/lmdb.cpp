#include "storage/lmdb.hpp"

#include <system_error>

namespace vfb::lmdb {

void check(int rc, const char* what) {
  if (rc == MDB_SUCCESS)
    return;
  // Codes >= 0 below LMDB's range are errno values (ENOSPC, EACCES, ...).
  throw error(rc, std::string{what} + ": " + mdb_strerror(rc));
}

env::env(const env_options& opts) : opts_(opts) {
  check(mdb_env_create(&env_), "mdb_env_create");
  try {
    check(mdb_env_set_maxdbs(env_, opts.max_dbs), "mdb_env_set_maxdbs");
    if (!opts.read_only)
      check(mdb_env_set_mapsize(env_, opts.map_size), "mdb_env_set_mapsize");
    unsigned flags = MDB_NOTLS; // transactions are not tied to threads
    if (opts.read_only)
      flags |= MDB_RDONLY;
    if (opts.no_sync)
      flags |= MDB_NOSYNC;
    check(mdb_env_open(env_, opts.dir.c_str(), flags, 0640), "mdb_env_open");
  } catch (...) {
    mdb_env_close(env_);
    throw;
  }
}

env::~env() {
  if (env_ != nullptr)
    mdb_env_close(env_);
}

size_t env::map_size() const {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

bool env::grow() {
  auto current = map_size();
  auto next = current * 2;
  if (opts_.max_map_size != 0 && next > opts_.max_map_size) {
    if (current >= opts_.max_map_size)
      return false;
    next = opts_.max_map_size;
  }
  check(mdb_env_set_mapsize(env_, next), "mdb_env_set_mapsize");
  return true;
}

void env::adopt_map_size() { check(mdb_env_set_mapsize(env_, 0), "mdb_env_set_mapsize"); }

void env::sync(bool force) { check(mdb_env_sync(env_, force ? 1 : 0), "mdb_env_sync"); }

txn::txn(env& e, bool write) {
  auto flags = write ? 0u : MDB_RDONLY;
  auto rc = mdb_txn_begin(e.get(), nullptr, flags, &txn_);
  if (rc == MDB_MAP_RESIZED) {
    // Another process grew the map; adopt its size and try once more.
    e.adopt_map_size();
    rc = mdb_txn_begin(e.get(), nullptr, flags, &txn_);
  }
  if (rc != MDB_SUCCESS)
    txn_ = nullptr;
  check(rc, "mdb_txn_begin");
}

void txn::commit() {
  auto* t = txn_;
  txn_ = nullptr; // mdb_txn_commit frees the handle even when it fails
  check(mdb_txn_commit(t), "mdb_txn_commit");
}

db::db(txn& t, const char* name, bool create) {
  check(mdb_dbi_open(t.get(), name, create ? MDB_CREATE : 0u, &dbi_), name);
}

std::optional<std::string_view> db::get(txn& t, std::string_view key) const {
  auto k = to_val(key);
  MDB_val v;
  auto rc = mdb_get(t.get(), dbi_, &k, &v);
  if (rc == MDB_NOTFOUND)
    return std::nullopt;
  check(rc, "mdb_get");
  return to_view(v);
}

void db::put(txn& t, std::string_view key, std::string_view value) const {
  auto k = to_val(key);
  auto v = to_val(value);
  check(mdb_put(t.get(), dbi_, &k, &v, 0), "mdb_put");
}

bool db::del(txn& t, std::string_view key) const {
  auto k = to_val(key);
  auto rc = mdb_del(t.get(), dbi_, &k, nullptr);
  if (rc == MDB_NOTFOUND)
    return false;
  check(rc, "mdb_del");
  return true;
}

size_t db::size(txn& t) const {
  MDB_stat st;
  check(mdb_stat(t.get(), dbi_, &st), "mdb_stat");
  return st.ms_entries;
}

cursor::cursor(txn& t, const db& d) {
  check(mdb_cursor_open(t.get(), d.dbi(), &cur_), "mdb_cursor_open");
}

bool cursor::move(MDB_cursor_op op) {
  auto rc = mdb_cursor_get(cur_, &key_, &val_, op);
  if (rc == MDB_NOTFOUND)
    return false;
  check(rc, "mdb_cursor_get");
  return true;
}

bool cursor::seek(std::string_view key) {
  key_ = to_val(key);
  return move(MDB_SET_RANGE);
}

void cursor::del() { check(mdb_cursor_del(cur_, 0), "mdb_cursor_del"); }

} // namespace vfb::lmdb
