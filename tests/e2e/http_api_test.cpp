// The HTTP API's contract through a real HTTP client against a node in this process (threaded
// actor system). Stages are stand-ins that finish at once and write what the real ones would
// (download and analysis checkpoints, memory), so results and search are real reads. Channel
// listings run `true` as yt-dlp: an empty listing, which is all the API's part needs.
#include "actors/http_api.hpp"
#include "actors/node.hpp"
#include "storage/artifact_store.hpp"
#include "storage/follow_registry.hpp"
#include "storage/job_queue.hpp"
#include "storage/media_json.hpp"
#include "storage/memory_store.hpp"
#include "storage/token_store.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/fake_discord.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <set>
#include <sodium.h>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

struct reply {
  int status = 0;
  nlohmann::json body;
  std::string text;
  httplib::Headers headers;
};

/// Stand-in stages: each finishes at once, leaving what the real stage would leave behind.
stage_function_factory stand_in_stages(std::shared_ptr<artifact_store> artifacts,
                                       std::shared_ptr<memory_store> memory) {
  return [=](stage_kind) -> stage_function {
    return [=](const stage_request& req, const progress_fn&) {
      const auto& job = req.job;
      stage_result r;
      r.stage = req.stage;
      auto title = "Talk " + job.key.external_id;
      if (req.stage == stage_kind::download) {
        r.download.title = title;
        r.download.uploader = "Someone";
        artifacts->save_checkpoint(job.id, stage_kind::download, nlohmann::json(r.download));
      } else if (req.stage == stage_kind::analyze) {
        analysis a;
        a.topics = {{"volcano", 1.0}};
        a.key_phrases = {{"ash cloud", 1.0}};
        a.summary = {"The volcano erupted."};
        artifacts->save_checkpoint(job.id, stage_kind::analyze, nlohmann::json(a));
      } else if (req.stage == stage_kind::memory) {
        memory_entry e;
        e.job_id = job.id;
        e.source = job.key.source;
        e.external_id = job.key.external_id;
        e.title = title;
        e.url = job.url;
        e.chunks.push_back({0, 1000, "The volcano erupted in the morning of " + job.key.tenant});
        memory->put(job.key.tenant, job.key.workspace, e);
      }
      return r;
    };
  };
}

/// A node with the API on an ephemeral port, tokens for two tenants, and a client.
struct api_node {
  test::temp_dir dir;
  fs::path data = dir / "data";
  vfb_config config;
  test::threaded_system ts;
  std::shared_ptr<token_store> tokens;
  std::shared_ptr<follow_registry> follows;
  std::shared_ptr<memory_store> memory;
  node_handles node;
  std::unique_ptr<http_api> api;
  caf::scoped_actor self{*ts.sys};
  std::unique_ptr<httplib::Client> client;
  std::string acme_operator, acme_viewer, other_operator, revoked;
  std::set<uint64_t> ended; // jobs the pipeline reported as ended

  explicit api_node(size_t max_body = 64 * 1024, const std::function<void(vfb_config&)>& tweak = {},
                    const fs::path& data_dir = {}) {
    if (!data_dir.empty())
      data = data_dir; // a restarted node over an earlier node's data
    if (tweak)
      tweak(config);
    config.sources.allow_loopback = true;
    config.tools.ytdlp = "true"; // lists nothing, at once
    config.rate_limits.listings_per_minute = 0;
    fs::create_directories(data);
    queue_options qo;
    qo.dir = data / "queue";
    tokens = std::make_shared<token_store>(tokens_options_for(config, data, false));
    follows = std::make_shared<follow_registry>(follows_options_for(config, data, false));
    memory = std::make_shared<memory_store>(memory_options_for(config, data, false));
    node_setup setup;
    setup.config = config;
    setup.queue = std::make_shared<job_queue>(qo);
    setup.follows = follows;
    setup.refresh_follows = false;
    setup.stages = stand_in_stages(std::make_shared<artifact_store>(artifacts_dir(data)), memory);
    node = spawn_node(*ts.sys, setup);
    self->send(node.pipeline, subscribe_atom::value, caf::actor_cast<pipeline_event_sink>(self));
    auto opts = api_options_from(config, data);
    opts.port = 0;
    opts.max_body_bytes = max_body;
    api = std::make_unique<http_api>(*ts.sys, node, opts, tokens, follows, memory);
    auto port = api->start();
    client = std::make_unique<httplib::Client>("127.0.0.1", port);
    acme_operator = tokens->create("acme", "main", token_role::operator_, "", 1).token;
    acme_viewer = tokens->create("acme", "main", token_role::viewer, "", 1).token;
    other_operator = tokens->create("other", "main", token_role::operator_, "", 1).token;
    auto r = tokens->create("acme", "main", token_role::operator_, "old", 1);
    tokens->revoke(r.record.id, 2);
    revoked = r.token;
  }
  ~api_node() {
    api.reset();
    stop_node(self, node);
    node = node_handles{};
  }

  reply call(const std::string& method, const std::string& path, const std::string& token = {},
             const std::string& body = {}) {
    httplib::Headers h;
    if (!token.empty())
      h.emplace("Authorization", "Bearer " + token);
    httplib::Result res{nullptr, httplib::Error::Unknown};
    if (method == "GET")
      res = client->Get(path.c_str(), h);
    else if (method == "POST")
      res = client->Post(path.c_str(), h, body, "application/json");
    else if (method == "PUT")
      res = client->Put(path.c_str(), h, body, "application/json");
    else
      res = client->Delete(path.c_str(), h);
    REQUIRE(res);
    reply out;
    out.status = res->status;
    out.text = res->body;
    out.headers = res->headers;
    out.body = nlohmann::json::parse(res->body, nullptr, false);
    return out;
  }

  uint64_t submit(const std::string& token, const std::string& name) {
    auto r = call("POST", "/v1/submissions", token,
                  nlohmann::json{{"url", "http://127.0.0.1:9/videos/" + name}}.dump());
    REQUIRE(r.status == 202);
    return r.body.at("job_id").get<uint64_t>();
  }

  /// Waits for the pipeline's report that job `id` ended (it may have come already, while
  /// waiting for another job).
  void wait_ended(uint64_t id) {
    self->receive_while([&] { return ended.count(id) == 0; })(
        [&](const pipeline_event& ev) {
          if (ev.kind == progress_kind::ended)
            ended.insert(ev.job_id);
        },
        // A safety net against a hang, not a timing assertion.
        caf::after(std::chrono::minutes{1}) >> [&] { FAIL("job " << id << " did not end"); });
  }
};

std::string error_code(const reply& r) {
  return r.body.at("error").at("code").get<std::string>();
}

} // namespace

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
  CHECK(n.call("GET", "/v1/memory/search", n.acme_viewer).status == 400);

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

TEST_CASE("a viewer reads but may not submit, retry, cancel, follow or change settings") {
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
                                                           {"PUT", "/v1/settings/auto-follow"}};
  for (const auto& [method, path] : refused) {
    auto r = n.call(method, path, n.acme_viewer, R"({"url": "http://127.0.0.1:9/x"})");
    CHECK(r.status == 403);
    CHECK(error_code(r) == "forbidden");
  }
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
  // An open breaker keeps loopback (generic) jobs queued: nothing leases them.
  n.self
      ->request(n.node.scheduler, caf::infinite, trip_atom::value, std::string{"generic"},
                millis{3600'000})
      .receive([](millis) {}, [](const caf::error&) { FAIL("trip refused"); });
  auto id = std::to_string(n.submit(n.acme_operator, "held"));
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

/// A slash command from guild 111 by a member with `roles`.
std::string command(const std::string& name, const nlohmann::json& options,
                    const std::vector<std::string>& roles, const std::string& guild = "111") {
  return nlohmann::json{{"type", 2},
                        {"id", "9001"},
                        {"application_id", "777"},
                        {"token", "interaction-token"},
                        {"guild_id", guild},
                        {"member", {{"user", {{"id", "42"}}}, {"roles", roles}}},
                        {"data", {{"name", name}, {"options", options}}}}
      .dump();
}

nlohmann::json option(const std::string& name, const std::string& value) {
  return nlohmann::json::array({{{"name", name}, {"type", 3}, {"value", value}}});
}

} // namespace

TEST_CASE("Discord interactions: signatures, PING, and the slash commands per guild and role") {
  discord_app app;
  test::fake_discord discord_api;
  discord_api.add_route("edit_original", "PATCH",
                        "/api/v10/webhooks/777/interaction-token/messages/@original",
                        [](const test::discord_request&, const std::smatch&) {
                          return test::discord_reply{200, {{"id", "1"}}, {}};
                        });
  api_node n{64 * 1024, [&](vfb_config& c) {
               c.discord.public_key = app.public_hex();
               c.discord.api_base = discord_api.base_url() + "/api/v10";
               c.discord.guilds["111"] = "acme/main";
               c.discord.guild_operators["111"] = {"op-role"};
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

  // Operator commands need an operator role; unknown guilds are refused.
  auto refused = post(command("follow_uploader", option("mode", "on"), {"member"})).second;
  CHECK_THAT(refused["data"]["content"].get<std::string>(), Catch::Contains("operator"));
  CHECK(n.follows->setting("acme", "main") == auto_follow_setting::inherit);
  auto stranger = post(command("queue", nlohmann::json::array(), {}, "999")).second;
  CHECK_THAT(stranger["data"]["content"].get<std::string>(), Catch::Contains("not connected"));

  auto toggled = post(command("follow_uploader", option("mode", "on"), {"op-role"})).second;
  CHECK(toggled["type"] == 4);
  CHECK(n.follows->setting("acme", "main") == auto_follow_setting::on);

  // /analyze answers at once with a deferred reply, then edits it when the job is done.
  auto analyzed =
      post(command("analyze", option("url", "http://127.0.0.1:9/videos/discord"), {"op-role"}))
          .second;
  CHECK(analyzed["type"] == 5);
  uint64_t id = 1;
  n.wait_ended(id);
  REQUIRE(discord_api.wait_for_route("edit_original", 1));
  auto edits = discord_api.requests();
  auto edit = std::find_if(edits.begin(), edits.end(), [](const test::discord_request& r) {
    return r.route == "edit_original";
  });
  REQUIRE(edit != edits.end());
  CHECK(edit->method == "PATCH");
  CHECK_FALSE(edit->json["content"].get<std::string>().empty());
  CHECK(edit->json["allowed_mentions"]["parse"].empty());
  auto job = n.call("GET", "/v1/jobs/" + std::to_string(id), n.acme_operator);
  CHECK(job.status == 200);
  CHECK(n.call("GET", "/v1/jobs/" + std::to_string(id), n.other_operator).status == 404);

  auto queue = post(command("queue", nlohmann::json::array(), {})).second;
  CHECK_THAT(queue["data"]["content"].get<std::string>(), Catch::Contains("done 1"));
  auto search = post(command("search", option("query", "volcano"), {})).second;
  CHECK_THAT(search["data"]["content"].get<std::string>(), Catch::Contains("volcano"));

  auto followed =
      post(command("follow", option("url", "http://127.0.0.1:9/feed.xml"), {"op-role"}));
  CHECK_THAT(followed.second["data"]["content"].get<std::string>(), Catch::Contains("Following"));
  REQUIRE(n.follows->list("acme", "main").size() == 1);
  auto unfollowed =
      post(command("unfollow", option("url", "http://127.0.0.1:9/feed.xml"), {"op-role"}));
  CHECK_THAT(unfollowed.second["data"]["content"].get<std::string>(), Catch::Contains("Stopped"));
  CHECK(n.follows->list("acme", "main").empty());
}

TEST_CASE("a guild's /follow_uploader setting survives a node restart") {
  discord_app app;
  test::temp_dir kept;
  auto tweak = [&](vfb_config& c) {
    c.discord.public_key = app.public_hex();
    c.discord.guilds["111"] = "acme/main";
    c.discord.guild_operators["111"] = {"op-role"};
  };
  auto toggle = [&](api_node& n, const std::string& mode) {
    auto body = command("follow_uploader", option("mode", mode), {"op-role"});
    auto ts = now_text();
    httplib::Headers h{{"X-Signature-Ed25519", app.sign(ts, body)}, {"X-Signature-Timestamp", ts}};
    auto res = n.client->Post("/discord/interactions", h, body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
  };
  {
    api_node first{64 * 1024, tweak, kept / "data"};
    toggle(first, "off");
  }
  api_node second{64 * 1024, tweak, kept / "data"};
  CHECK(second.follows->setting("acme", "main") == auto_follow_setting::off);
  auto r = second.call("GET", "/v1/settings/auto-follow", second.acme_viewer);
  CHECK(r.status == 200);
  CHECK_THAT(r.text, Catch::Contains("off"));
}
