#include "adapters/discord_interactions.hpp"

#include "adapters/discord_webhook.hpp"

#include <algorithm>
#include <charconv>
#include <sodium.h>

namespace vfb {

namespace {

void ensure_sodium() {
  // sodium_init picks implementations and seeds its RNG; it must run before any other call and
  // is safe to call again, but a function-local static runs it once without a lock per request.
  static const int rc = sodium_init();
  if (rc < 0)
    throw std::runtime_error("libsodium could not be initialised");
}

// Decodes exactly `out.size()` bytes of hex; false for odd length, stray characters or a
// different length (sodium_hex2bin fails on trailing input when given no hex_end).
template <size_t N> bool decode_hex(std::string_view hex, unsigned char (&out)[N]) {
  if (hex.size() != 2 * N)
    return false;
  size_t len = 0;
  if (sodium_hex2bin(out, N, hex.data(), hex.size(), nullptr, &len, nullptr) != 0)
    return false;
  return len == N;
}

// Decimal seconds only: no sign, no spaces, short enough not to overflow.
std::optional<int64_t> parse_timestamp(std::string_view ts) {
  if (ts.empty() || ts.size() > 18)
    return std::nullopt;
  for (char c : ts)
    if (c < '0' || c > '9')
      return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), v);
  if (ec != std::errc{} || end != ts.data() + ts.size())
    return std::nullopt;
  return v;
}

[[noreturn]] void fail(const std::string& what) {
  throw discord_error("interaction: " + what);
}

const nlohmann::json& member(const nlohmann::json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null())
    fail("missing \"" + path + "\"");
  return *it;
}

// Snowflakes and tokens are JSON strings in Discord's payloads; anything else means the body is
// not what we think it is.
std::string string_field(const nlohmann::json& obj, const char* key, const std::string& path) {
  const auto& v = member(obj, key, path);
  if (!v.is_string() || v.get_ref<const std::string&>().empty())
    fail("\"" + path + "\" must be a non-empty string");
  return v.get<std::string>();
}

std::string option_text(const nlohmann::json& value, const std::string& path) {
  if (value.is_string())
    return value.get<std::string>();
  if (value.is_boolean())
    return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer())
    return value.dump(); // decimal, no exponent
  if (value.is_number_float())
    return value.dump();
  fail("\"" + path + "\" has a value of an unexpected kind");
}

// Subcommand groups (type 2) and subcommands (type 1) nest their options; vfb wants the names
// along the way and the leaf values in one map.
void flatten_options(const nlohmann::json& options, const std::string& path, interaction& out) {
  if (!options.is_array())
    fail("\"" + path + "\" must be an array");
  for (size_t i = 0; i < options.size(); ++i) {
    const auto& opt = options[i];
    auto here = path + "[" + std::to_string(i) + "]";
    if (!opt.is_object())
      fail("\"" + here + "\" must be an object");
    auto name = string_field(opt, "name", here + ".name");
    auto t = opt.find("type");
    int type = t != opt.end() && t->is_number_integer() ? t->get<int>() : 0;
    if (type == 1 || type == 2) {
      out.subcommands.push_back(name);
      if (auto sub = opt.find("options"); sub != opt.end())
        flatten_options(*sub, here + ".options", out);
      continue;
    }
    out.options[name] = option_text(member(opt, "value", here + ".value"), here + ".value");
  }
}

nlohmann::json no_mentions() {
  return {{"parse", nlohmann::json::array()}};
}

// Discord rejects a message with empty content (400), which the user would only see as
// "The application did not respond"; say so instead.
std::string content_of(const std::string& text) {
  return truncate_utf8(text.empty() ? std::string("(no output)") : text, discord_content_limit);
}

} // namespace

const char* to_string(signature_check c) {
  switch (c) {
  case signature_check::ok:
    return "ok";
  case signature_check::missing:
    return "missing";
  case signature_check::malformed:
    return "malformed";
  case signature_check::bad_signature:
    return "bad_signature";
  case signature_check::stale:
    return "stale";
  }
  return "?";
}

bool valid_public_key_hex(std::string_view public_key_hex) {
  ensure_sodium();
  unsigned char key[crypto_sign_PUBLICKEYBYTES];
  return decode_hex(public_key_hex, key);
}

signature_check verify_interaction_signature(std::string_view public_key_hex,
                                             std::string_view signature_hex,
                                             std::string_view timestamp, std::string_view body,
                                             int64_t now_s, int64_t max_age_s) {
  ensure_sodium();
  if (signature_hex.empty() || timestamp.empty())
    return signature_check::missing;
  unsigned char key[crypto_sign_PUBLICKEYBYTES];
  unsigned char sig[crypto_sign_BYTES];
  if (!decode_hex(public_key_hex, key) || !decode_hex(signature_hex, sig))
    return signature_check::malformed;
  auto ts = parse_timestamp(timestamp);
  if (!ts)
    return signature_check::malformed;

  std::string signed_message;
  signed_message.reserve(timestamp.size() + body.size());
  signed_message.append(timestamp).append(body);
  if (crypto_sign_verify_detached(sig,
                                  reinterpret_cast<const unsigned char*>(signed_message.data()),
                                  signed_message.size(), key) != 0)
    return signature_check::bad_signature;

  // Both directions: a timestamp far in the future would otherwise stay replayable until then.
  auto age = now_s - *ts;
  if (age > max_age_s || age < -max_age_s)
    return signature_check::stale;
  return signature_check::ok;
}

std::string interaction::option(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

interaction parse_interaction(std::string_view body) {
  auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded())
    fail("the body is not valid JSON");
  if (!j.is_object())
    fail("the body is not a JSON object");

  interaction in;
  const auto& type = member(j, "type", "type");
  if (!type.is_number_integer())
    fail("\"type\" must be an integer");
  in.type_code = type.get<int>();
  in.type = in.type_code == 1   ? interaction_type::ping
            : in.type_code == 2 ? interaction_type::application_command
                                : interaction_type::other;

  // A PING only needs a PONG, and Discord uses it to validate the endpoint URL; being strict
  // about its other fields could only make that validation fail.
  if (in.type == interaction_type::ping) {
    for (auto [key, field] :
         {std::pair{"id", &in.id}, std::pair{"application_id", &in.application_id},
          std::pair{"token", &in.token}})
      if (auto it = j.find(key); it != j.end() && it->is_string())
        *field = it->get<std::string>();
    return in;
  }

  in.id = string_field(j, "id", "id");
  in.application_id = string_field(j, "application_id", "application_id");
  in.token = string_field(j, "token", "token");
  if (auto g = j.find("guild_id"); g != j.end() && !g->is_null()) {
    if (!g->is_string() || g->get_ref<const std::string&>().empty())
      fail("\"guild_id\" must be a non-empty string");
    in.guild_id = g->get<std::string>();
  }

  if (auto c = j.find("channel_id"); c != j.end() && c->is_string())
    in.channel_id = c->get<std::string>();
  else if (auto ch = j.find("channel"); ch != j.end() && ch->is_object())
    in.channel_id = ch->value("id", std::string{});

  // In a guild the invoker is `member` (with roles); in a DM it is `user`.
  if (in.guild_id) {
    const auto& m = member(j, "member", "member");
    if (!m.is_object())
      fail("\"member\" must be an object");
    const auto& u = member(m, "user", "member.user");
    if (!u.is_object())
      fail("\"member.user\" must be an object");
    in.user_id = string_field(u, "id", "member.user.id");
    const auto& roles = member(m, "roles", "member.roles");
    if (!roles.is_array())
      fail("\"member.roles\" must be an array");
    for (const auto& r : roles) {
      if (!r.is_string())
        fail("\"member.roles\" must hold role id strings");
      in.roles.push_back(r.get<std::string>());
    }
  } else {
    const auto& u = member(j, "user", "user");
    if (!u.is_object())
      fail("\"user\" must be an object");
    in.user_id = string_field(u, "id", "user.id");
  }

  if (in.type != interaction_type::application_command)
    return in;
  const auto& data = member(j, "data", "data");
  if (!data.is_object())
    fail("\"data\" must be an object");
  in.command = string_field(data, "name", "data.name");
  if (auto opts = data.find("options"); opts != data.end() && !opts->is_null())
    flatten_options(*opts, "data.options", in);
  return in;
}

nlohmann::json pong() {
  return {{"type", 1}};
}

nlohmann::json deferred_response(bool ephemeral) {
  nlohmann::json r = {{"type", 5}};
  if (ephemeral)
    r["data"] = {{"flags", 64}};
  return r;
}

nlohmann::json message_response(const std::string& text, bool ephemeral) {
  nlohmann::json data = {{"content", content_of(text)}, {"allowed_mentions", no_mentions()}};
  if (ephemeral)
    data["flags"] = 64;
  return {{"type", 4}, {"data", data}};
}

nlohmann::json edit_original_body(const std::string& text) {
  return {{"content", content_of(text)}, {"allowed_mentions", no_mentions()}};
}

nlohmann::json answer_message_body(const std::string& text, const std::string& user_id) {
  if (user_id.empty() || user_id.find_first_not_of("0123456789") != std::string::npos)
    return edit_original_body(text);
  // `users` alone (no `parse`: the two exclude each other) pings exactly this user.
  return {{"content", content_of("<@" + user_id + "> " + text)},
          {"allowed_mentions", {{"users", nlohmann::json::array({user_id})}}}};
}

std::string channel_messages_path(const std::string& channel_id) {
  return "/channels/" + channel_id + "/messages";
}

std::string edit_original_path(const interaction& in) {
  return "/webhooks/" + in.application_id + "/" + in.token + "/messages/@original";
}

std::optional<guild_binding> resolve_guild(const std::map<std::string, guild_binding>& guilds,
                                           const interaction& in) {
  if (!in.guild_id)
    return std::nullopt;
  auto it = guilds.find(*in.guild_id);
  if (it == guilds.end())
    return std::nullopt;
  return it->second;
}

bool is_operator(const guild_binding& binding, const interaction& in) {
  return std::any_of(in.roles.begin(), in.roles.end(), [&](const std::string& r) {
    return std::find(binding.operator_role_ids.begin(), binding.operator_role_ids.end(), r) !=
           binding.operator_role_ids.end();
  });
}

} // namespace vfb
