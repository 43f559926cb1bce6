// Discord interactions without the HTTP server: checking a request's Ed25519 signature, reading
// a PING or slash-command payload, and building the answers and the follow-up edit. Plain C++
// (libsodium, nlohmann::json); the bridge actor and the server wrap these.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// A payload that is not JSON or lacks a field an interaction needs. what() names the field.
struct discord_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// How a signature check went. Everything but `ok` must answer 401.
enum class signature_check {
  ok,
  missing,       // no signature or no timestamp header value
  malformed,     // not hex, the wrong length, a non-decimal timestamp, or an unusable public key
  bad_signature, // well-formed but not made by the application's key over timestamp + body
  stale,         // a genuine signature whose timestamp is more than max_age_s away from now
};

/// "ok", "missing", ... for logs.
const char* to_string(signature_check c);

/// True for 64 hex digits (a 32-byte Ed25519 public key), so configuration can be rejected at
/// startup instead of every request failing as `malformed`.
bool valid_public_key_hex(std::string_view public_key_hex);

/// Checks X-Signature-Ed25519 (`signature_hex`) and X-Signature-Timestamp (`timestamp`) against
/// the raw request body, as Discord signs it: Ed25519 over timestamp followed by body. The
/// timestamp must be decimal seconds within ±max_age_s of `now_s` so a captured request cannot
/// be replayed later. The signature is checked before the age, so `stale` only ever describes a
/// genuine (replayed or delayed) request.
signature_check verify_interaction_signature(std::string_view public_key_hex,
                                             std::string_view signature_hex,
                                             std::string_view timestamp, std::string_view body,
                                             int64_t now_s, int64_t max_age_s = 300);

enum class interaction_type {
  ping = 1,
  application_command = 2,
  other = 0, // components, autocomplete, modals: not used by vfb; see `type_code`
};

/// What vfb needs from an interaction payload.
struct interaction {
  interaction_type type = interaction_type::other;
  int type_code = 0; // Discord's number, kept for `other`
  std::string id;
  std::string application_id;
  /// Lets the follow-up edit the deferred reply for 15 minutes: a credential, keep it out of logs.
  std::string token;
  std::optional<std::string> guild_id; // absent in DMs
  std::string channel_id;              // where it was invoked ("" when Discord left it out)
  std::string user_id;                 // member.user.id in a guild, user.id in a DM
  std::vector<std::string> roles;      // member.roles; empty in a DM
  std::string command;                 // data.name
  /// Subcommand group and subcommand names, outermost first (empty for a flat command).
  std::vector<std::string> subcommands;
  /// Leaf options by name, values as text: strings as they are, booleans "true"/"false",
  /// integers in decimal, snowflakes (users, roles, channels) as their id.
  std::map<std::string, std::string> options;

  /// options[name], or `fallback` when the user left it out.
  std::string option(const std::string& name, const std::string& fallback = {}) const;
};

/// Reads an interaction from the (already verified) request body. Throws discord_error for
/// malformed JSON or a missing/mistyped field, naming it ("interaction: missing \"token\"").
interaction parse_interaction(std::string_view body);

/// Discord's limit for a message's content, in characters.
inline constexpr size_t discord_content_limit = 2000;

/// The answer to a PING (type 1).
nlohmann::json pong();

/// "Thinking…" (type 5): the result follows later through edit_original_body. Ephemeral
/// deferrals make the eventual edit visible to the invoking user only.
nlohmann::json deferred_response(bool ephemeral = false);

/// An immediate message (type 4), cut to Discord's content limit on a UTF-8 boundary, with
/// mentions disabled so text taken from a video (titles, uploaders) can never ping anyone.
nlohmann::json message_response(const std::string& text, bool ephemeral);

/// The body of PATCH /webhooks/{application_id}/{token}/messages/@original that replaces a
/// deferred reply; same cut and mention rules as message_response.
nlohmann::json edit_original_body(const std::string& text);

/// A message that answers `user_id` (a bot message to a channel, or a webhook post): the text
/// after a mention of that user, who alone may be pinged by it (titles can never ping anyone).
nlohmann::json answer_message_body(const std::string& text, const std::string& user_id);

/// "/channels/{channel_id}/messages", relative to the API base URL (a bot message).
std::string channel_messages_path(const std::string& channel_id);

/// "/webhooks/{application_id}/{token}/messages/@original", relative to the API base URL.
std::string edit_original_path(const interaction& in);

/// Which tenant/workspace a guild's commands act on, and who may run operator commands there.
struct guild_binding {
  std::string tenant;
  std::string workspace;
  std::vector<std::string> operator_role_ids;
};

/// The binding for the interaction's guild; nullopt in a DM or for a guild not in the config
/// (such commands must be refused: they would otherwise act on nobody's workspace).
std::optional<guild_binding> resolve_guild(const std::map<std::string, guild_binding>& guilds,
                                           const interaction& in);

/// True when the member holds one of the binding's operator roles.
bool is_operator(const guild_binding& binding, const interaction& in);

} // namespace vfb
