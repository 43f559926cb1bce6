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

void env::adopt_map_size() {
  check(mdb_env_set_mapsize(env_, 0), "mdb_env_set_mapsize");
}

void env::sync(bool force) {
  check(mdb_env_sync(env_, force ? 1 : 0), "mdb_env_sync");
}

txn::txn(env& e, bool write, txn* parent) {
  auto flags = write ? 0u : MDB_RDONLY;
  auto* p = parent != nullptr ? parent->get() : nullptr;
  auto rc = mdb_txn_begin(e.get(), p, flags, &txn_);
  if (rc == MDB_MAP_RESIZED && p == nullptr) {
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

db::db(txn& t, const char* name, bool create, uint8_t id) : id_(id) {
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
  if (t.log() != nullptr)
    record_put(*t.log(), id_, key, value);
}

void db::append(txn& t, std::string_view key, std::string_view value) const {
  auto k = to_val(key);
  auto v = to_val(value);
  check(mdb_put(t.get(), dbi_, &k, &v, MDB_APPEND), "mdb_put");
  if (t.log() != nullptr)
    record_put(*t.log(), id_, key, value);
}

std::optional<std::string_view> db::put_if_absent(txn& t, std::string_view key,
                                                  std::string_view value) const {
  auto k = to_val(key);
  auto v = to_val(value);
  auto rc = mdb_put(t.get(), dbi_, &k, &v, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST)
    return to_view(v); // LMDB points `v` at the value already stored
  check(rc, "mdb_put");
  if (t.log() != nullptr)
    record_put(*t.log(), id_, key, value);
  return std::nullopt;
}

bool db::del(txn& t, std::string_view key) const {
  auto k = to_val(key);
  auto rc = mdb_del(t.get(), dbi_, &k, nullptr);
  if (rc == MDB_NOTFOUND)
    return false;
  check(rc, "mdb_del");
  if (t.log() != nullptr)
    record_del(*t.log(), id_, key);
  return true;
}

size_t db::size(txn& t) const {
  MDB_stat st;
  check(mdb_stat(t.get(), dbi_, &st), "mdb_stat");
  return st.ms_entries;
}

cursor::cursor(txn& t, const db& d) : log_(t.log()), db_id_(d.id()) {
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

void cursor::del() {
  std::string key{this->key()}; // the cursor's key memory is LMDB's; copy before deleting
  check(mdb_cursor_del(cur_, 0), "mdb_cursor_del");
  if (log_ != nullptr)
    record_del(*log_, db_id_, key);
}

// A change log is a sequence of entries: op (1 put, 2 del), db id, key length (varint), key,
// and for puts value length (varint) and value.
namespace {

constexpr uint8_t op_put = 1;
constexpr uint8_t op_del = 2;

void put_varint(std::string& out, uint64_t x) {
  while (x >= 0x80) {
    out.push_back(static_cast<char>((x & 0x7f) | 0x80));
    x >>= 7;
  }
  out.push_back(static_cast<char>(x));
}

struct log_reader {
  std::string_view in;
  size_t pos = 0;
  [[noreturn]] static void bad() { throw std::runtime_error("malformed change log"); }
  uint8_t u8() {
    if (pos >= in.size())
      bad();
    return static_cast<uint8_t>(in[pos++]);
  }
  std::string_view bytes() {
    uint64_t n = 0;
    for (int shift = 0;; shift += 7) {
      if (shift > 63)
        bad();
      auto b = u8();
      n |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        break;
    }
    if (n > in.size() - pos)
      bad();
    auto s = in.substr(pos, n);
    pos += n;
    return s;
  }
};

} // namespace

void record_put(std::string& log, uint8_t db, std::string_view key, std::string_view value) {
  log.push_back(static_cast<char>(op_put));
  log.push_back(static_cast<char>(db));
  put_varint(log, key.size());
  log.append(key);
  put_varint(log, value.size());
  log.append(value);
}

void record_del(std::string& log, uint8_t db, std::string_view key) {
  log.push_back(static_cast<char>(op_del));
  log.push_back(static_cast<char>(db));
  put_varint(log, key.size());
  log.append(key);
}

void apply_log(txn& t, std::string_view log, const std::function<const db*(uint8_t)>& by_id) {
  log_reader r{log};
  while (r.pos < log.size()) {
    auto op = r.u8();
    const db* d = by_id(r.u8());
    if (d == nullptr || (op != op_put && op != op_del))
      log_reader::bad();
    auto key = r.bytes();
    if (op == op_put)
      d->put(t, key, r.bytes());
    else
      d->del(t, key);
  }
}

store_problem describe(const error& e, std::string_view what, const std::filesystem::path& dir,
                       size_t size_limit, std::string_view size_key) {
  auto at = std::string(what) + " at " + dir.string();
  auto code = e.code();
  if (e.map_full())
    return {store_failure::disk_full, at + " is full: the map reached its size limit of " +
                                          std::to_string(size_limit >> 10) + " KiB (" +
                                          std::string(size_key) + ")"};
  if (e.disk_full())
    return {store_failure::disk_full, "disk full: cannot write the " + at + " (" + e.what() + ")"};
  if (code == MDB_INVALID || code == MDB_VERSION_MISMATCH || code == MDB_CORRUPTED ||
      code == MDB_PAGE_NOTFOUND || code == MDB_INCOMPATIBLE)
    return {store_failure::corrupt, at + " is corrupt: " + e.what()};
  if (code == ENOENT)
    return {store_failure::missing, "no " + at};
  if (code == EIO)
    // LMDB reports a short write as EIO: that is how a full disk usually shows up.
    return {store_failure::io,
            "cannot write the " + at + ": " + e.what() + " (is the disk full or failing?)"};
  return {store_failure::io, "cannot open " + at + ": " + e.what()};
}

env_options store_env_options(const std::filesystem::path& dir, bool read_only, bool sync,
                              size_t initial_map_size, size_t max_map_size) {
  env_options eo;
  eo.dir = dir;
  eo.map_size = initial_map_size;
  eo.max_map_size = max_map_size;
  eo.max_dbs = 8;
  eo.read_only = read_only;
  eo.no_sync = !sync;
  return eo;
}

std::optional<store_problem> check_format(txn& t, const db& meta, uint8_t version, bool read_only,
                                          std::string_view what, const std::filesystem::path& dir) {
  auto format = meta.get(t, "format");
  if (format && (format->size() != 1 || static_cast<uint8_t>((*format)[0]) != version))
    return store_problem{store_failure::corrupt, std::string(what) + " at " + dir.string() +
                                                     " has an unknown format (a newer vfb?)"};
  if (!format && !read_only)
    meta.put(t, "format", std::string(1, static_cast<char>(version)));
  return std::nullopt;
}

std::optional<store_problem> prepare_dir(const std::filesystem::path& dir, bool read_only,
                                         std::string_view what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto missing = store_problem{store_failure::missing, "no " + std::string(what) + " at " +
                                                           dir.string() + " (nothing stored yet?)"};
  if (!fs::exists(dir, ec)) {
    if (read_only)
      return missing;
    fs::create_directories(dir, ec);
    if (ec)
      return store_problem{store_failure::io,
                           "cannot create " + dir.string() + ": " + ec.message()};
  } else if (!fs::is_directory(dir, ec)) {
    return store_problem{store_failure::io, dir.string() + " is not a directory"};
  }
  if (read_only && !fs::exists(dir / "data.mdb", ec))
    return missing;
  return std::nullopt;
}

} // namespace vfb::lmdb
