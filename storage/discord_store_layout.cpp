// The discord store's keys and records (see discord_store_layout.hpp).
#include "storage/discord_store_layout.hpp"

#include "storage/codec.hpp"

namespace vfb::discord_layout {

namespace {

/// Stored records (keys hold the ids). Fields are appended, never reordered.
struct stored_reply {
  static constexpr const char* name = "pending reply";
  pending_reply r;
  template <class Self, class F> static void fields(Self& s, F&& f) {
    f(s.r.tenant);
    f(s.r.workspace);
    f(s.r.guild_id);
    f(s.r.channel_id);
    f(s.r.user_id);
    f(s.r.created_at);
  }
};

struct stored_entry {
  static constexpr const char* name = "digest entry";
  digest_entry e;
  template <class Self, class F> static void fields(Self& s, F&& f) {
    f(s.e.tenant);
    f(s.e.workspace);
    f(s.e.group);
    f(s.e.title);
    f(s.e.url);
    f(s.e.added_at);
    f(s.e.uploader);
  }
};

} // namespace

std::string reply_key(uint64_t job, uint64_t id) {
  return codec::be64(job) + codec::be64(id);
}

pending_reply decode_reply(std::string_view key, std::string_view value) {
  if (key.size() != 16)
    throw codec::decode_error("malformed pending reply key");
  auto r = codec::decode<stored_reply>(value).r;
  r.job_id = codec::get_be64(key, 0);
  r.id = codec::get_be64(key, 8);
  return r;
}

std::string group_prefix(const std::string& tenant, const std::string& workspace,
                         const std::string& group) {
  codec::writer w;
  w.str(tenant);
  w.str(workspace);
  w.str(group);
  return std::move(w.buffer());
}

std::string digest_key(const digest_entry& e) {
  return group_prefix(e.tenant, e.workspace, e.group) + codec::be64(e.job_id);
}

std::string encode_reply(const pending_reply& r) {
  return codec::encode(stored_reply{r});
}

std::string encode_entry(const digest_entry& e) {
  return codec::encode(stored_entry{e});
}

digest_entry decode_entry(std::string_view key, std::string_view value) {
  if (key.size() < 8)
    throw codec::decode_error("malformed digest key");
  auto e = codec::decode<stored_entry>(value).e;
  e.job_id = codec::get_be64(key, key.size() - 8);
  return e;
}

} // namespace vfb::discord_layout
