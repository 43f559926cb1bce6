#include "storage/discord_store.hpp"

#include "storage/codec.hpp"
#include "storage/discord_store_layout.hpp"
#include "storage/lmdb_store.hpp"

namespace vfb {

using namespace discord_layout;

namespace {

struct tables {
  lmdb::db replies, digest, meta;
};

constexpr uint8_t format_version = 1;
constexpr size_t max_part = 400;

void check_part(const char* what, const std::string& value) {
  if (value.find('\0') != std::string::npos)
    throw std::invalid_argument(std::string{"discord store: "} + what + " contains a zero byte");
  if (value.size() > max_part)
    throw std::invalid_argument(std::string{"discord store: "} + what + " is longer than " +
                                std::to_string(max_part) + " bytes");
}

} // namespace

struct discord_store::dbs : tables {};

discord_store::discord_store(const discord_store_options& opts)
    : lmdb::store(opts, "discord store"), dbs_(std::make_unique<dbs>()) {
  open(format_version, static_cast<tables&>(*dbs_), [](auto table) {
    return tables{table("replies"), table("digest"), table("meta")};
  });
}

discord_store::~discord_store() = default;

pending_reply discord_store::add_reply(pending_reply r) {
  for (const auto* part : {&r.tenant, &r.workspace, &r.guild_id, &r.channel_id, &r.user_id})
    check_part("a reply field", *part);
  return write([&](lmdb::txn& t) {
    auto raw = dbs_->meta.get(t, "next_id");
    if (raw && raw->size() != 8)
      throw codec::decode_error("malformed next reply id");
    auto out = r;
    out.id = raw ? codec::get_be64(*raw) : 1;
    dbs_->replies.put(t, reply_key(out.job_id, out.id), encode_reply(out));
    dbs_->meta.put(t, "next_id", codec::be64(out.id + 1));
    return out;
  });
}

std::vector<pending_reply> discord_store::replies_for(uint64_t job_id) const {
  return read([&](lmdb::txn& t) {
    std::vector<pending_reply> out;
    lmdb::cursor c{t, dbs_->replies};
    auto prefix = codec::be64(job_id);
    for (bool at = c.seek_prefix(prefix); at && c.key().substr(0, 8) == prefix; at = c.next())
      out.push_back(decode_reply(c.key(), c.value()));
    return out;
  });
}

std::vector<uint64_t> discord_store::jobs_with_replies() const {
  return read([&](lmdb::txn& t) {
    std::vector<uint64_t> out;
    lmdb::cursor c{t, dbs_->replies};
    for (bool at = c.first(); at; at = c.next()) {
      auto job = decode_reply(c.key(), c.value()).job_id;
      if (out.empty() || out.back() != job)
        out.push_back(job);
    }
    return out;
  });
}

bool discord_store::remove_reply(uint64_t job_id, uint64_t reply_id) {
  return write([&](lmdb::txn& t) { return dbs_->replies.del(t, reply_key(job_id, reply_id)); });
}

void discord_store::add_digest_entry(const digest_entry& e) {
  for (const auto* part : {&e.tenant, &e.workspace, &e.group, &e.title, &e.url, &e.uploader})
    if (part->find('\0') != std::string::npos)
      throw std::invalid_argument("discord store: a digest field contains a zero byte");
  check_part("a digest group", e.group);
  auto key = digest_key(e);
  write([&](lmdb::txn& t) { dbs_->digest.put(t, key, encode_entry(e)); });
}

std::vector<digest_group> discord_store::digest_groups() const {
  return read([&](lmdb::txn& t) {
    std::vector<digest_group> out;
    lmdb::cursor c{t, dbs_->digest};
    for (bool at = c.first(); at; at = c.next()) {
      auto e = decode_entry(c.key(), c.value());
      if (out.empty() || out.back().tenant != e.tenant || out.back().workspace != e.workspace ||
          out.back().group != e.group)
        out.push_back({e.tenant, e.workspace, e.group, {}});
      out.back().entries.push_back(std::move(e));
    }
    return out;
  });
}

void discord_store::remove_digest_entries(const digest_group& g) {
  auto prefix = group_prefix(g.tenant, g.workspace, g.group);
  write([&](lmdb::txn& t) {
    for (const auto& e : g.entries)
      dbs_->digest.del(t, prefix + codec::be64(e.job_id));
  });
}

} // namespace vfb
