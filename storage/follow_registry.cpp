#include "storage/follow_registry.hpp"

#include "storage/codec.hpp"
#include "storage/follow_registry_layout.hpp"
#include "storage/lmdb_store.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

namespace vfb {

using namespace follow_layout;

struct follow_registry::dbs : tables {};

std::string_view to_string(auto_follow_setting s) {
  switch (s) {
  case auto_follow_setting::on:
    return "on";
  case auto_follow_setting::off:
    return "off";
  case auto_follow_setting::inherit:
    break;
  }
  return "inherit";
}

std::optional<auto_follow_setting> parse_auto_follow_setting(std::string_view s) {
  for (auto v : {auto_follow_setting::inherit, auto_follow_setting::on, auto_follow_setting::off})
    if (s == to_string(v))
      return v;
  return std::nullopt;
}

// -- follow_registry --------------------------------------------------------------------------

follow_registry::follow_registry(const follow_registry_options& opts)
    : lmdb::store(opts, "follow registry"), dbs_(std::make_unique<dbs>()) {
  open(format_version, static_cast<tables&>(*dbs_), [](auto table) {
    return tables{table("follows"), table("by_channel"), table("due"), table("settings"),
                  table("meta")};
  });
}

follow_registry::~follow_registry() = default;

follow_added follow_registry::add(follow_record f, millis now) {
  auto key = channel_key(f); // validates before anything is written
  return write([&](lmdb::txn& t) {
    if (auto existing = dbs_->by_channel.get(t, key))
      return follow_added{indexed_follow(t, *dbs_, key_id(*existing)), false};
    auto stored = f; // `f` stays untouched: a full map runs this again
    stored.id = next_id(t, *dbs_);
    stored.created_at = now;
    if (stored.next_refresh_at == 0)
      stored.next_refresh_at = now;
    put_follow(t, *dbs_, stored);
    dbs_->meta.put(t, "next_id", codec::be64(stored.id + 1));
    return follow_added{std::move(stored), true};
  });
}

std::optional<follow_record> follow_registry::get(uint64_t id) const {
  return read([&](lmdb::txn& t) { return get_follow(t, *dbs_, id); });
}

std::optional<follow_record> follow_registry::find(const std::string& tenant,
                                                   const std::string& workspace,
                                                   const std::string& channel_url) const {
  auto key = channel_key(tenant, workspace, channel_url);
  return read([&](lmdb::txn& t) -> std::optional<follow_record> {
    auto id = dbs_->by_channel.get(t, key);
    if (!id)
      return std::nullopt;
    return indexed_follow(t, *dbs_, key_id(*id));
  });
}

std::vector<follow_record> follow_registry::list(const std::string& tenant,
                                                 const std::string& workspace) const {
  // A tenant's (or workspace's) follows are one by_channel range, but in channel order: collect
  // their ids and read them in id order. All follows are simply the follows table in order.
  std::optional<std::string> prefix;
  if (!tenant.empty()) {
    check_part("tenant", tenant);
    prefix.emplace();
    codec::put_lp16(*prefix, tenant);
    if (!workspace.empty())
      *prefix = workspace_key(tenant, workspace);
  }
  return read([&](lmdb::txn& t) {
    std::vector<follow_record> out;
    if (!prefix) {
      lmdb::cursor c{t, dbs_->follows};
      for (bool at = c.first(); at; at = c.next())
        out.push_back(decode(c.key(), c.value()));
      return out;
    }
    std::vector<uint64_t> ids;
    lmdb::cursor c{t, dbs_->by_channel};
    for (bool at = c.seek_prefix(*prefix); at && c.key().substr(0, prefix->size()) == *prefix;
         at = c.next())
      ids.push_back(key_id(c.value()));
    std::sort(ids.begin(), ids.end());
    for (auto id : ids)
      out.push_back(indexed_follow(t, *dbs_, id));
    return out;
  });
}

std::vector<follow_record> follow_registry::due(millis now, size_t limit) const {
  return read([&](lmdb::txn& t) {
    std::vector<follow_record> out;
    lmdb::cursor c{t, dbs_->due};
    for (bool at = c.first(); at && out.size() < limit && due_key_time(c.key()) <= now;
         at = c.next())
      out.push_back(indexed_follow(t, *dbs_, codec::get_be64(c.key(), 8)));
    return out;
  });
}

bool follow_registry::update(const follow_record& f) {
  return modify(f.id, [&](follow_record& stored) { stored = f; });
}

bool follow_registry::set_paused(uint64_t id, bool paused, millis now) {
  return modify(id, [&](follow_record& f) {
    f.paused = paused;
    if (!paused)
      f.next_refresh_at = now; // listed again soon
  });
}

bool follow_registry::modify(uint64_t id, const std::function<void(follow_record&)>& change) {
  return write([&](lmdb::txn& t) {
    auto old = get_follow(t, *dbs_, id);
    if (!old)
      return false;
    auto f = *old;
    change(f);
    if (f.id != id || old->tenant != f.tenant || old->workspace != f.workspace ||
        old->channel_url != f.channel_url)
      throw std::invalid_argument("follow registry: follow " + std::to_string(id) +
                                  " cannot change its id, tenant, workspace or channel URL");
    // The identity is unchanged, so by_channel is rewritten as it was; only the due entry moves.
    del_follow(t, *dbs_, *old);
    put_follow(t, *dbs_, f);
    return true;
  });
}

bool follow_registry::remove(uint64_t id) {
  return write([&](lmdb::txn& t) {
    auto old = get_follow(t, *dbs_, id);
    if (!old)
      return false;
    del_follow(t, *dbs_, *old);
    return true;
  });
}

auto_follow_setting follow_registry::setting(const std::string& tenant,
                                             const std::string& workspace) const {
  auto key = workspace_key(tenant, workspace);
  return read([&](lmdb::txn& t) {
    auto raw = dbs_->settings.get(t, key);
    if (!raw)
      return auto_follow_setting::inherit;
    auto v = raw->size() == 1 ? static_cast<uint8_t>((*raw)[0]) : 0;
    if (v != static_cast<uint8_t>(auto_follow_setting::on) &&
        v != static_cast<uint8_t>(auto_follow_setting::off))
      throw codec::decode_error("malformed auto-follow setting");
    return static_cast<auto_follow_setting>(v);
  });
}

void follow_registry::set_setting(const std::string& tenant, const std::string& workspace,
                                  auto_follow_setting s) {
  auto key = workspace_key(tenant, workspace);
  if (s != auto_follow_setting::inherit && s != auto_follow_setting::on &&
      s != auto_follow_setting::off)
    throw std::invalid_argument("follow registry: unknown auto-follow setting");
  write([&](lmdb::txn& t) {
    if (s == auto_follow_setting::inherit)
      dbs_->settings.del(t, key);
    else
      dbs_->settings.put(t, key, std::string(1, static_cast<char>(s)));
  });
}

std::vector<std::string> follow_registry::check_invariants() const {
  return read([&](lmdb::txn& t) {
    std::vector<std::string> problems;
    auto report = [&](const std::string& what) {
      if (problems.size() < 100)
        problems.push_back(what);
    };
    // What the follows table says the indexes must hold.
    std::map<std::string, uint64_t> channels;
    std::set<std::string> due_keys;
    uint64_t highest = 0;
    lmdb::cursor follows{t, dbs_->follows};
    for (bool at = follows.first(); at; at = follows.next()) {
      follow_record f;
      try {
        f = decode(follows.key(), follows.value());
      } catch (const codec::decode_error& e) {
        report("a follow record does not decode: " + std::string{e.what()});
        continue;
      }
      auto where = "follow " + std::to_string(f.id) + ": ";
      highest = std::max(highest, f.id);
      if (f.id == 0)
        report(where + "has id 0");
      std::string key;
      try {
        key = channel_key(f);
      } catch (const std::invalid_argument& e) {
        report(where + e.what());
        continue;
      }
      if (!channels.emplace(key, f.id).second)
        report(where + "follows the same channel as follow " + std::to_string(channels[key]));
      if (!f.paused)
        due_keys.insert(due_key(f.next_refresh_at, f.id));
    }
    if (highest >= next_id(t, *dbs_))
      report("the next follow id is not above follow " + std::to_string(highest));
    // What the indexes hold.
    lmdb::cursor by_channel{t, dbs_->by_channel};
    for (bool at = by_channel.first(); at; at = by_channel.next()) {
      auto it = channels.find(std::string{by_channel.key()});
      auto id = by_channel.value().size() == 8 ? codec::get_be64(by_channel.value()) : 0;
      if (it == channels.end())
        report("by_channel names follow " + std::to_string(id) + " for a channel it lacks");
      else if (it->second != id)
        report("by_channel names follow " + std::to_string(id) + " instead of follow " +
               std::to_string(it->second));
      if (it != channels.end())
        channels.erase(it);
    }
    for (auto& [key, id] : channels)
      report("follow " + std::to_string(id) + " is missing from by_channel");
    lmdb::cursor due{t, dbs_->due};
    for (bool at = due.first(); at; at = due.next()) {
      auto id = due.key().size() == 16 ? codec::get_be64(due.key(), 8) : 0;
      if (due_keys.erase(std::string{due.key()}) == 0)
        report("the due index holds a stale entry for follow " + std::to_string(id));
    }
    for (auto& key : due_keys)
      report("follow " + std::to_string(codec::get_be64(key, 8)) +
             " is missing from the due index");
    lmdb::cursor settings{t, dbs_->settings};
    for (bool at = settings.first(); at; at = settings.next()) {
      auto v = settings.value();
      if (v.size() != 1 || (v[0] != static_cast<char>(auto_follow_setting::on) &&
                            v[0] != static_cast<char>(auto_follow_setting::off)))
        report("a workspace has a malformed auto-follow setting");
    }
    return problems;
  });
}

} // namespace vfb
