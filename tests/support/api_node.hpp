// A node with the HTTP API on an ephemeral port, for the API's tests (tests/e2e/http_api_test.cpp,
// web_api_test.cpp): a threaded actor system, stand-in stages, tokens for two tenants and a
// client. Stages finish at once and write what the real ones would (download and analysis
// checkpoints, a transcript, memory), so results and search are real reads. Channel listings
// run `true` as yt-dlp: an empty listing, which is all the API's part needs.
#pragma once

#include "actors/node.hpp"
#include "frontends/http_api.hpp"
#include "storage/artifact_store.hpp"
#include "storage/follow_registry.hpp"
#include "storage/job_queue.hpp"
#include "storage/media_json.hpp"
#include "storage/memory_store.hpp"
#include "storage/token_store.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <httplib.h>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

namespace vfb::test {

namespace fs = std::filesystem;

struct reply {
  int status = 0;
  nlohmann::json body;
  std::string text;
  httplib::Headers headers;
};

/// Stand-in stages: each finishes at once, leaving what the real stage would leave behind (a
/// URL with "/private" fails for good at the download, as a private video does). The
/// download waits for `gate` (a job that takes as long as the test wants), or for the node to
/// stop (`cancel`: the job goes back to the queue).
inline stage_function_factory stand_in_stages(std::shared_ptr<artifact_store> artifacts,
                                              std::shared_ptr<memory_store> memory,
                                              std::shared_future<void> gate,
                                              std::shared_ptr<std::atomic<bool>> cancel) {
  return [=](stage_kind) -> stage_function {
    return [=](const stage_request& req, const progress_fn&) {
      const auto& job = req.job;
      stage_result r;
      r.stage = req.stage;
      // A video the source refuses (yt-dlp's words for a private one) fails for good.
      if (req.stage == stage_kind::download && job.url.find("/private") != std::string::npos) {
        r.finished = true;
        r.outcome.kind = outcome_kind::permanent_failure;
        r.outcome.reason = "Private video. Sign in if you've been granted access to this video";
        return r;
      }
      if (req.stage == stage_kind::download)
        while (gate.wait_for(std::chrono::milliseconds{20}) != std::future_status::ready)
          if (cancel->load())
            return r;
      auto title = "Talk " + job.key.external_id;
      if (req.stage == stage_kind::download) {
        r.download.title = title;
        r.download.uploader = "Someone";
        artifacts->save_checkpoint(job.id, stage_kind::download, nlohmann::json(r.download));
      } else if (req.stage == stage_kind::transcribe) {
        transcript t;
        t.origin = "speech";
        t.segments = {{0, 2000, "The volcano erupted."}, {2000, 4500, "Ash <fell> & spread."}};
        artifacts->save_transcript(job.key.source, job.key.external_id, t);
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
        e.channels = {"https://www.youtube.com/@" + job.key.tenant + "-channel"};
        e.upload_date = "20260301";
        e.chunks.push_back({0, 1000, "The volcano erupted in the morning of " + job.key.tenant});
        memory->put(job.key.tenant, job.key.workspace, e);
      }
      return r;
    };
  };
}

/// What some tests change in a node: stages that wait until released, or its actors replaced
/// by stand-ins (before the API is built on them).
struct node_extras {
  bool hold_stages = false;
  std::function<void(caf::actor_system&, node_handles&)> rewire;
};

/// A node with the API on an ephemeral port, tokens for two tenants, and a client.
struct api_node {
  temp_dir dir;
  fs::path data = dir / "data";
  vfb_config config;
  threaded_system ts;
  std::shared_ptr<token_store> tokens;
  std::shared_ptr<follow_registry> follows;
  std::shared_ptr<memory_store> memory;
  node_handles node;
  std::unique_ptr<http_api> api;
  caf::scoped_actor self{*ts.sys};
  std::unique_ptr<httplib::Client> client;
  std::string acme_operator, acme_viewer, other_operator, revoked;
  std::set<uint64_t> ended;          // jobs the pipeline reported as ended
  std::promise<void> release_stages; // fulfilled: held stages go on
  int port = 0;

  explicit api_node(size_t max_body = 64 * 1024, const std::function<void(vfb_config&)>& tweak = {},
                    const fs::path& data_dir = {}, const node_extras& extras = {}) {
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
    setup.cancel = std::make_shared<std::atomic<bool>>(false);
    if (!extras.hold_stages)
      release_stages.set_value();
    setup.stages = stand_in_stages(std::make_shared<artifact_store>(artifacts_dir(data)), memory,
                                   release_stages.get_future().share(), setup.cancel);
    node = spawn_node(*ts.sys, setup);
    if (extras.rewire)
      extras.rewire(*ts.sys, node);
    self->send(node.pipeline, subscribe_atom::value, caf::actor_cast<pipeline_event_sink>(self));
    auto opts = api_options_from(config, data);
    opts.port = 0;
    opts.max_body_bytes = max_body;
    api = std::make_unique<http_api>(*ts.sys, node, opts, tokens, follows, memory);
    port = api->start();
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

  /// A request with the bearer `token` (none when empty) and the headers `h`.
  reply call(const std::string& method, const std::string& path, const std::string& token = {},
             const std::string& body = {}, httplib::Headers h = {}) {
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

  /// Submits a job that stays queued: an open breaker keeps loopback (generic) jobs from being
  /// leased.
  uint64_t submit_held(const std::string& token) {
    self->request(node.scheduler, caf::infinite, trip_atom::value, std::string{"generic"},
                  millis{3600'000})
        .receive([](millis) {}, [](const caf::error&) { FAIL("trip refused"); });
    return submit(token, "held");
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

inline std::string error_code(const reply& r) {
  return r.body.at("error").at("code").get<std::string>();
}

/// GET /v1/events read on a thread of its own, as a browser's EventSource would.
struct event_stream {
  std::mutex mu;
  std::condition_variable cv;
  std::string text;
  int status = 0;
  std::atomic<bool> leave{false};
  std::thread reader;

  event_stream(int port, const std::string& token)
      : event_stream(port, httplib::Headers{{"Authorization", "Bearer " + token}}) {}
  event_stream(int port, httplib::Headers headers) {
    reader = std::thread{[this, port, headers] {
      httplib::Client c{"127.0.0.1", port};
      c.set_read_timeout(60);
      auto r = c.Get("/v1/events", headers, [this](const char* data, size_t n) {
        std::lock_guard g{mu};
        text.append(data, n);
        cv.notify_all();
        return !leave.load();
      });
      std::lock_guard g{mu};
      status = r ? r->status : -1;
      cv.notify_all();
    }};
  }
  ~event_stream() {
    leave = true;
    reader.join();
  }
  /// Waits until the stream holds `part` (a bound that only ends a failing test).
  bool wait_for(const std::string& part) {
    std::unique_lock lock{mu};
    return cv.wait_for(lock, std::chrono::minutes{1},
                       [&] { return text.find(part) != std::string::npos; });
  }
  std::string seen() {
    std::lock_guard g{mu};
    return text;
  }
  /// Waits until the stream has ended (a bound that only ends a failing test); its status.
  int wait_ended() {
    std::unique_lock lock{mu};
    cv.wait_for(lock, std::chrono::minutes{1}, [&] { return status != 0; });
    return status;
  }
};

} // namespace vfb::test
