// The follow registry: which channels (or feeds) each workspace follows, how far each has been
// listed, and the per-workspace auto-follow setting. Plain C++ over LMDB (no CAF), in its own
// environment (DATA_DIR/follows) with one named database per concern:
//
//   follows     id -> follow record
//   by_channel  (tenant, workspace, channel_url) -> id   (one follow per channel per workspace)
//   due         (next_refresh_at, id) of unpaused follows (what `due` reads, soonest first)
//   settings    (tenant, workspace) -> auto-follow setting (on / off; absent = inherit)
//   meta        format version, next follow id
//
// Short write transactions, each fsynced (unless `sync` is off). Several threads of one process
// may use one registry; LMDB serialises the writers. Readers in other processes (the CLI next to
// a running node) see every committed change.
#pragma once

#include "messages/follow.hpp"
#include "messages/job.hpp"
#include "storage/lmdb_store.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vfb {

/// Where the registry lives (e.g. DATA_DIR/follows) and how it writes; see lmdb::store_options.
struct follow_registry_options : lmdb::store_options {
  follow_registry_options() { initial_map_size = size_t{16} << 20; }
};

/// Whether a workspace auto-follows uploaders: its own setting, else the node's flag.
enum class auto_follow_setting : uint8_t { inherit = 0, on = 1, off = 2 };

std::string_view to_string(auto_follow_setting s);
/// "on", "off", "inherit"; nullopt for anything else.
std::optional<auto_follow_setting> parse_auto_follow_setting(std::string_view s);

/// The result of `add`: the follow and whether it is new (false: the workspace already followed
/// that channel, and the existing record is returned unchanged).
struct follow_added {
  follow_record follow;
  bool created = false;
};

class follow_registry : private lmdb::store {
public:
  /// Opens (and when writable creates) the registry in `opts.dir`. Throws storage_error.
  explicit follow_registry(const follow_registry_options& opts);
  ~follow_registry();

  /// Adds a follow unless (tenant, workspace, channel_url) is followed already. The id,
  /// created_at (= now) and next_refresh_at (= now, unless set) are assigned here. Throws
  /// std::invalid_argument for an empty tenant, workspace or channel_url, one containing a zero
  /// byte, or keys over 400 bytes (the three with their length prefixes); storage_error for
  /// storage failures. Nothing is stored when it throws.
  follow_added add(follow_record f, millis now);

  std::optional<follow_record> get(uint64_t id) const;
  /// The follow of a channel in a workspace, if any.
  std::optional<follow_record> find(const std::string& tenant, const std::string& workspace,
                                    const std::string& channel_url) const;
  /// Follows of a tenant (and workspace, when not empty), oldest first. Empty tenant: all
  /// (the workspace is then ignored: workspace names mean nothing across tenants).
  std::vector<follow_record> list(const std::string& tenant = {},
                                  const std::string& workspace = {}) const;
  /// Follows that are not paused and whose next_refresh_at <= now, soonest first.
  std::vector<follow_record> due(millis now, size_t limit = 100) const;

  /// Replaces a stored follow (same id; tenant, workspace and channel_url must not change:
  /// std::invalid_argument). False when the id is unknown. Every field is taken from `f`,
  /// created_at included.
  bool update(const follow_record& f);
  /// Reads a follow, applies `change` and stores it, in one write transaction: a change made
  /// meanwhile elsewhere (a pause from the CLI while the refresher records a listing) is never
  /// overwritten by a stale copy. The identity rule of `update` holds; `change` must not touch
  /// the registry, and may run more than once (each time on a fresh copy: a transaction that
  /// fills the map is run again after it grows), so it must have no other effects. False (and
  /// `change` not called) when the id is unknown.
  bool modify(uint64_t id, const std::function<void(follow_record&)>& change);
  /// Pauses a follow (no more listings), or resumes it (listed again from `now`); false when
  /// the id is unknown.
  bool set_paused(uint64_t id, bool paused, millis now);
  /// Removes a follow; false when the id is unknown.
  bool remove(uint64_t id);

  auto_follow_setting setting(const std::string& tenant, const std::string& workspace) const;
  /// Stores a workspace's setting (inherit removes it).
  void set_setting(const std::string& tenant, const std::string& workspace, auto_follow_setting s);

  /// Compares the indexes with the follows table; one line per difference (empty: sound).
  std::vector<std::string> check_invariants() const;

private:
  struct dbs;
  std::unique_ptr<dbs> dbs_;
};

} // namespace vfb
