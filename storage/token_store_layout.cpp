// The token store's keys and records (see token_store_layout.hpp).
#include "storage/token_store_layout.hpp"

#include "storage/codec.hpp"

namespace vfb::token_layout {

namespace {

/// The stored form of a token_record (the id is the key). Fields are appended, never reordered.
struct stored_token {
  static constexpr const char* name = "token record";
  token_record r;
  template <class Self, class F> static void fields(Self& s, F&& f) {
    f(s.r.tenant);
    f(s.r.workspace);
    f(s.r.role);
    f(s.r.label);
    f(s.r.created_at);
    f(s.r.revoked_at);
  }
};

} // namespace

std::string id_key(uint64_t id) {
  return codec::be64(id);
}

uint64_t key_id(std::string_view key) {
  if (key.size() != 8)
    throw codec::decode_error("malformed token id key");
  return codec::get_be64(key);
}

std::string encode_token(const token_record& r) {
  return codec::encode(stored_token{r});
}

token_record decode_token(std::string_view key, std::string_view value) {
  auto r = codec::decode<stored_token>(value).r;
  if (r.role > token_role::operator_)
    throw codec::decode_error("a token record has an unknown role");
  r.id = key_id(key);
  return r;
}

} // namespace vfb::token_layout
