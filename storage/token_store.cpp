#include "storage/token_store.hpp"

#include "storage/codec.hpp"
#include "storage/lmdb_store.hpp"
#include "storage/secrets.hpp"
#include "storage/token_store_layout.hpp"

#include <sodium.h>

namespace vfb {

using namespace token_layout;

// -- layout -----------------------------------------------------------------------------------
//
//   tokens   be64 id                 -> token record
//   by_hash  32-byte BLAKE2b-256 hash -> be64 id
//   meta     "format" -> one byte; "next_id" -> be64
// The token text is "vfb_" and a secret (storage/secrets.hpp), stored as the secret's hash.

namespace {

struct tables {
  lmdb::db tokens, by_hash, meta;
};

} // namespace

struct token_store::dbs : tables {};

namespace {

constexpr uint8_t format_version = 1;
constexpr size_t max_part = 400; // like the follow registry's keys
constexpr std::string_view token_prefix = "vfb_";
/// The token text's length: the prefix and its secret in unpadded base64 (43 characters).
constexpr size_t token_length = token_prefix.size() + (secret_bytes * 4 + 2) / 3;

std::optional<token_record> get_token(lmdb::txn& t, const tables& d, uint64_t id) {
  auto key = id_key(id);
  auto raw = d.tokens.get(t, key);
  if (!raw)
    return std::nullopt;
  return decode_token(key, *raw);
}

uint64_t next_id(lmdb::txn& t, const tables& d) {
  auto raw = d.meta.get(t, "next_id");
  if (raw && raw->size() != 8)
    throw codec::decode_error("malformed next token id");
  return raw ? codec::get_be64(*raw) : 1;
}

/// Validates a string a caller passed: a tenant or workspace (`required`), or a label.
void check_part(const char* what, const std::string& value, bool required = true) {
  if (required && value.empty())
    throw std::invalid_argument(std::string{"token store: empty "} + what);
  if (value.find('\0') != std::string::npos)
    throw std::invalid_argument(std::string{"token store: "} + what + " contains a zero byte");
  if (value.size() > max_part)
    throw std::invalid_argument(std::string{"token store: "} + what + " is longer than " +
                                std::to_string(max_part) + " bytes");
}

std::string new_token_text() {
  return std::string{token_prefix} + random_secret();
}

} // namespace

std::string_view to_string(token_role r) {
  return r == token_role::operator_ ? "operator" : "viewer";
}

std::optional<token_role> parse_token_role(std::string_view s) {
  for (auto r : {token_role::viewer, token_role::operator_})
    if (s == to_string(r))
      return r;
  return std::nullopt;
}

// -- token_store ------------------------------------------------------------------------------

token_store::token_store(const token_store_options& opts)
    : lmdb::store(opts, "token store"), dbs_(std::make_unique<dbs>()) {
  if (sodium_init() < 0)
    throw storage_error(store_failure::io, "libsodium failed to initialise");
  open(format_version, static_cast<tables&>(*dbs_), [](auto table) {
    return tables{table("tokens"), table("by_hash"), table("meta")};
  });
}

token_store::~token_store() = default;

created_token token_store::create(const std::string& tenant, const std::string& workspace,
                                  token_role role, const std::string& label, millis now) {
  check_part("tenant", tenant);
  check_part("workspace", workspace);
  check_part("label", label, false);
  if (role != token_role::viewer && role != token_role::operator_)
    throw std::invalid_argument("token store: unknown role");
  created_token out;
  out.token = new_token_text(); // outside the transaction: a full map runs it again
  auto hash = secret_hash(out.token);
  out.record = write([&](lmdb::txn& t) {
    token_record r{next_id(t, *dbs_), tenant, workspace, role, label, now, 0};
    // 256 random bits do not collide; an existing entry means the store is broken, and
    // overwriting it would hand another token's identity to this one.
    if (dbs_->by_hash.get(t, hash))
      throw codec::decode_error("a new token's hash is stored already");
    dbs_->tokens.put(t, id_key(r.id), encode_token(r));
    dbs_->by_hash.put(t, hash, id_key(r.id));
    dbs_->meta.put(t, "next_id", codec::be64(r.id + 1));
    return r;
  });
  return out;
}

std::optional<token_record> token_store::verify(std::string_view token) const {
  // The format is public, so refusing a malformed text early reveals nothing.
  if (token.size() != token_length || token.substr(0, token_prefix.size()) != token_prefix)
    return std::nullopt;
  auto hash = secret_hash(token);
  return read([&](lmdb::txn& t) -> std::optional<token_record> {
    auto id = dbs_->by_hash.get(t, hash);
    if (!id)
      return std::nullopt;
    auto r = get_token(t, *dbs_, key_id(*id));
    if (!r)
      throw codec::decode_error("by_hash names a token that is not stored");
    if (!r->active())
      return std::nullopt;
    return r;
  });
}

bool token_store::revoke(uint64_t id, millis now) {
  return write([&](lmdb::txn& t) {
    auto r = get_token(t, *dbs_, id);
    if (!r)
      return false;
    if (r->active()) {
      r->revoked_at = now;
      dbs_->tokens.put(t, id_key(id), encode_token(*r));
    }
    return true;
  });
}

std::optional<token_record> token_store::get(uint64_t id) const {
  return read([&](lmdb::txn& t) { return get_token(t, *dbs_, id); });
}

std::vector<token_record> token_store::list(const std::string& tenant,
                                            const std::string& workspace) const {
  if (!tenant.empty())
    check_part("tenant", tenant);
  if (!workspace.empty())
    check_part("workspace", workspace);
  // A node has a handful of tokens: a scan of the table is cheaper than keeping an index.
  return read([&](lmdb::txn& t) {
    std::vector<token_record> out;
    lmdb::cursor c{t, dbs_->tokens};
    for (bool at = c.first(); at; at = c.next()) {
      auto r = decode_token(c.key(), c.value());
      if (tenant.empty() || (r.tenant == tenant && (workspace.empty() || r.workspace == workspace)))
        out.push_back(std::move(r));
    }
    return out;
  });
}

} // namespace vfb
