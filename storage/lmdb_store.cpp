// The non-template part of lmdb_store.hpp: how the stores word their failures.
#include "storage/lmdb_store.hpp"

namespace vfb::lmdb {

void throw_store_error(const error& e, const store_site& s) {
  auto problem = describe(e, s.what, s.dir, s.max_map_size, s.size_key);
  throw storage_error(problem.kind, problem.message);
}

void throw_corrupt(const codec::decode_error& e, const store_site& s) {
  throw storage_error(store_failure::corrupt,
                      std::string{s.what} + " at " + s.dir.string() + " is corrupt: " + e.what());
}

void throw_if(const std::optional<store_problem>& problem) {
  if (problem)
    throw storage_error(problem->kind, problem->message);
}

store::store(const store_options& opts, std::string_view what, std::string_view size_key)
    : opts_(opts), what_(what), size_key_(size_key) {}

store::~store() = default;

store_site store::site() const {
  return {what_, opts_.dir, opts_.read_only, opts_.max_map_size, size_key_};
}

void store::refuse_if_read_only() const {
  if (opts_.read_only)
    throw storage_error(store_failure::io,
                        std::string{what_} + " at " + opts_.dir.string() + " is open read-only");
}

void store::sync_to_disk() {
  try {
    env_->sync(true);
  } catch (const error& e) {
    throw_store_error(e, site());
  }
}

} // namespace vfb::lmdb
