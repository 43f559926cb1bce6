// The follow registry's layout (storage/follow_registry_layout.hpp).
#include "storage/follow_registry_layout.hpp"

#include "storage/codec.hpp"

#include <stdexcept>

namespace vfb::follow_layout {

namespace {

/// The stored form of a follow_record (the id is the key). Fields are appended, never reordered.
struct stored_follow {
  static constexpr const char* name = "follow record";
  follow_record r;
  template <class Self, class F> static void fields(Self& s, F&& f) {
    f(s.r.tenant);
    f(s.r.workspace);
    f(s.r.channel_url);
    f(s.r.source);
    f(s.r.uploader);
    f(s.r.origin);
    f(s.r.created_from_job);
    f(s.r.created_at);
    f(s.r.since);
    f(s.r.limit);
    f(s.r.paused);
    f(s.r.last_listed_at);
    f(s.r.next_refresh_at);
    f(s.r.newest_id);
    f(s.r.newest_timestamp);
    f(s.r.enqueued_total);
    f(s.r.last_error);
    f(codec::added_later{s.r.newest_ids});
  }
};

std::string checked_key(const std::string& key) {
  if (key.size() > max_key)
    throw std::invalid_argument("follow registry: tenant, workspace and channel URL together are "
                                "longer than " +
                                std::to_string(max_key) + " bytes");
  return key;
}

} // namespace

void check_part(const char* what, const std::string& value) {
  if (value.empty())
    throw std::invalid_argument(std::string{"follow registry: empty "} + what);
  if (value.find('\0') != std::string::npos)
    throw std::invalid_argument(std::string{"follow registry: "} + what + " contains a zero byte");
  if (value.size() > max_key)
    throw std::invalid_argument(std::string{"follow registry: "} + what + " is longer than " +
                                std::to_string(max_key) + " bytes");
}

std::string id_key(uint64_t id) {
  return codec::be64(id);
}

uint64_t key_id(std::string_view key) {
  if (key.size() != 8)
    throw codec::decode_error("malformed follow id key");
  return codec::get_be64(key);
}

std::string encode(const follow_record& f) {
  return codec::encode(stored_follow{f});
}

follow_record decode(std::string_view key, std::string_view value) {
  auto r = codec::decode<stored_follow>(value).r;
  if (r.origin > job_origin::refresh)
    throw codec::decode_error("a follow record has an unknown origin");
  r.id = key_id(key);
  return r;
}

std::string workspace_key(const std::string& tenant, const std::string& workspace) {
  check_part("tenant", tenant);
  check_part("workspace", workspace);
  std::string k;
  codec::put_lp16(k, tenant);
  codec::put_lp16(k, workspace);
  return checked_key(k);
}

std::string channel_key(const std::string& tenant, const std::string& workspace,
                        const std::string& channel_url) {
  check_part("channel URL", channel_url);
  auto k = workspace_key(tenant, workspace);
  codec::put_lp16(k, channel_url);
  return checked_key(k);
}

std::string channel_key(const follow_record& f) {
  return channel_key(f.tenant, f.workspace, f.channel_url);
}

std::string due_key(millis at, uint64_t id) {
  std::string k;
  codec::put_be64(k, static_cast<uint64_t>(at) ^ (uint64_t{1} << 63));
  codec::put_be64(k, id);
  return k;
}

millis due_key_time(std::string_view key) {
  if (key.size() != 16)
    throw codec::decode_error("malformed due key");
  return static_cast<millis>(codec::get_be64(key) ^ (uint64_t{1} << 63));
}

void put_follow(lmdb::txn& t, const tables& d, const follow_record& f) {
  d.follows.put(t, id_key(f.id), encode(f));
  d.by_channel.put(t, channel_key(f), id_key(f.id));
  if (!f.paused)
    d.due.put(t, due_key(f.next_refresh_at, f.id), {});
}

void del_follow(lmdb::txn& t, const tables& d, const follow_record& f) {
  d.follows.del(t, id_key(f.id));
  d.by_channel.del(t, channel_key(f));
  if (!f.paused)
    d.due.del(t, due_key(f.next_refresh_at, f.id));
}

std::optional<follow_record> get_follow(lmdb::txn& t, const tables& d, uint64_t id) {
  auto key = id_key(id);
  auto raw = d.follows.get(t, key);
  if (!raw)
    return std::nullopt;
  return decode(key, *raw);
}

follow_record indexed_follow(lmdb::txn& t, const tables& d, uint64_t id) {
  auto f = get_follow(t, d, id);
  if (!f)
    throw codec::decode_error("an index names follow " + std::to_string(id) +
                              ", which is not stored");
  return std::move(*f);
}

uint64_t next_id(lmdb::txn& t, const tables& d) {
  auto raw = d.meta.get(t, "next_id");
  if (raw && raw->size() != 8)
    throw codec::decode_error("malformed next follow id");
  return raw ? codec::get_be64(*raw) : 1;
}

} // namespace vfb::follow_layout
