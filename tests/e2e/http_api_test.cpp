// The HTTP API's contract through a real HTTP client against a node in this process (threaded
// actor system, stand-in stages: tests/support/api_node.hpp). The web page's part of the API
// (sessions, the page's files) is tested in web_api_test.cpp.
#include "actors/node.hpp"
#include "frontends/http_api.hpp"
#include "storage/artifact_store.hpp"
#include "storage/discord_store.hpp"
#include "storage/follow_registry.hpp"
#include "storage/job_queue.hpp"
#include "storage/media_json.hpp"
#include "storage/memory_store.hpp"
#include "storage/token_store.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/api_node.hpp"
#include "tests/support/fake_discord.hpp"
#include "tests/support/temp_dir.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <httplib.h>
#include <mutex>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <set>
#include <sodium.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace vfb;
using namespace vfb::test;
namespace fs = std::filesystem;

TEST_CASE("healthz needs no token and metrics show the queue gauges") {
  api_node n;
  auto h = n.call("GET", "/healthz");
  CHECK(h.status == 200);
  CHECK(h.body.at("ok") == true);
  CHECK(h.body.at("jobs").at("queued") == 0);
  n.wait_ended(n.submit(n.acme_operator, "a"));
  n.wait_ended(n.submit(n.other_operator, "b"));
  const std::string acme_done =
      "vfb_workspace_jobs{tenant=\"acme\",workspace=\"main\",state=\"done\"} 1";
  const std::string other_done =
      "vfb_workspace_jobs{tenant=\"other\",workspace=\"main\",state=\"done\"} 1";

  // Without a token: node-wide series only, no tenant named.
  auto m = n.call("GET", "/metrics");
  CHECK(m.status == 200);
  CHECK(m.text.find("vfb_queue_jobs{state=\"done\"} 2") != std::string::npos);
  CHECK(m.text.find("vfb_breaker_open{source=\"youtube\"} 0") != std::string::npos);
  CHECK(m.text.find("# TYPE vfb_stage_duration_seconds histogram") != std::string::npos);
  CHECK(m.text.find("tenant=") == std::string::npos);

  // With a token: its own workspace's series, never another tenant's.
  auto acme = n.call("GET", "/metrics", n.acme_viewer);
  CHECK(acme.status == 200);
  CHECK(acme.text.find(acme_done) != std::string::npos);
  CHECK(acme.text.find("tenant=\"other\"") == std::string::npos);
  auto other = n.call("GET", "/metrics", n.other_operator);
  CHECK(other.text.find(other_done) != std::string::npos);
  CHECK(other.text.find("tenant=\"acme\"") == std::string::npos);
  // Another workspace of the same tenant sees its own series only.
  auto side = n.tokens->create("acme", "side", token_role::viewer, "", 1).token;
  auto side_metrics = n.call("GET", "/metrics", side);
  CHECK(side_metrics.status == 200);
  CHECK(side_metrics.text.find("workspace=\"main\"") == std::string::npos);
  // A bearer token that is sent must be valid; other schemes (a guarding proxy's Basic
  // credentials passed on) leave the answer as without a token.
  CHECK(n.call("GET", "/metrics", n.revoked).status == 401);
  CHECK(n.call("GET", "/metrics", "not-a-token").status == 401);
  auto basic = n.client->Get("/metrics", {{"Authorization", "Basic cHJvbWV0aGV1czpzZWNyZXQ="}});
  REQUIRE(basic);
  CHECK(basic->status == 200);
  CHECK(basic->body.find("vfb_queue_jobs{state=\"done\"} 2") != std::string::npos);
  CHECK(basic->body.find("tenant=") == std::string::npos);
}

TEST_CASE("a submission runs and its job, list and search show it with results") {
  api_node n;
  auto id = n.submit(n.acme_operator, "volcano");
  auto again = n.call("POST", "/v1/submissions", n.acme_operator,
                      R"({"url": "http://127.0.0.1:9/videos/volcano"})");
  CHECK(again.status == 202);
  CHECK(again.body.at("job_id") == id);
  CHECK(again.body.at("duplicate") == true);
  n.wait_ended(id);
  // The API's own subscriber may hear of the end after the test's: ask until it has (it then
  // has every earlier event of the job too, all sent by the pipeline in order).
  const std::string counted = "vfb_jobs_finished_total{stage=\"post\",outcome=\"done\"} 1";
  for (int i = 0; i < 10'000; ++i)
    if (n.call("GET", "/metrics").text.find(counted) != std::string::npos)
      break;
  auto metrics = n.call("GET", "/metrics").text;
  CHECK(metrics.find(counted) != std::string::npos);
  CHECK(metrics.find("vfb_stage_duration_seconds_bucket{stage=\"download\",le=\"0.1\"} 1") !=
        std::string::npos);

  auto job = n.call("GET", "/v1/jobs/" + std::to_string(id), n.acme_viewer);
  REQUIRE(job.status == 200);
  CHECK(job.body.at("state") == "done");
  CHECK(job.body.at("origin") == "api");
  CHECK(job.body.at("results").at("title") ==
        "Talk " + job.body.at("external_id").get<std::string>());
  CHECK(job.body.at("results").at("topics") == nlohmann::json{"volcano"});
  CHECK(job.body.at("results").at("summary") == nlohmann::json{"The volcano erupted."});
  CHECK(job.body.at("stages").at("running") == false);
  // The worker measures each stage's wall time itself: every stage is listed.
  CHECK(job.body.at("stages").at("elapsed_ms").size() == stage_count);

  auto list = n.call("GET", "/v1/jobs?state=done&limit=10", n.acme_viewer);
  REQUIRE(list.status == 200);
  REQUIRE(list.body.at("jobs").size() == 1);
  CHECK(list.body.at("jobs")[0].at("id") == id);
  CHECK(n.call("GET", "/v1/jobs?state=queued", n.acme_viewer).body.at("jobs").empty());
  CHECK(n.call("GET", "/v1/jobs?state=sideways", n.acme_viewer).status == 400);
  CHECK(n.call("GET", "/v1/jobs?limit=0", n.acme_viewer).status == 400);

  auto hits = n.call("GET", "/v1/memory/search?q=volcano&limit=5", n.acme_viewer);
  REQUIRE(hits.status == 200);
  REQUIRE(hits.body.at("hits").size() == 1);
  CHECK(hits.body.at("hits")[0].at("job_id") == id);
  // The link to the moment: the video's URL with a media fragment at the hit's start.
  CHECK(hits.body.at("hits")[0].at("moment_url") ==
        hits.body.at("hits")[0].at("url").get<std::string>() + "#t=0");
  CHECK(n.call("GET", "/v1/memory/search", n.acme_viewer).status == 400);

  // Searches as people type them: other word forms, phrases, filters; marked snippets.
  auto count = [&](const std::string& query) {
    auto r = n.call("GET", "/v1/memory/search?" + query, n.acme_viewer);
    INFO(query << " -> " << r.status << " " << r.body.dump());
    REQUIRE(r.status == 200);
    return r.body.at("hits").size();
  };
  auto stemmed = n.call("GET", "/v1/memory/search?q=volcanoes+erupting", n.acme_viewer);
  REQUIRE(stemmed.body.at("hits").size() == 1);
  auto& hit = stemmed.body.at("hits")[0];
  CHECK(hit.at("upload_date") == "2026-03-01");
  CHECK(hit.at("channel") == "https://www.youtube.com/@acme-channel");
  nlohmann::json marked = nlohmann::json::array();
  std::string whole;
  for (auto& part : hit.at("snippet_parts")) {
    whole += part.at("text").get<std::string>();
    if (part.at("match") == true)
      marked.push_back(part.at("text"));
  }
  CHECK(whole == hit.at("snippet"));
  CHECK(marked == nlohmann::json{"volcano", "erupted"});
  CHECK(count("q=%22volcano%20erupted%22") == 1);
  CHECK(count("q=%22erupted%20volcano%22") == 0);
  CHECK(count("q=volcano&from=2026-03-01&to=2026-03-01") == 1);
  CHECK(count("q=volcano&from=2026-03-02") == 0);
  CHECK(count("q=volcano&to=20260228") == 0);
  CHECK(count("q=volcano&channel=%40acme-channel") == 1); // "@acme-channel", any spelling
  CHECK(count("q=volcano&channel=https://youtube.com/@ACME-channel/videos") == 1);
  CHECK(count("q=volcano&channel=%40globex-channel") == 0);
  CHECK(count("q=volcano&job=" + std::to_string(id)) == 1);
  CHECK(count("q=volcano&job=" + std::to_string(id + 1000)) == 0);
  for (auto [query, says] :
       {std::pair{"from=2026-13-01", "from is not a day"},
        std::pair{"to=yesterday", "to is not a day"},
        std::pair{"from=2026-03-02&to=2026-03-01", "ends"},
        std::pair{"channel=not%20a%20channel", "channel is not a channel"},
        std::pair{"follow=999", "no follow"}, std::pair{"job=x", "job is not a job id"}}) {
    auto r = n.call("GET", std::string{"/v1/memory/search?q=volcano&"} + query, n.acme_viewer);
    INFO(query);
    CHECK(r.status == 400);
    CHECK_THAT(r.body.dump(), Catch::Contains(says));
  }

  auto forced = n.call("POST", "/v1/submissions", n.acme_operator,
                       R"({"url": "http://127.0.0.1:9/videos/volcano", "force": true})");
  CHECK(forced.status == 202);
  CHECK(forced.body.at("duplicate") == false);
}

TEST_CASE("missing, wrong and revoked tokens answer 401 with a Bearer challenge") {
  api_node n;
  for (const auto& token : {std::string{}, std::string{"vfb_not-a-token"}, n.revoked}) {
    auto r = n.call("GET", "/v1/jobs", token);
    CHECK(r.status == 401);
    CHECK(error_code(r) == "unauthorized");
    CHECK(r.headers.count("WWW-Authenticate") == 1);
  }
  httplib::Headers basic{{"Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"}};
  auto r = n.client->Get("/v1/jobs", basic);
  REQUIRE(r);
  CHECK(r->status == 401);
}

TEST_CASE("a viewer reads but may not submit, retry, cancel, follow, change settings or list "
          "the cluster") {
  api_node n;
  auto id = std::to_string(n.submit(n.acme_operator, "v"));
  CHECK(n.call("GET", "/v1/jobs", n.acme_viewer).status == 200);
  CHECK(n.call("GET", "/v1/follows", n.acme_viewer).status == 200);
  CHECK(n.call("GET", "/v1/settings/auto-follow", n.acme_viewer).status == 200);
  std::vector<std::pair<std::string, std::string>> refused{{"POST", "/v1/submissions"},
                                                           {"POST", "/v1/jobs/" + id + "/retry"},
                                                           {"POST", "/v1/jobs/" + id + "/cancel"},
                                                           {"POST", "/v1/follows"},
                                                           {"DELETE", "/v1/follows/1"},
                                                           {"PUT", "/v1/settings/auto-follow"},
                                                           {"GET", "/v1/cluster"}};
  for (const auto& [method, path] : refused) {
    auto r = n.call(method, path, n.acme_viewer, R"({"url": "http://127.0.0.1:9/x"})");
    CHECK(r.status == 403);
    CHECK(error_code(r) == "forbidden");
  }
  // This node serves no workers: an operator learns that, not an error.
  auto cluster = n.call("GET", "/v1/cluster", n.acme_operator);
  CHECK(cluster.status == 200);
  CHECK(cluster.body == nlohmann::json{{"cluster", false}, {"workers", nlohmann::json::array()}});
}

TEST_CASE("another tenant's jobs, follows and memory are invisible") {
  api_node n;
  auto theirs = n.submit(n.other_operator, "secret");
  auto ours = n.submit(n.acme_operator, "ours");
  n.wait_ended(theirs);
  n.wait_ended(ours);
  auto path = "/v1/jobs/" + std::to_string(theirs);
  auto get = n.call("GET", path, n.acme_operator);
  CHECK(get.status == 404);
  auto missing = n.call("GET", "/v1/jobs/999999", n.acme_operator);
  CHECK(missing.status == 404);
  // The same answer as for a job that does not exist, apart from the id.
  CHECK(get.body.at("error").at("message") == "no job " + std::to_string(theirs));
  CHECK(n.call("POST", path + "/retry", n.acme_operator).status == 404);
  CHECK(n.call("POST", path + "/cancel", n.acme_operator).status == 404);
  auto list = n.call("GET", "/v1/jobs", n.acme_operator).body.at("jobs");
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("id") == ours);
  auto hits = n.call("GET", "/v1/memory/search?q=volcano", n.acme_operator).body.at("hits");
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].at("job_id") == ours);

  auto f = n.call("POST", "/v1/follows", n.other_operator, R"({"url": "http://127.0.0.1:9/feed"})");
  REQUIRE(f.status == 202);
  auto fid = std::to_string(f.body.at("follow").at("id").get<uint64_t>());
  CHECK(n.call("GET", "/v1/follows", n.acme_operator).body.at("follows").empty());
  CHECK(n.call("DELETE", "/v1/follows/" + fid, n.acme_operator).status == 404);
  CHECK(n.call("GET", "/v1/follows", n.other_operator).body.at("follows").size() == 1);
}

TEST_CASE("malformed JSON, bad fields and invalid URLs answer 400, an oversized body 413") {
  api_node n{1024};
  auto malformed = n.call("POST", "/v1/submissions", n.acme_operator, "{\"url\": ");
  CHECK(malformed.status == 400);
  CHECK(error_code(malformed) == "malformed_json");
  CHECK(n.call("POST", "/v1/submissions", n.acme_operator, "{}").status == 400);
  CHECK(n.call("POST", "/v1/submissions", n.acme_operator, "[1]").status == 400);
  CHECK(n.call("POST", "/v1/submissions", n.acme_operator, R"({"url": 5})").status == 400);
  CHECK(n.call("POST", "/v1/submissions", n.acme_operator,
               R"({"url": "http://127.0.0.1:9/x", "force": "yes"})")
            .status == 400);
  // Not UTF-8: still answered in JSON (the bytes are replaced where they are echoed).
  auto latin1 = n.call("POST", "/v1/submissions", n.acme_operator, "{\"url\": \"ftp://\xe9\"}");
  CHECK(latin1.status == 400);
  CHECK(latin1.body.contains("error"));
  auto invalid = n.call("POST", "/v1/submissions", n.acme_operator, R"({"url": "ftp://x/y"})");
  CHECK(invalid.status == 400);
  CHECK_FALSE(invalid.body.at("error").at("message").get<std::string>().empty());
  CHECK(n.call("POST", "/v1/follows", n.acme_operator,
               R"({"url": "http://127.0.0.1:9/f", "since": "soon"})")
            .status == 400);
  CHECK(n.call("PUT", "/v1/settings/auto-follow", n.acme_operator, R"({"setting": "maybe"})")
            .status == 400);
  auto big = n.call("POST", "/v1/submissions", n.acme_operator,
                    R"({"url": "http://127.0.0.1:9/x", "pad": ")" + std::string(2000, 'x') + "\"}");
  CHECK(big.status == 413);
  CHECK(error_code(big) == "payload_too_large");
  auto nowhere = n.call("GET", "/v1/nowhere", n.acme_operator);
  CHECK(nowhere.status == 404);
  CHECK(error_code(nowhere) == "not_found");
}

TEST_CASE("retry of a queued job answers 409, cancel cancels it once") {
  api_node n;
  auto id = std::to_string(n.submit_held(n.acme_operator));
  auto retry = n.call("POST", "/v1/jobs/" + id + "/retry", n.acme_operator);
  CHECK(retry.status == 409);
  CHECK(error_code(retry) == "wrong_state");
  auto cancel = n.call("POST", "/v1/jobs/" + id + "/cancel", n.acme_operator);
  CHECK(cancel.status == 200);
  CHECK(cancel.body.at("state") == "cancelled");
  CHECK(n.call("POST", "/v1/jobs/" + id + "/cancel", n.acme_operator).status == 409);
  CHECK(n.call("POST", "/v1/jobs/" + id + "/retry", n.acme_operator).status == 409);
  CHECK(n.call("GET", "/metrics").text.find("vfb_breaker_open{source=\"generic\"} 1") !=
        std::string::npos);
}

TEST_CASE("follows: add lists the feed at once, list shows it, delete removes it") {
  api_node n;
  auto added =
      n.call("POST", "/v1/follows", n.acme_operator,
             R"({"url": "http://127.0.0.1:9/feed.xml", "since": "2025-01-01", "limit": 5})");
  REQUIRE(added.status == 202);
  CHECK(added.body.at("created") == true);
  CHECK(added.body.at("follow").at("origin") == "api");
  CHECK(added.body.at("follow").at("limit") == 5);
  CHECK(added.body.at("follow").at("tenant") == "acme");
  CHECK(added.body.contains("enqueued"));
  auto id = added.body.at("follow").at("id").get<uint64_t>();
  auto list = n.call("GET", "/v1/follows", n.acme_viewer).body.at("follows");
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("id") == id);
  auto video = n.call("POST", "/v1/follows", n.acme_operator,
                      R"({"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"})");
  CHECK(video.status == 400);
  // The refusal says what can be followed.
  CHECK_THAT(video.body.at("error").at("message").get<std::string>(),
             Catch::Contains("is a video") && Catch::Contains("a YouTube playlist") &&
                 Catch::Contains("feeds/videos.xml?channel_id="));
  CHECK(n.call("DELETE", "/v1/follows/" + std::to_string(id), n.acme_operator).status == 200);
  CHECK(n.call("DELETE", "/v1/follows/" + std::to_string(id), n.acme_operator).status == 404);
  CHECK(n.call("GET", "/v1/follows", n.acme_viewer).body.at("follows").empty());
}

TEST_CASE("the auto-follow setting is read by viewers and set by operators") {
  api_node n;
  auto get = n.call("GET", "/v1/settings/auto-follow", n.acme_viewer);
  REQUIRE(get.status == 200);
  CHECK(get.body.at("setting") == "inherit");
  CHECK(get.body.at("effective") == false);
  auto put = n.call("PUT", "/v1/settings/auto-follow", n.acme_operator, R"({"setting": "on"})");
  REQUIRE(put.status == 200);
  CHECK(put.body.at("setting") == "on");
  CHECK(put.body.at("effective") == true);
  CHECK(n.call("GET", "/v1/settings/auto-follow", n.acme_viewer).body.at("setting") == "on");
  // Another workspace's setting is its own.
  CHECK(n.call("GET", "/v1/settings/auto-follow", n.other_operator).body.at("setting") ==
        "inherit");
}

namespace {

/// A Discord application's key pair, and requests signed with it as Discord signs them.
struct discord_app {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  discord_app() {
    REQUIRE(sodium_init() >= 0);
    crypto_sign_keypair(pk, sk);
  }
  std::string public_hex() const {
    char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    return hex;
  }
  std::string sign(const std::string& timestamp, const std::string& body) const {
    unsigned char sig[crypto_sign_BYTES];
    auto msg = timestamp + body;
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()),
                         msg.size(), sk);
    char hex[2 * crypto_sign_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    return hex;
  }
};

std::string now_text(int64_t offset_s = 0) {
  using namespace std::chrono;
  return std::to_string(duration_cast<seconds>(system_clock::now().time_since_epoch()).count() +
                        offset_s);
}

nlohmann::json option(const std::string& name, const std::string& value) {
  return nlohmann::json::array({{{"name", name}, {"type", 3}, {"value", value}}});
}

} // namespace

TEST_CASE("Discord interactions: forged, missing and stale signatures answer 401, PING PONG") {
  discord_app app;
  api_node n{64 * 1024, [&](vfb_config& c) {
               c.discord.public_key = app.public_hex();
               c.discord.guilds["111"] = "acme/main";
             }};
  auto post = [&](const std::string& body, std::string timestamp = {}, std::string signature = {}) {
    if (timestamp.empty())
      timestamp = now_text();
    if (signature.empty())
      signature = app.sign(timestamp, body);
    httplib::Headers h{{"X-Signature-Ed25519", signature}, {"X-Signature-Timestamp", timestamp}};
    auto res = n.client->Post("/discord/interactions", h, body, "application/json");
    REQUIRE(res);
    return std::make_pair(res->status, nlohmann::json::parse(res->body, nullptr, false));
  };
  auto ping = nlohmann::json{{"type", 1}, {"id", "1"}, {"application_id", "777"}}.dump();
  auto [ok_status, pong] = post(ping);
  CHECK(ok_status == 200);
  CHECK(pong == nlohmann::json{{"type", 1}});
  // Forged, missing and stale signatures.
  discord_app other;
  auto ts = now_text();
  CHECK(post(ping, ts, other.sign(ts, ping)).first == 401);
  httplib::Headers none;
  auto unsigned_res = n.client->Post("/discord/interactions", none, ping, "application/json");
  REQUIRE(unsigned_res);
  CHECK(unsigned_res->status == 401);
  auto old = now_text(-3600);
  CHECK(post(ping, old, app.sign(old, ping)).first == 401);
  auto tampered = post(ping + " ", ts, app.sign(ts, ping));
  CHECK(tampered.first == 401);
}

namespace {

/// A slash command as Discord sends it (id, application id and token are the fake's to add).
nlohmann::json slash(const std::string& name, const nlohmann::json& options,
                     const std::vector<std::string>& roles, const std::string& user = "42",
                     const std::string& guild = "111") {
  return {{"type", 2},
          {"guild_id", guild},
          {"channel_id", "555"},
          {"member", {{"user", {{"id", user}}}, {"roles", roles}}},
          {"data", {{"name", name}, {"options", options}}}};
}

/// A node whose Discord bridge talks to `discord` as the real Discord, with a bot token.
/// The config of a node bridged to `discord`: guild 111 is acme/main, "op-role" operates.
void bridge_to(vfb_config& c, test::fake_discord& discord, bool bot) {
  c.discord.public_key = discord.public_key_hex();
  c.discord.api_base = discord.base_url() + "/api/v10";
  c.discord.guilds["111"] = "acme/main";
  c.discord.guild_operators["111"] = {"op-role"};
  if (bot)
    c.discord.bot_token = test::fake_discord::bot_token;
  else
    c.discord.webhooks["acme/main"] = discord.webhook_url();
}

api_node discord_node(test::fake_discord& discord, const fs::path& data_dir = {},
                      const node_extras& extras = {}, bool bot = true) {
  return api_node{64 * 1024, [&](vfb_config& c) { bridge_to(c, discord, bot); }, data_dir, extras};
}

std::string endpoint(const api_node& n) {
  return "http://127.0.0.1:" + std::to_string(n.port) + "/discord/interactions";
}

/// The edit of the reply to the interaction with `token`, once it arrived.
test::discord_request edit_of(test::fake_discord& discord, const std::string& token) {
  test::discord_request found;
  REQUIRE(discord.wait_for([&](const std::vector<test::discord_request>& seen) {
    for (const auto& r : seen)
      if (r.route == test::fake_discord::edit_original &&
          r.path.find("/" + token + "/") != std::string::npos) {
        found = r;
        return true;
      }
    return false;
  }));
  return found;
}

/// Sends a command and returns the content its deferred reply was edited to.
std::string deferred(test::fake_discord& discord, const api_node& n, const nlohmann::json& cmd,
                     bool ephemeral = false) {
  std::string token;
  auto answer = discord.send_interaction(endpoint(n), cmd, &token);
  REQUIRE(answer.status == 200);
  CHECK(answer.body["type"] == 5); // deferred: Discord shows "thinking…"
  CHECK(answer.body.contains("data") == ephemeral);
  auto edit = edit_of(discord, token);
  CHECK(edit.status == 200);
  CHECK(edit.json["allowed_mentions"]["parse"].empty());
  return edit.json.value("content", "");
}

/// Records what vfb logs while it lives (spdlog's default logger).
struct log_capture {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  log_capture() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  }
  ~log_capture() { spdlog::set_default_logger(previous); }
  std::string text() {
    spdlog::default_logger()->flush();
    return out.str();
  }
};

} // namespace

TEST_CASE("Discord: every command is deferred at once and its reply edited with the outcome") {
  test::fake_discord discord;
  auto n = discord_node(discord);
  // Refusals need nothing from the node: answered at once, only to the asker.
  auto refused = discord.send_interaction(
      endpoint(n), slash("follow_uploader", option("mode", "on"), {"member"}));
  CHECK(refused.body["type"] == 4);
  CHECK(refused.body["data"]["flags"] == 64);
  CHECK_THAT(refused.body["data"]["content"].get<std::string>(), Catch::Contains("operator"));
  auto stranger = discord.send_interaction(
      endpoint(n), slash("queue", nlohmann::json::array(), {}, "42", "999"));
  CHECK_THAT(stranger.body["data"]["content"].get<std::string>(), Catch::Contains("not connected"));
  CHECK(n.follows->setting("acme", "main") == auto_follow_setting::inherit);

  CHECK_THAT(deferred(discord, n, slash("follow_uploader", option("mode", "on"), {"op-role"})),
             Catch::Contains("is on"));
  CHECK(n.follows->setting("acme", "main") == auto_follow_setting::on);

  auto analyzed =
      deferred(discord, n,
               slash("analyze", option("url", "http://127.0.0.1:9/videos/discord"), {"op-role"}));
  n.wait_ended(1);
  if (analyzed.find("Queued as job 1") != std::string::npos) {
    REQUIRE(discord.wait_for_route(test::fake_discord::create_message, 1));
    analyzed = discord.requests(test::fake_discord::create_message)[0].json["content"];
  }
  CHECK_THAT(analyzed, Catch::Contains("Job 1 done") && Catch::Contains("videos/discord"));

  CHECK_THAT(deferred(discord, n, slash("queue", nlohmann::json::array(), {}), true),
             Catch::Contains("done 1"));
  // The words that matched in bold (any form of them), the rest as said; filters as options.
  CHECK_THAT(deferred(discord, n, slash("search", option("query", "volcanoes"), {})),
             Catch::Contains("**volcano**") && Catch::Contains("#t=0)"));
  auto with = [](nlohmann::json options, const std::string& name, const std::string& value) {
    options.push_back(option(name, value)[0]);
    return options;
  };
  CHECK_THAT(deferred(discord, n,
                      slash("search", with(option("query", "volcano"), "from", "2026-03-02"), {})),
             Catch::Contains("Nothing found"));
  CHECK_THAT(deferred(discord, n,
                      slash("search", with(option("query", "volcano"), "to", "2026-03-01"), {})),
             Catch::Contains("**volcano**"));
  CHECK_THAT(
      deferred(discord, n, slash("search", with(option("query", "volcano"), "from", "March"), {})),
      Catch::Contains("from is not a day"));
  CHECK_THAT(deferred(discord, n,
                      slash("follow", option("url", "http://127.0.0.1:9/feed.xml"), {"op-role"})),
             Catch::Contains("Following"));
  REQUIRE(n.follows->list("acme", "main").size() == 1);
  CHECK_THAT(deferred(discord, n,
                      slash("unfollow", option("url", "http://127.0.0.1:9/feed.xml"), {"op-role"})),
             Catch::Contains("Stopped"));
  CHECK(n.follows->list("acme", "main").empty());
  CHECK(discord.violations().empty()); // in time, with a DiscordBot User-Agent
}

namespace {

/// A submission actor as slow as a busy node: each answer takes `delay` (a stand-in for a node
/// under load, not a synchronisation).
submission_actor::behavior_type slow_submission(submission_actor::pointer self,
                                                submission_actor real,
                                                std::chrono::milliseconds delay) {
  return {[=](submit_atom a, const submission& s) -> caf::delegated<enqueue_result> {
    std::this_thread::sleep_for(delay);
    return self->delegate(real, a, s);
  }};
}

} // namespace

TEST_CASE("Discord: a node slower than Discord's 3 seconds still answers in time, then edits") {
  test::fake_discord discord;
  node_extras slow;
  slow.rewire = [](caf::actor_system& sys, node_handles& h) {
    h.submission =
        sys.spawn<caf::detached>(slow_submission, h.submission, std::chrono::milliseconds{4000});
  };
  auto n = discord_node(discord, {}, slow);
  std::string token;
  auto answer = discord.send_interaction(
      endpoint(n), slash("analyze", option("url", "http://127.0.0.1:9/videos/slow"), {"op-role"}),
      &token);
  CHECK(answer.body["type"] == 5);
  auto edit = edit_of(discord, token);
  CHECK(edit.status == 200);
  CHECK_THAT(edit.json["content"].get<std::string>(), Catch::Contains("job 1"));
  CHECK(discord.violations().empty()); // today's inline answer came after 4 s
}

TEST_CASE("Discord: /analyze of a long job answers every asker by bot message after the "
          "interaction tokens expired") {
  test::fake_discord discord;
  node_extras held;
  held.hold_stages = true;
  auto n = discord_node(discord, {}, held);
  auto url = option("url", "http://127.0.0.1:9/videos/long");
  std::string first, second;
  CHECK(discord.send_interaction(endpoint(n), slash("analyze", url, {"op-role"}, "42"), &first)
            .body["type"] == 5);
  CHECK(discord.send_interaction(endpoint(n), slash("analyze", url, {"op-role"}, "43"), &second)
            .body["type"] == 5);
  for (const auto& token : {first, second}) {
    auto edit = edit_of(discord, token);
    CHECK(edit.status == 200);
    CHECK_THAT(edit.json["content"].get<std::string>(),
               Catch::Contains("Queued as job 1") && Catch::Contains("in this channel"));
  }
  // Every token has expired by the time the job ends: only a route that does not expire works.
  discord.set_token_lifetime(std::chrono::milliseconds{0});
  n.release_stages.set_value();
  n.wait_ended(1);
  REQUIRE(discord.wait_for_route(test::fake_discord::create_message, 2));
  std::set<std::string> asked;
  for (const auto& m : discord.requests(test::fake_discord::create_message)) {
    CHECK(m.status == 200);
    CHECK(m.path == "/api/v10/channels/555/messages");
    auto content = m.json["content"].get<std::string>();
    CHECK_THAT(content, Catch::Contains("Job 1 done") && Catch::Contains("videos/long"));
    REQUIRE(m.json["allowed_mentions"]["users"].size() == 1);
    auto user = m.json["allowed_mentions"]["users"][0].get<std::string>();
    CHECK(content.rfind("<@" + user + "> ", 0) == 0);
    asked.insert(user);
  }
  CHECK(asked == std::set<std::string>{"42", "43"});
  CHECK(discord.requests(test::fake_discord::edit_original).size() == 2); // no late edit
  CHECK(n.api != nullptr);
  CHECK(discord.violations().empty());
}

TEST_CASE("Discord: pending /analyze answers survive a node restart (webhook route)") {
  test::fake_discord discord;
  test::temp_dir kept;
  {
    node_extras held;
    held.hold_stages = true; // the job is still running when this node stops
    auto first = discord_node(discord, kept / "data", held, false);
    std::string token;
    discord.send_interaction(
        endpoint(first),
        slash("analyze", option("url", "http://127.0.0.1:9/videos/restart"), {"op-role"}), &token);
    CHECK_THAT(edit_of(discord, token).json["content"].get<std::string>(),
               Catch::Contains("Queued as job 1") && Catch::Contains("webhook"));
  } // stopped: the job goes back to the queue, its pending reply stays in the data dir
  CHECK(discord.posts().empty());
  auto second = discord_node(discord, kept / "data", {}, false);
  second.wait_ended(1);
  REQUIRE(discord.wait_for_posts(1));
  auto post = discord.posts()[0];
  CHECK_THAT(post["content"].get<std::string>(),
             Catch::Contains("<@42> Job 1 done") && Catch::Contains("videos/restart"));
  CHECK(discord.violations().empty());
}

TEST_CASE("Discord: /analyze of a job cancelled while queued is answered at once") {
  test::fake_discord discord;
  node_extras held;
  held.hold_stages = true;
  // One slot per stage: with the stages held, the pipeline cannot take every job.
  api_node n{64 * 1024,
             [&](vfb_config& c) {
               bridge_to(c, discord, true);
               c.pipeline.download_slots = 1;
               c.pipeline.transcribe_slots = 1;
               c.pipeline.analyze_slots = 1;
               c.pipeline.post_slots = 1;
             },
             {},
             held};
  for (int video = 1; video <= 8; ++video) {
    std::string token;
    discord.send_interaction(
        endpoint(n),
        slash("analyze", option("url", "http://127.0.0.1:9/videos/" + std::to_string(video)),
              {"op-role"}),
        &token);
    edit_of(discord, token); // "Queued as job N"
  }
  auto queued = nlohmann::json::parse(n.call("GET", "/v1/jobs?state=queued", n.acme_viewer).text);
  REQUIRE(queued["jobs"].size() > 0);
  auto id = queued["jobs"][0]["id"].get<uint64_t>();
  auto r = n.call("POST", "/v1/jobs/" + std::to_string(id) + "/cancel", n.acme_operator);
  INFO(r.text);
  REQUIRE(r.status == 200);
  CHECK_THAT(r.text, Catch::Contains("cancelled"));
  // The cancelled job never runs: its answer comes from the cancellation, not a pipeline end.
  REQUIRE(discord.wait_for_route(test::fake_discord::create_message, 1));
  auto m = discord.requests(test::fake_discord::create_message).front();
  CHECK_THAT(m.json["content"].get<std::string>(),
             Catch::Contains("Job " + std::to_string(id) + " cancelled"));
  n.release_stages.set_value();
  n.wait_ended(1);
  CHECK(discord.violations().empty());
}

TEST_CASE("Discord: answers kept for a job the queue no longer knows are dropped at start") {
  test::fake_discord discord;
  test::temp_dir kept;
  auto data = kept / "data";
  {
    // A data dir whose queue was reset: the stored answer's job 99 is not in the new queue.
    discord_store store{discord_options_for(vfb_config{}, data, false)};
    pending_reply ghost;
    ghost.job_id = 99;
    ghost.tenant = "acme";
    ghost.workspace = "main";
    ghost.channel_id = "555";
    ghost.user_id = "42";
    store.add_reply(ghost);
  }
  {
    auto n = discord_node(discord, data);
    // Answers go out in the order jobs end; the node's start checked job 99 first.
    std::string token;
    discord.send_interaction(
        endpoint(n),
        slash("analyze", option("url", "http://127.0.0.1:9/videos/after"), {"op-role"}), &token);
    n.wait_ended(1);
    REQUIRE(discord.wait_for_route(test::fake_discord::create_message, 1));
    CHECK(discord.requests(test::fake_discord::create_message).size() == 1); // none for 99
  }
  discord_store store{discord_options_for(vfb_config{}, data, true)};
  CHECK(store.replies_for(99).empty());
  CHECK(store.jobs_with_replies().empty());
}

TEST_CASE("Discord: a refused edit is logged with Discord's status, code and message") {
  test::fake_discord discord;
  auto n = discord_node(discord);
  log_capture log;
  // Discord's answer to an edit with an expired token.
  discord.fail_next(1, 401, "Invalid Webhook Token", 50027);
  std::string token;
  discord.send_interaction(endpoint(n), slash("queue", nlohmann::json::array(), {}), &token);
  auto edit = edit_of(discord, token);
  CHECK(edit.status == 401);
  // The edit's answer and its log line come from the same worker, one after the other.
  std::string text;
  REQUIRE(discord.wait_for([&](const std::vector<test::discord_request>&) {
    text = log.text();
    return text.find("could not be edited") != std::string::npos;
  }));
  CHECK_THAT(text, Catch::Contains("HTTP 401") && Catch::Contains("code 50027") &&
                       Catch::Contains("Invalid Webhook Token"));
  CHECK(text.find(token) == std::string::npos); // the token is a credential
}

TEST_CASE("a guild's /follow_uploader setting survives a node restart") {
  test::fake_discord discord;
  test::temp_dir kept;
  {
    auto first = discord_node(discord, kept / "data");
    CHECK_THAT(
        deferred(discord, first, slash("follow_uploader", option("mode", "off"), {"op-role"})),
        Catch::Contains("is off"));
  }
  auto second = discord_node(discord, kept / "data");
  CHECK(second.follows->setting("acme", "main") == auto_follow_setting::off);
  auto r = second.call("GET", "/v1/settings/auto-follow", second.acme_viewer);
  CHECK(r.status == 200);
  CHECK_THAT(r.text, Catch::Contains("off"));
}

namespace {

/// Sends `request` as raw bytes and returns the status line's code (0: no answer).
int raw_status(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  // The connection stays open, as curl keeps it while it waits for the answer.
  char buf[256] = {};
  auto n = ::recv(fd, buf, sizeof buf - 1, 0);
  ::close(fd);
  std::string head(buf, n > 0 ? static_cast<size_t>(n) : 0);
  return head.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(head.substr(9, 3)) : 0;
}

} // namespace

TEST_CASE("retry, cancel and delete without a body or Content-Length (curl -X POST) are valid") {
  api_node n;
  auto id = std::to_string(n.submit_held(n.acme_operator));
  auto head = [&](const std::string& method, const std::string& path) {
    return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\n" +
           "Accept: */*\r\nAuthorization: Bearer " + n.acme_operator + "\r\n\r\n";
  };
  // httplib 0.11 waited for a body until its 5 s read timeout, then answered 400.
  CHECK(raw_status(n.port, head("POST", "/v1/jobs/" + id + "/cancel")) == 200);
  CHECK(n.call("GET", "/v1/jobs/" + id, n.acme_viewer).body.at("state") == "cancelled");
  // Judged by the handler: a cancelled job cannot be retried.
  CHECK(raw_status(n.port, head("POST", "/v1/jobs/" + id + "/retry")) == 409);
  auto added =
      n.call("POST", "/v1/follows", n.acme_operator, R"({"url": "http://127.0.0.1:9/feed.xml"})");
  REQUIRE(added.status == 202);
  auto follow = std::to_string(added.body.at("follow").at("id").get<uint64_t>());
  CHECK(raw_status(n.port, head("DELETE", "/v1/follows/" + follow)) == 200);
  // Without a token it is refused as unauthenticated, not as a malformed request.
  CHECK(raw_status(n.port, "POST /v1/jobs/" + id + "/cancel HTTP/1.1\r\nHost: x\r\n\r\n") == 401);
}

TEST_CASE("a job's transcript exports as SubRip, WebVTT, text and JSON, its workspace only") {
  node_extras held;
  held.hold_stages = true;
  api_node n{64 * 1024, {}, {}, held};
  auto id = n.submit(n.acme_operator, "a");
  // Not transcribed yet: a clear 404.
  auto early = n.call("GET", "/v1/jobs/" + std::to_string(id) + "/transcript.srt", n.acme_viewer);
  CHECK(early.status == 404);
  CHECK_THAT(early.body.dump(), Catch::Contains("has no transcript yet"));
  n.release_stages.set_value();
  n.wait_ended(id);
  auto base = "/v1/jobs/" + std::to_string(id) + "/transcript.";
  auto srt = n.call("GET", base + "srt", n.acme_viewer);
  CHECK(srt.status == 200);
  CHECK(srt.text == "1\n00:00:00,000 --> 00:00:02,000\nThe volcano erupted.\n\n"
                    "2\n00:00:02,000 --> 00:00:04,500\nAsh <fell> & spread.\n\n");
  auto header = [](const reply& r, const std::string& name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string{} : it->second;
  };
  CHECK(header(srt, "Content-Type") == "application/x-subrip; charset=utf-8");
  CHECK(header(srt, "Content-Disposition") ==
        "inline; filename=\"vfb-job-" + std::to_string(id) + ".srt\"");
  auto vtt = n.call("GET", base + "vtt", n.acme_viewer);
  CHECK(vtt.status == 200);
  CHECK(vtt.text.rfind("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n", 0) == 0);
  CHECK_THAT(vtt.text, Catch::Contains("Ash &lt;fell&gt; &amp; spread."));
  CHECK(n.call("GET", base + "txt", n.acme_viewer).text ==
        "The volcano erupted.\nAsh <fell> & spread.\n");
  auto json = n.call("GET", base + "json", n.acme_viewer);
  CHECK(json.body["segments"].size() == 2);
  CHECK(json.body["origin"] == "speech");
  // Another tenant's token finds no such job; an unknown format is no route.
  CHECK(n.call("GET", base + "srt", n.other_operator).status == 404);
  CHECK(n.call("GET", base + "pdf", n.acme_viewer).status == 404);
  CHECK(n.call("GET", base + "srt").status == 401);
}

TEST_CASE("GET /v1/events streams the workspace's job events as they happen, no one else's") {
  api_node n;
  event_stream acme{n.port, n.acme_viewer};
  event_stream other{n.port, n.other_operator};
  REQUIRE(acme.wait_for(": vfb events of acme/main"));
  REQUIRE(other.wait_for(": vfb events of other/main"));
  auto id = n.submit(n.acme_operator, "a");
  n.wait_ended(id);
  auto job = "\"job_id\":" + std::to_string(id);
  CHECK(acme.wait_for("event: job\ndata: {\"fraction\":0.0,\"job_id\":" + std::to_string(id) +
                      ",\"kind\":\"started\",\"note\":\"\",\"stage\":\"download\"}"));
  CHECK(acme.wait_for("\"kind\":\"ended\",\"note\""));
  CHECK_THAT(acme.seen(), Catch::Contains("\"outcome\":{\"kind\":\"done\""));
  // Another tenant's stream never hears of it; without a token there is no stream.
  CHECK(other.seen().find(job) == std::string::npos);
  event_stream anonymous{n.port, "not-a-token"};
  {
    std::unique_lock lock{anonymous.mu};
    anonymous.cv.wait_for(lock, std::chrono::minutes{1}, [&] { return anonymous.status != 0; });
  }
  CHECK(anonymous.status == 401);
  // The streams are open: stopping the API ends them (it does not wait for clients to leave).
  n.api->stop();
  for (auto* stream : {&acme, &other}) {
    std::unique_lock lock{stream->mu};
    CHECK(stream->cv.wait_for(lock, std::chrono::seconds{10}, [&] { return stream->status != 0; }));
    CHECK(stream->status == 200);
  }
}

TEST_CASE("hundreds of slow clients do not stop the API for everyone else") {
  api_node n;
  // 300 connections that start a request and then send one more header byte a second, never
  // finishing it: each keeps its connection (and, with a fixed pool, its thread) busy.
  std::vector<int> slow;
  for (int i = 0; i < 300; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(n.port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    std::string start = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    REQUIRE(::send(fd, start.data(), start.size(), MSG_NOSIGNAL) > 0);
    slow.push_back(fd);
  }
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread trickle{[&] {
    std::unique_lock lock{mu};
    while (!cv.wait_for(lock, std::chrono::seconds{1}, [&] { return done; }))
      for (int fd : slow)
        ::send(fd, "a", 1, MSG_NOSIGNAL); // within httplib's 5 s read timeout
  }};
  // Everyone else is still answered: a token check, a read and a submission.
  auto health = n.call("GET", "/healthz");
  auto jobs = n.call("GET", "/v1/jobs", n.acme_viewer);
  auto id = n.submit(n.acme_operator, "while-slow");
  {
    std::lock_guard guard{mu};
    done = true;
  }
  cv.notify_all();
  trickle.join();
  for (int fd : slow)
    ::close(fd);
  CHECK(health.status == 200);
  CHECK(jobs.status == 200);
  CHECK(id > 0);
}

TEST_CASE("oversized request lines and headers get a clear 4xx, store nothing, and the API goes "
          "on") {
  api_node n;
  auto before = n.call("GET", "/v1/jobs", n.acme_viewer).body.at("jobs").size();
  std::string big(20'000, 'a');
  // A query string over httplib's 8 KiB request line: 414, before any handler runs.
  CHECK(raw_status(n.port,
                   "POST /v1/submissions?x=" + big +
                       " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + n.acme_operator +
                       "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}") == 414);
  // A header line over 8 KiB: 400.
  CHECK(raw_status(n.port,
                   "POST /v1/submissions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                       n.acme_operator + "\r\nX-Big: " + big +
                       "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}") == 400);
  CHECK(n.call("GET", "/v1/jobs", n.acme_viewer).body.at("jobs").size() == before);
  CHECK(n.call("GET", "/healthz").status == 200);
}
