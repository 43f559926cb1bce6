// How the follow registry lays out its LMDB databases: the tables, the keys and the record
// codec, and the reads and writes that keep a follow and its index entries together. Private
// to storage/follow_registry*.cpp.
#pragma once

#include "storage/follow_registry.hpp"
#include "storage/lmdb.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfb::follow_layout {

// -- layout -----------------------------------------------------------------------------------
//
//   follows     be64 id                                    -> follow record
//   by_channel  lp16 tenant | lp16 workspace | lp16 channel -> be64 id
//   due         be64 biased next_refresh_at | be64 id      -> (empty)   unpaused follows only
//   settings    lp16 tenant | lp16 workspace               -> one byte: auto_follow_setting
//   meta        "format" -> one byte; "next_id" -> be64
// Length prefixes keep the composite keys unambiguous whatever the strings hold (zero bytes are
// refused anyway), and make "lp16 tenant" a prefix of exactly that tenant's keys. The due index
// leaves paused follows out, so `due` reads its range in order and never skips entries.

struct tables {
  lmdb::db follows, by_channel, due, settings, meta;
};

inline constexpr uint8_t format_version = 1;
inline constexpr size_t max_key = 400; // below LMDB's 511-byte key limit

/// Validates one part of a key: what a caller passed as a tenant, workspace or channel URL
/// (std::invalid_argument when empty, with a zero byte, or longer than max_key).
void check_part(const char* what, const std::string& value);

std::string id_key(uint64_t id);
uint64_t key_id(std::string_view key);
std::string encode(const follow_record& f);
follow_record decode(std::string_view key, std::string_view value);

/// (tenant, workspace): the settings key and the prefix of the workspace's by_channel keys.
/// Throws std::invalid_argument for empty parts, zero bytes and keys over max_key.
std::string workspace_key(const std::string& tenant, const std::string& workspace);
std::string channel_key(const std::string& tenant, const std::string& workspace,
                        const std::string& channel_url);
std::string channel_key(const follow_record& f);

/// Flipping the sign bit makes big-endian byte order the numeric order of signed times.
std::string due_key(millis at, uint64_t id);
millis due_key_time(std::string_view key);

/// Stores `f` with every index entry it needs.
void put_follow(lmdb::txn& t, const tables& d, const follow_record& f);
/// Removes `f` (as stored) and its index entries.
void del_follow(lmdb::txn& t, const tables& d, const follow_record& f);
std::optional<follow_record> get_follow(lmdb::txn& t, const tables& d, uint64_t id);
/// The follow an index entry names; a missing one means the index is corrupt.
follow_record indexed_follow(lmdb::txn& t, const tables& d, uint64_t id);
uint64_t next_id(lmdb::txn& t, const tables& d);

} // namespace vfb::follow_layout
