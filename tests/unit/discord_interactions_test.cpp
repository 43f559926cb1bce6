// Discord interactions: requests signed here with libsodium as Discord would sign them, payloads
// shaped like Discord's, the answers' JSON, and the shipped command definitions.
#include "adapters/discord_interactions.hpp"

#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>
#include <sodium.h>

using namespace vfb;

namespace {

struct keypair {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  keypair() {
    REQUIRE(sodium_init() >= 0);
    crypto_sign_keypair(pk, sk);
  }
  std::string public_hex() const { return hex(pk, sizeof pk); }
  // What Discord puts in X-Signature-Ed25519: Ed25519 over timestamp + body, hex.
  std::string sign(const std::string& timestamp, const std::string& body) const {
    auto msg = timestamp + body;
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()),
                         msg.size(), sk);
    return hex(sig, sizeof sig);
  }
  static std::string hex(const unsigned char* bin, size_t n) {
    std::string out(2 * n + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bin, n);
    out.pop_back();
    return out;
  }
};

constexpr int64_t now = 1'700'000'000;
const std::string body = R"({"type":1,"id":"1","application_id":"2","token":"t"})";

size_t chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

std::string parse_error(const std::string& payload) {
  try {
    parse_interaction(payload);
  } catch (const discord_error& e) {
    return e.what();
  }
  FAIL("expected a discord_error for " << payload);
  return {};
}

// Trimmed from a real /analyze invocation in a guild.
const std::string analyze_payload = R"({
  "app_permissions": "2248473465835073",
  "application_id": "1110000000000000001",
  "channel_id": "1120000000000000002",
  "data": {
    "id": "1130000000000000003",
    "name": "analyze",
    "options": [{"name": "url", "type": 3, "value": "https://www.youtube.com/watch?v=abc"}],
    "type": 1
  },
  "guild_id": "1140000000000000004",
  "guild_locale": "en-US",
  "id": "1150000000000000005",
  "locale": "en-GB",
  "member": {
    "avatar": null,
    "nick": null,
    "permissions": "2248473465835073",
    "roles": ["1160000000000000006", "1160000000000000007"],
    "user": {"id": "1170000000000000008", "username": "alice", "global_name": "Alice"}
  },
  "token": "aW50ZXJhY3Rpb246MTE1MDAwMDAwMDAwMDAwMDA1OnNlY3JldA",
  "type": 2,
  "version": 1
})";

} // namespace

TEST_CASE("a request signed with the application's key over timestamp and body verifies") {
  keypair k;
  auto ts = std::to_string(now);
  CHECK(verify_interaction_signature(k.public_hex(), k.sign(ts, body), ts, body, now) ==
        signature_check::ok);
  // Upper-case hex is still hex.
  auto upper = k.sign(ts, body);
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(verify_interaction_signature(k.public_hex(), upper, ts, body, now) == signature_check::ok);
}

TEST_CASE("a changed body, a changed timestamp or another key is a bad signature") {
  keypair k, other;
  auto ts = std::to_string(now);
  auto sig = k.sign(ts, body);
  CHECK(verify_interaction_signature(k.public_hex(), sig, ts, body + " ", now) ==
        signature_check::bad_signature);
  auto ts2 = std::to_string(now + 1);
  CHECK(verify_interaction_signature(k.public_hex(), sig, ts2, body, now) ==
        signature_check::bad_signature);
  CHECK(verify_interaction_signature(other.public_hex(), sig, ts, body, now) ==
        signature_check::bad_signature);
  // Signed over the body alone (forgetting the timestamp) is not Discord's scheme.
  CHECK(verify_interaction_signature(k.public_hex(), k.sign("", body), ts, body, now) ==
        signature_check::bad_signature);
}

TEST_CASE("missing signature or timestamp header values are reported as missing") {
  keypair k;
  auto ts = std::to_string(now);
  auto sig = k.sign(ts, body);
  CHECK(verify_interaction_signature(k.public_hex(), "", ts, body, now) ==
        signature_check::missing);
  CHECK(verify_interaction_signature(k.public_hex(), sig, "", body, now) ==
        signature_check::missing);
  CHECK(verify_interaction_signature(k.public_hex(), "", "", body, now) ==
        signature_check::missing);
}

TEST_CASE("non-hex or wrong-length signatures and keys are malformed") {
  keypair k;
  auto ts = std::to_string(now);
  auto sig = k.sign(ts, body);
  auto not_hex = sig;
  not_hex[10] = 'g';
  CHECK(verify_interaction_signature(k.public_hex(), not_hex, ts, body, now) ==
        signature_check::malformed);
  CHECK(verify_interaction_signature(k.public_hex(), sig.substr(2), ts, body, now) ==
        signature_check::malformed);
  CHECK(verify_interaction_signature(k.public_hex(), sig + "00", ts, body, now) ==
        signature_check::malformed);
  CHECK(verify_interaction_signature(k.public_hex(), sig.substr(1), ts, body, now) ==
        signature_check::malformed); // odd length
  CHECK(verify_interaction_signature(k.public_hex(), sig + " ", ts, body, now) ==
        signature_check::malformed);
  CHECK(verify_interaction_signature(k.public_hex().substr(2), sig, ts, body, now) ==
        signature_check::malformed);
  CHECK(verify_interaction_signature("", sig, ts, body, now) == signature_check::malformed);
  CHECK(valid_public_key_hex(k.public_hex()));
  CHECK_FALSE(valid_public_key_hex(""));
  CHECK_FALSE(valid_public_key_hex(k.public_hex() + "0"));
  CHECK_FALSE(valid_public_key_hex(std::string(64, 'z')));
}

TEST_CASE("a non-numeric timestamp is malformed even when signed") {
  keypair k;
  for (std::string ts : {"abc", "-1700000000", "+1700000000", "1700000000.5", " 1700000000",
                         "1700000000 ", "99999999999999999999999"}) {
    INFO(ts);
    CHECK(verify_interaction_signature(k.public_hex(), k.sign(ts, body), ts, body, now) ==
          signature_check::malformed);
  }
}

TEST_CASE("a genuine signature older or further in the future than max age is stale") {
  keypair k;
  auto check_at = [&](int64_t ts_value, int64_t max_age) {
    auto ts = std::to_string(ts_value);
    return verify_interaction_signature(k.public_hex(), k.sign(ts, body), ts, body, now, max_age);
  };
  CHECK(check_at(now - 300, 300) == signature_check::ok);
  CHECK(check_at(now + 300, 300) == signature_check::ok);
  CHECK(check_at(now - 301, 300) == signature_check::stale);
  CHECK(check_at(now + 301, 300) == signature_check::stale);
  CHECK(check_at(now - 3600, 300) == signature_check::stale);
  CHECK(check_at(now - 10, 5) == signature_check::stale);
  CHECK(check_at(0, 300) == signature_check::stale);
  // A forged request with an old timestamp is a bad signature, not merely stale.
  auto old = std::to_string(now - 3600);
  CHECK(verify_interaction_signature(k.public_hex(), k.sign(old, body), old, body + "x", now) ==
        signature_check::bad_signature);
  CHECK(std::string(to_string(signature_check::stale)) == "stale");
}

TEST_CASE("a PING parses and is answered with a PONG") {
  auto in = parse_interaction(
      R"({"application_id":"1110000000000000001","id":"1150000000000000005","token":"tok","type":1,"user":{"id":"1","username":"discord"},"version":1})");
  CHECK(in.type == interaction_type::ping);
  CHECK(in.type_code == 1);
  CHECK(in.id == "1150000000000000005");
  CHECK(in.application_id == "1110000000000000001");
  CHECK(in.token == "tok");
  // Nothing but the type is needed to answer one.
  CHECK(parse_interaction(R"({"type":1})").type == interaction_type::ping);
  CHECK(pong() == nlohmann::json{{"type", 1}});
}

TEST_CASE("an /analyze command in a guild gives ids, token, member, roles and its url option") {
  auto in = parse_interaction(analyze_payload);
  CHECK(in.type == interaction_type::application_command);
  CHECK(in.id == "1150000000000000005");
  CHECK(in.application_id == "1110000000000000001");
  CHECK(in.token == "aW50ZXJhY3Rpb246MTE1MDAwMDAwMDAwMDAwMDA1OnNlY3JldA");
  REQUIRE(in.guild_id);
  CHECK(*in.guild_id == "1140000000000000004");
  CHECK(in.user_id == "1170000000000000008");
  CHECK(in.roles == std::vector<std::string>{"1160000000000000006", "1160000000000000007"});
  CHECK(in.command == "analyze");
  CHECK(in.subcommands.empty());
  CHECK(in.options ==
        std::map<std::string, std::string>{{"url", "https://www.youtube.com/watch?v=abc"}});
  CHECK(in.option("url") == "https://www.youtube.com/watch?v=abc");
  CHECK(in.option("absent", "dflt") == "dflt");
  CHECK(edit_original_path(in) ==
        "/webhooks/1110000000000000001/aW50ZXJhY3Rpb246MTE1MDAwMDAwMDAwMDAwMDA1OnNlY3JldA"
        "/messages/@original");
}

TEST_CASE("a /follow_uploader command carries its on or off choice") {
  auto in = parse_interaction(R"({
    "application_id": "11", "id": "15", "token": "tok", "type": 2, "guild_id": "14",
    "member": {"roles": [], "user": {"id": "17"}},
    "data": {"id": "13", "name": "follow_uploader", "type": 1,
             "options": [{"name": "mode", "type": 3, "value": "off"}]}
  })");
  CHECK(in.command == "follow_uploader");
  CHECK(in.option("mode") == "off");
  CHECK(in.roles.empty());
  CHECK(in.user_id == "17");
}

TEST_CASE("options of every kind and nested subcommands flatten to text by name") {
  auto in = parse_interaction(R"({
    "application_id": "11", "id": "15", "token": "tok", "type": 2,
    "user": {"id": "42"},
    "data": {"name": "admin", "options": [{
      "name": "follows", "type": 2, "options": [{
        "name": "list", "type": 1, "options": [
          {"name": "limit", "type": 4, "value": 25},
          {"name": "all", "type": 5, "value": true},
          {"name": "quiet", "type": 5, "value": false},
          {"name": "ratio", "type": 10, "value": 0.5},
          {"name": "who", "type": 6, "value": "1170000000000000008"},
          {"name": "text", "type": 3, "value": "caf\u00e9"}
        ]}]}]}
  })");
  CHECK_FALSE(in.guild_id); // a DM: the invoker is `user`, and there are no roles
  CHECK(in.user_id == "42");
  CHECK(in.roles.empty());
  CHECK(in.command == "admin");
  CHECK(in.subcommands == std::vector<std::string>{"follows", "list"});
  CHECK(in.options == std::map<std::string, std::string>{{"limit", "25"},
                                                         {"all", "true"},
                                                         {"quiet", "false"},
                                                         {"ratio", "0.5"},
                                                         {"who", "1170000000000000008"},
                                                         {"text", "caf\xC3\xA9"}});
  // A subcommand without options is allowed (Discord omits the array).
  auto bare = parse_interaction(
      R"({"application_id":"1","id":"2","token":"t","type":2,"user":{"id":"3"},
          "data":{"name":"queue","options":[{"name":"show","type":1}]}})");
  CHECK(bare.subcommands == std::vector<std::string>{"show"});
  CHECK(bare.options.empty());
}

TEST_CASE("malformed bodies throw a discord_error naming what is wrong") {
  CHECK_THAT(parse_error("{not json"), Catch::Contains("not valid JSON"));
  CHECK_THAT(parse_error("[1,2]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(parse_error(R"({"id":"1"})"), Catch::Contains("missing \"type\""));
  CHECK_THAT(parse_error(R"({"type":"2"})"), Catch::Contains("\"type\" must be an integer"));

  auto without = [](const char* key) {
    auto j = nlohmann::json::parse(analyze_payload);
    j.erase(key);
    return parse_error(j.dump());
  };
  CHECK_THAT(without("id"), Catch::Contains("missing \"id\""));
  CHECK_THAT(without("application_id"), Catch::Contains("missing \"application_id\""));
  CHECK_THAT(without("token"), Catch::Contains("missing \"token\""));
  CHECK_THAT(without("data"), Catch::Contains("missing \"data\""));
  CHECK_THAT(without("member"), Catch::Contains("missing \"member\""));

  auto edited = [](const std::function<void(nlohmann::json&)>& edit) {
    auto j = nlohmann::json::parse(analyze_payload);
    edit(j);
    return parse_error(j.dump());
  };
  CHECK_THAT(edited([](auto& j) { j["data"].erase("name"); }),
             Catch::Contains("missing \"data.name\""));
  CHECK_THAT(edited([](auto& j) { j["member"].erase("roles"); }),
             Catch::Contains("missing \"member.roles\""));
  CHECK_THAT(edited([](auto& j) {
               j["member"]["roles"] = {1, 2};
             }),
             Catch::Contains("member.roles"));
  CHECK_THAT(edited([](auto& j) { j["member"]["user"].erase("id"); }),
             Catch::Contains("missing \"member.user.id\""));
  CHECK_THAT(edited([](auto& j) { j["id"] = 1150000000000000005; }),
             Catch::Contains("\"id\" must be a non-empty string"));
  CHECK_THAT(edited([](auto& j) { j["token"] = ""; }),
             Catch::Contains("\"token\" must be a non-empty string"));
  CHECK_THAT(edited([](auto& j) { j["data"]["options"][0].erase("value"); }),
             Catch::Contains("missing \"data.options[0].value\""));
  CHECK_THAT(edited([](auto& j) { j["data"]["options"] = "url"; }),
             Catch::Contains("\"data.options\" must be an array"));
  // In a DM, `user` stands in for `member`.
  CHECK_THAT(edited([](auto& j) {
               j.erase("guild_id");
               j.erase("member");
             }),
             Catch::Contains("missing \"user\""));
}

TEST_CASE("responses have Discord's shapes, never mention anyone and honour ephemeral") {
  CHECK(deferred_response() == nlohmann::json{{"type", 5}});
  CHECK(deferred_response(true) == nlohmann::json::parse(R"({"type":5,"data":{"flags":64}})"));

  CHECK(message_response("Queued @everyone", false) ==
        nlohmann::json::parse(R"({"type":4,"data":{"content":"Queued @everyone",
                                   "allowed_mentions":{"parse":[]}}})"));
  auto eph = message_response("Only operators may do that.", true);
  CHECK(eph["type"] == 4);
  CHECK(eph["data"]["flags"] == 64);
  CHECK(eph["data"]["content"] == "Only operators may do that.");
  CHECK(eph["data"]["allowed_mentions"]["parse"].empty());

  CHECK(edit_original_body("Done: <@123>") ==
        nlohmann::json::parse(R"({"content":"Done: <@123>","allowed_mentions":{"parse":[]}})"));
  // Discord refuses empty content; the user gets a word instead of a failed interaction.
  CHECK_FALSE(edit_original_body("")["content"].get<std::string>().empty());
}

TEST_CASE("long text is cut to 2000 characters on a UTF-8 boundary") {
  std::string text;
  for (int i = 0; i < 1500; ++i)
    text += "h\xC3\xA9"; // "hé": 3000 characters, 4500 bytes
  for (const auto& content : {message_response(text, false)["data"]["content"].get<std::string>(),
                              edit_original_body(text)["content"].get<std::string>()}) {
    CHECK(chars(content) == discord_content_limit);
    CHECK(content.size() < text.size());
    auto ellipsis = std::string("\xE2\x80\xA6");
    REQUIRE(content.size() > ellipsis.size());
    CHECK(content.compare(content.size() - ellipsis.size(), ellipsis.size(), ellipsis) == 0);
    // The kept part is a prefix of the original: no half of a "é" left dangling.
    auto kept = content.substr(0, content.size() - ellipsis.size());
    CHECK(text.compare(0, kept.size(), kept) == 0);
    CHECK(kept.back() != '\xC3'); // the lead byte of "é" without its continuation
  }
  std::string exact(discord_content_limit, 'x');
  CHECK(edit_original_body(exact)["content"] == exact);
}

TEST_CASE("guilds resolve to their tenant and workspace and operators are found by role") {
  std::map<std::string, guild_binding> guilds{
      {"1140000000000000004", {"acme", "main", {"1160000000000000007"}}},
      {"999", {"other", "ws", {"555"}}}};
  auto in = parse_interaction(analyze_payload);
  auto b = resolve_guild(guilds, in);
  REQUIRE(b);
  CHECK(b->tenant == "acme");
  CHECK(b->workspace == "main");
  CHECK(is_operator(*b, in));
  CHECK_FALSE(is_operator(guilds.at("999"), in));
  in.roles = {"1160000000000000006"};
  CHECK_FALSE(is_operator(*b, in));

  in.guild_id = "123"; // a guild nobody configured
  CHECK_FALSE(resolve_guild(guilds, in));
  in.guild_id.reset(); // a DM
  in.roles.clear();
  CHECK_FALSE(resolve_guild(guilds, in));
  CHECK_FALSE(is_operator(*b, in));
}

TEST_CASE("conf/discord-commands.json defines every slash command in Discord's format") {
  std::ifstream f(VFB_SOURCE_DIR "/conf/discord-commands.json");
  REQUIRE(f);
  auto commands = nlohmann::json::parse(f);
  REQUIRE(commands.is_array());
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& c : commands) {
    REQUIRE(c.contains("name"));
    REQUIRE(c.contains("description"));
    auto name = c["name"].get<std::string>();
    auto description = c["description"].get<std::string>();
    INFO(name);
    // Discord's rules: lower-case names of 1-32 characters, descriptions of 1-100.
    CHECK(!name.empty());
    CHECK(name.size() <= 32);
    for (char ch : name)
      CHECK((std::islower(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' ||
             std::isdigit(static_cast<unsigned char>(ch))));
    CHECK(!description.empty());
    CHECK(description.size() <= 100);
    CHECK(c.value("type", 1) == 1); // a slash command
    for (const auto& o : c.value("options", nlohmann::json::array())) {
      CHECK(!o.value("name", "").empty());
      CHECK(!o.value("description", "").empty());
      CHECK(o.value("description", "").size() <= 100);
    }
    by_name[name] = c;
  }
  CHECK(by_name.size() == commands.size()); // no duplicates
  for (auto [cmd, opt] :
       {std::pair{"analyze", "url"}, std::pair{"follow", "url"}, std::pair{"unfollow", "url"},
        std::pair{"search", "query"}, std::pair{"follow_uploader", "mode"}}) {
    INFO(cmd);
    REQUIRE(by_name.count(cmd));
    const auto& options = by_name[cmd]["options"];
    REQUIRE(options.size() == (std::string{cmd} == "search" ? 4u : 1u));
    CHECK(options[0]["name"] == opt);
    CHECK(options[0]["type"] == 3); // string
    CHECK(options[0]["required"] == true);
  }
  // /search's filters: optional strings, as the API's channel, from and to.
  const auto& search = by_name["search"]["options"];
  for (size_t i = 1; i < search.size(); ++i) {
    CHECK(search[i]["type"] == 3);
    CHECK(search[i].value("required", false) == false);
  }
  CHECK(search[1]["name"] == "channel");
  CHECK(search[2]["name"] == "from");
  CHECK(search[3]["name"] == "to");
  REQUIRE(by_name.count("queue"));
  CHECK(by_name["queue"].value("options", nlohmann::json::array()).empty());
  auto choices = by_name["follow_uploader"]["options"][0]["choices"];
  REQUIRE(choices.size() == 2);
  CHECK(choices[0]["value"] == "on");
  CHECK(choices[1]["value"] == "off");
}

TEST_CASE("the command definitions are guild-only and operator commands need Manage Server") {
  std::ifstream f(VFB_SOURCE_DIR "/conf/discord-commands.json");
  REQUIRE(f);
  auto commands = nlohmann::json::parse(f);
  // The bridge refuses these to members without an operator role: Discord hides them too.
  const std::set<std::string> operator_commands{"analyze", "follow", "unfollow", "follow_uploader"};
  for (const auto& c : commands) {
    auto name = c["name"].get<std::string>();
    INFO(name);
    // contexts [0]: GUILD only (the deprecated dm_permission is not used).
    CHECK(c.value("contexts", nlohmann::json()) == nlohmann::json::array({0}));
    CHECK(c.value("integration_types", nlohmann::json()) == nlohmann::json::array({0}));
    CHECK_FALSE(c.contains("dm_permission"));
    if (operator_commands.count(name) != 0)
      CHECK(c.value("default_member_permissions", nlohmann::json()) == "32"); // MANAGE_GUILD
    else
      CHECK_FALSE(c.contains("default_member_permissions"));
  }
}

TEST_CASE("the channel an interaction came from is read, and answers ping only the asker") {
  auto payload = nlohmann::json::parse(analyze_payload);
  payload["channel_id"] = "1180000000000000009";
  auto in = parse_interaction(payload.dump());
  CHECK(in.channel_id == "1180000000000000009");
  payload.erase("channel_id");
  payload["channel"] = {{"id", "1180000000000000010"}, {"type", 0}};
  CHECK(parse_interaction(payload.dump()).channel_id == "1180000000000000010");
  CHECK(channel_messages_path(in.channel_id) == "/channels/1180000000000000009/messages");

  auto body = answer_message_body("Job 3 done: @everyone", "42");
  CHECK(body["content"] == "<@42> Job 3 done: @everyone");
  // `users` alone: only the asker is pinged; `parse` would exclude it (Discord: 400).
  CHECK(body["allowed_mentions"] == nlohmann::json{{"users", {"42"}}});
  auto odd = answer_message_body("text", "42> @everyone <@1");
  CHECK(odd["content"] == "text");
  CHECK(odd["allowed_mentions"]["parse"].empty());
  auto long_body = answer_message_body(std::string(3000, 'x'), "42");
  CHECK(long_body["content"].get<std::string>().size() <= 2000 + 2); // "…" is 3 bytes
}
