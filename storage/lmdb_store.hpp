// What the small LMDB stores (memory, follows, tokens) share: opening their environment and
// tables, and transactions whose failures come out as the store's own error type, worded the same
// way everywhere ("follow registry at DIR is corrupt: ..."). `Error` is constructed from a
// store_failure and a message.
#pragma once

#include "storage/codec.hpp"
#include "storage/lmdb.hpp"

#include <memory>
#include <string>

namespace vfb::lmdb {

template <class Error> [[noreturn]] void throw_store_error(const error& e, const store_site& s) {
  auto problem = describe(e, s.what, s.dir, s.max_map_size, s.size_key);
  throw Error(problem.kind, problem.message);
}

template <class Error>
[[noreturn]] void throw_corrupt(const codec::decode_error& e, const store_site& s) {
  throw Error(store_failure::corrupt,
              std::string{s.what} + " at " + s.dir.string() + " is corrupt: " + e.what());
}

/// Opens the store's environment (creating `s.dir` when writable) and its tables:
/// `make(open)` returns them, `open(name)` opening one named database. The format version in
/// `tables.meta` is checked (and written into a new store).
template <class Error, class Tables, class Make>
std::unique_ptr<env> open_store(const store_site& s, bool sync, size_t initial_map_size,
                                uint8_t format, Tables& tables, Make&& make) {
  if (auto problem = prepare_dir(s.dir, s.read_only, s.what))
    throw Error(problem->kind, problem->message);
  try {
    auto e = std::make_unique<env>(
        store_env_options(s.dir, s.read_only, sync, initial_map_size, s.max_map_size));
    txn t{*e, !s.read_only};
    tables = make([&](const char* name) { return db{t, name, !s.read_only}; });
    if (auto problem = check_format(t, tables.meta, format, s.read_only, s.what, s.dir))
      throw Error(problem->kind, problem->message);
    t.commit();
    return e;
  } catch (const error& e) {
    if (e.code() == MDB_NOTFOUND)
      throw Error(store_failure::corrupt, std::string{s.what} + " at " + s.dir.string() +
                                              " is not a vfb " + std::string{s.what} +
                                              " (tables missing)");
    throw_store_error<Error>(e, s);
  }
}

/// read_shared, with failures as `Error`.
template <class Error, class F>
auto guarded_read(env& e, std::shared_mutex& resize, const store_site& s, F&& f) {
  try {
    return read_shared(e, resize, f);
  } catch (const error& x) {
    throw_store_error<Error>(x, s);
  } catch (const codec::decode_error& x) {
    throw_corrupt<Error>(x, s);
  }
}

/// write_growing, with failures as `Error`; refused (io) when the store is open read-only.
template <class Error, class F>
auto guarded_write(env& e, std::shared_mutex& resize, const store_site& s, F&& f) {
  if (s.read_only)
    throw Error(store_failure::io,
                std::string{s.what} + " at " + s.dir.string() + " is open read-only");
  try {
    return write_growing(e, resize, f);
  } catch (const error& x) {
    throw_store_error<Error>(x, s);
  } catch (const codec::decode_error& x) {
    throw_corrupt<Error>(x, s);
  }
}

} // namespace vfb::lmdb
