// The token store: HTTP API bearer tokens, each bound to one tenant/workspace and a role. Plain
// C++ over LMDB (no CAF), in its own environment (DATA_DIR/tokens):
//
//   tokens   id -> token record (who it is for, its role, label, when created and revoked)
//   by_hash  BLAKE2b-256 of the token text -> id
//   meta     format version, next token id
//
// The token text exists only in what `create` returns: the store keeps its hash, so a copied
// data dir (or a backup) holds no usable credential. Revoked tokens keep their record (for
// `token ls`) and their hash entry (so `verify` can refuse them); ids are never reused.
//
// Short write transactions, each fsynced (unless `sync` is off). Several threads of one process
// may use one store; readers in other processes (a node next to the CLI) see every commit, so a
// revocation takes effect at the next `verify`.
#pragma once

#include "messages/job.hpp"
#include "storage/lmdb_store.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// Where the store lives (e.g. DATA_DIR/tokens) and how it writes; see lmdb::store_options. Its
/// 1 MiB initial map holds thousands of tokens (a record is ~100 bytes).
struct token_store_options : lmdb::store_options {};

/// What a token may do. viewer: read. operator: also submit, follow, retry, cancel, settings.
enum class token_role : uint8_t { viewer = 0, operator_ = 1 };

std::string_view to_string(token_role r);
/// "viewer" or "operator"; nullopt for anything else.
std::optional<token_role> parse_token_role(std::string_view s);

/// One token as stored: everything but the token text, which is never stored.
struct token_record {
  uint64_t id = 0;
  std::string tenant;
  std::string workspace;
  token_role role = token_role::viewer;
  std::string label; // free text for `token ls` (may be empty)
  millis created_at = 0;
  millis revoked_at = 0; // 0: active
  bool active() const { return revoked_at == 0; }
};

/// The result of `create`: the record and the token text, which nothing can show again.
struct created_token {
  token_record record;
  std::string token;
};

class token_store : private lmdb::store {
public:
  /// Opens (and when writable creates) the store in `opts.dir`. Throws storage_error.
  explicit token_store(const token_store_options& opts);
  ~token_store();

  /// Creates a token for a workspace. Throws std::invalid_argument for an empty tenant or
  /// workspace, a zero byte in any string, strings over 400 bytes or an unknown role;
  /// storage_error for storage failures. Nothing is stored when it throws.
  created_token create(const std::string& tenant, const std::string& workspace, token_role role,
                       const std::string& label, millis now);

  /// The active token whose text is `token`; nullopt for an unknown, malformed or revoked one.
  /// The text is only hashed and the hash looked up, so the time taken says nothing about how
  /// close a guess came to a real token.
  std::optional<token_record> verify(std::string_view token) const;

  /// Revokes a token (revoked_at = now). False when the id is unknown; true, changing nothing,
  /// when it is revoked already.
  bool revoke(uint64_t id, millis now);

  std::optional<token_record> get(uint64_t id) const;
  /// Tokens of a tenant (and workspace, when not empty), revoked ones too, oldest first. Empty
  /// tenant: all (the workspace is then ignored: workspace names mean nothing across tenants).
  std::vector<token_record> list(const std::string& tenant = {},
                                 const std::string& workspace = {}) const;

private:
  struct dbs;
  std::unique_ptr<dbs> dbs_;
};

} // namespace vfb
