#include "actors/http_api.hpp"

#include "actors/blocking_ask.hpp"
#include "actors/discord_bridge.hpp"
#include "actors/follow_refresher.hpp"
#include "actors/scheduler.hpp"
#include "adapters/backfill.hpp"
#include "adapters/discord_interactions.hpp"
#include "messages/errors.hpp"
#include "messages/json.hpp"
#include "storage/artifact_store.hpp"
#include "storage/discord_store.hpp"
#include "storage/follow_registry.hpp"
#include "storage/media_json.hpp"
#include "storage/memory_store.hpp"
#include "storage/token_store.hpp"

#include <array>
#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <httplib.h>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace vfb {

http_api_options api_options_from(const vfb_config& cfg, const std::filesystem::path& data_dir) {
  http_api_options o;
  o.host = cfg.api.listen;
  o.port = static_cast<int>(cfg.api.port);
  o.max_body_bytes = static_cast<size_t>(cfg.api.max_body_kb) * 1024;
  o.config = cfg;
  o.data_dir = data_dir;
  return o;
}

namespace {

/// A request that cannot be answered as asked: its status, a stable code and a message.
struct api_error : std::runtime_error {
  api_error(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status(status), code(std::move(code)) {}
  int status;
  std::string code;
};

api_error bad_request(const std::string& message) {
  return {400, "bad_request", message};
}

/// Other workspaces' jobs and follows answer exactly like missing ones: an id says nothing
/// about whether it exists elsewhere.
api_error not_found(const char* what, uint64_t id) {
  return {404, "not_found", std::string{"no "} + what + " " + std::to_string(id)};
}

nlohmann::json error_body(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

/// A failed actor request as an HTTP error.
api_error from_caf(const caf::error& e) {
  if (e == caf::sec::request_timeout)
    return {503, "timeout", "the node did not answer in time"};
  if (e.category() == error_category) {
    switch (static_cast<errc>(e.code())) {
    case errc::not_found:
      return {404, "not_found", error_message(e)};
    case errc::wrong_state:
    case errc::stale_lease:
      return {409, "wrong_state", error_message(e)};
    case errc::invalid:
      return {400, "invalid", error_message(e)};
    case errc::storage_failure:
      break;
    }
  }
  return {503, "unavailable", error_message(e)};
}

// -- metrics -------------------------------------------------------------------------------------

/// Upper bounds of the stage latency buckets, seconds (stages take from milliseconds, a cached
/// download, to an hour, a long transcription).
constexpr std::array<double, 10> latency_buckets{0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600};

/// Where a job's latest run is, as the pipeline reported it (the queue keeps no stage timings).
struct job_progress {
  bool running = false;
  stage_kind stage = stage_kind::download;
  double fraction = 0;
  std::map<stage_kind, millis> elapsed; // stages that ended well
};

/// Jobs whose progress is kept; beyond it the oldest ids are forgotten (memory stays bounded
/// on a node that runs for months).
constexpr size_t progress_kept = 10'000;

/// What the pipeline reported since start. Filled by the sink actor on CAF's threads and read
/// by /metrics and job views on httplib's, hence the mutex (held for a few updates at a time).
struct pipeline_counters {
  struct histogram {
    std::array<uint64_t, latency_buckets.size()> buckets{}; // not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  std::mutex mu;
  std::map<std::pair<stage_kind, outcome_kind>, uint64_t> ended;
  std::array<histogram, stage_count> latency;
  std::map<uint64_t, job_progress> jobs;

  void record(const pipeline_event& ev) {
    std::lock_guard<std::mutex> guard{mu};
    track(ev);
    if (ev.kind == progress_kind::ended) {
      ++ended[{ev.stage, ev.outcome.kind}];
    } else if (ev.kind == progress_kind::finished) {
      // Only stages that ended well carry their elapsed time.
      auto& h = latency[static_cast<size_t>(ev.stage)];
      double s = static_cast<double>(ev.elapsed) / 1000;
      for (size_t i = 0; i < latency_buckets.size(); ++i)
        if (s <= latency_buckets[i]) {
          ++h.buckets[i];
          break;
        }
      ++h.count;
      h.sum += s;
    }
  }

  void track(const pipeline_event& ev) {
    auto& p = jobs[ev.job_id];
    p.running = ev.kind != progress_kind::ended;
    p.stage = ev.stage;
    p.fraction = ev.kind == progress_kind::started ? 0 : ev.fraction;
    if (ev.kind == progress_kind::finished)
      p.elapsed[ev.stage] = ev.elapsed;
    if (jobs.size() > progress_kept)
      jobs.erase(jobs.begin());
  }

  /// The job's progress as JSON; null when this node has not run it since it started.
  nlohmann::json progress_of(uint64_t id) {
    std::lock_guard<std::mutex> guard{mu};
    auto it = jobs.find(id);
    if (it == jobs.end())
      return nullptr;
    const auto& p = it->second;
    auto elapsed = nlohmann::json::object();
    for (const auto& [stage, ms] : p.elapsed)
      elapsed[std::string{to_string(stage)}] = ms;
    nlohmann::json out{{"running", p.running}, {"elapsed_ms", elapsed}};
    if (p.running) {
      out["stage"] = to_string(p.stage);
      out["fraction"] = p.fraction;
    }
    return out;
  }
};

pipeline_event_sink::behavior_type metrics_sink(pipeline_event_sink::pointer,
                                                std::shared_ptr<pipeline_counters> counters,
                                                std::shared_ptr<discord_bridge> discord) {
  return {[counters, discord](const pipeline_event& ev) {
    counters->record(ev);
    if (ev.kind == progress_kind::ended && discord)
      discord->job_ended(ev.job_id);
  }};
}

/// A Prometheus label value: backslash, quote and newline escaped.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

/// The pieces of a request the handlers need: who asks and what.
using handler = std::function<httplib::Response(const httplib::Request&, const token_record&)>;

enum class access { open, viewer, operator_ };

httplib::Response json_reply(int status, const nlohmann::json& body) {
  httplib::Response res;
  res.status = status;
  // Replacing invalid UTF-8 (a client's bytes echoed in a message) instead of throwing.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
  return res;
}

// -- request parsing -----------------------------------------------------------------------------

/// The body as a JSON object (an empty body is an empty object).
nlohmann::json body_of(const httplib::Request& req) {
  if (req.body.empty())
    return nlohmann::json::object();
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded())
    throw api_error(400, "malformed_json", "the body is not valid JSON");
  if (!j.is_object())
    throw bad_request("the body must be a JSON object");
  return j;
}

std::optional<std::string> string_field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null())
    return std::nullopt;
  if (!it->is_string())
    throw bad_request(std::string{"'"} + name + "' must be a string");
  return it->get<std::string>();
}

std::string required_string(const nlohmann::json& j, const char* name) {
  auto v = string_field(j, name);
  if (!v || v->empty())
    throw bad_request(std::string{"'"} + name + "' is required");
  return *v;
}

/// A whole number in [lo, hi] from JSON (a number) or a query string (its text).
int64_t bounded(const nlohmann::json& v, const char* name, int64_t lo, int64_t hi) {
  int64_t n = lo - 1;
  if (v.is_number_integer()) {
    n = v.get<int64_t>();
  } else if (v.is_string()) {
    auto s = v.get<std::string>();
    size_t used = 0;
    try {
      n = std::stoll(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || s.empty())
      n = lo - 1;
  }
  if (n < lo || n > hi)
    throw bad_request(std::string{"'"} + name + "' must be a whole number from " +
                      std::to_string(lo) + " to " + std::to_string(hi));
  return n;
}

int64_t query_number(const httplib::Request& req, const char* name, int64_t fallback, int64_t lo,
                     int64_t hi) {
  if (!req.has_param(name))
    return fallback;
  return bounded(req.get_param_value(name), name, lo, hi);
}

uint64_t path_id(const httplib::Request& req, const char* what) {
  // The route only matches digits; an id too large for 64 bits cannot exist.
  try {
    return std::stoull(req.matches[1].str());
  } catch (const std::exception&) {
    throw api_error(404, "not_found", std::string{"no "} + what + " " + req.matches[1].str());
  }
}

std::vector<std::string> terms_of(const std::vector<weighted_term>& terms) {
  std::vector<std::string> out;
  for (const auto& t : terms)
    out.push_back(t.term);
  return out;
}

} // namespace

// -- the server ----------------------------------------------------------------------------------

struct http_api::impl {
  caf::actor_system& sys;
  scheduler_actor scheduler;
  node_handles node;
  http_api_options opts;
  std::shared_ptr<token_store> tokens;
  std::shared_ptr<follow_registry> follows;
  std::shared_ptr<memory_store> memory;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::shared_ptr<pipeline_counters> counters = std::make_shared<pipeline_counters>();
  std::shared_ptr<discord_bridge> discord; // only with [discord] public_key
  pipeline_event_sink sink;
  std::mutex rng_mu;
  std::mt19937_64 rng{std::random_device{}()};

  impl(caf::actor_system& sys, const node_handles& node, http_api_options opts,
       std::shared_ptr<token_store> tokens, std::shared_ptr<follow_registry> follows,
       std::shared_ptr<memory_store> memory, std::shared_ptr<discord_store> replies)
      : sys(sys), scheduler(caf::actor_cast<scheduler_actor>(node.scheduler)), node(node),
        opts(std::move(opts)), tokens(std::move(tokens)), follows(std::move(follows)),
        memory(std::move(memory)) {
    if (this->opts.listing_timeout.count() == 0)
      this->opts.listing_timeout =
          std::chrono::seconds{this->opts.config.tools.ytdlp_timeout_s + 60};
    if (!this->opts.config.discord.public_key.empty()) {
      if (!replies && !this->opts.data_dir.empty())
        replies = std::make_shared<discord_store>(
            discord_options_for(this->opts.config, this->opts.data_dir, false));
      if (!replies)
        throw std::runtime_error("the Discord bridge needs a data dir for its pending replies");
      discord_bridge_options bo;
      bo.config = this->opts.config;
      bo.timeout = this->opts.timeout;
      bo.results_of = [this](const job_view& v) { return results_of(v); };
      discord = std::make_shared<discord_bridge>(sys, node, std::move(bo), this->follows,
                                                 this->memory, std::move(replies));
    }
    routes();
  }

  /// Asks an actor and waits (on this httplib thread) for its answer of type T.
  template <class T, class Handle, class... Ts>
  T ask(const Handle& dest, std::chrono::milliseconds timeout, Ts&&... xs) {
    if (!dest)
      throw api_error(503, "unavailable", "this node does not run that service");
    auto [out, err] = blocking_ask<T>(sys, dest, timeout, std::forward<Ts>(xs)...);
    if (!out)
      throw from_caf(err);
    return std::move(*out);
  }

  /// The token of an `Authorization: Bearer ...` header (scheme case-insensitive), if any.
  static std::optional<std::string> bearer_token(const httplib::Request& req) {
    auto header = req.get_header_value("Authorization");
    const std::string scheme = "bearer ";
    if (header.size() <= scheme.size() ||
        !std::equal(scheme.begin(), scheme.end(), header.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        }))
      return std::nullopt;
    return header.substr(scheme.size());
  }

  /// The token's record; 401 without a usable token, 403 when the role does not suffice.
  token_record authenticate(const httplib::Request& req, access need) {
    auto token = bearer_token(req);
    if (!token)
      throw api_error(401, "unauthorized", "an Authorization: Bearer token is required");
    auto record = tokens->verify(*token);
    if (!record)
      throw api_error(401, "unauthorized", "unknown or revoked token");
    if (need == access::operator_ && record->role != token_role::operator_)
      throw api_error(403, "forbidden", "this needs an operator token");
    return *record;
  }

  void add(const char* method, const char* pattern, access need, handler h) {
    auto wrapped = [this, need, h](const httplib::Request& req, httplib::Response& res) {
      httplib::Response out;
      try {
        token_record who;
        if (need != access::open)
          who = authenticate(req, need);
        out = h(req, who);
      } catch (const api_error& e) {
        out = json_reply(e.status, error_body(e.code, e.what()));
        if (e.status == 401)
          out.set_header("WWW-Authenticate", "Bearer realm=\"vfb\"");
      } catch (const std::invalid_argument& e) {
        out = json_reply(400, error_body("bad_request", e.what()));
      } catch (const std::exception& e) {
        // The stores' errors (storage failures, a full disk): the request may succeed later.
        out = json_reply(503, error_body("unavailable", e.what()));
      }
      res.status = out.status;
      res.body = std::move(out.body);
      for (auto& [k, v] : out.headers)
        res.set_header(k.c_str(), v);
    };
    std::string m = method;
    if (m == "GET") {
      server.Get(pattern, wrapped);
      return;
    }
    // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112, 6.3),
    // e.g. `curl -X POST .../cancel`. httplib 0.11 reads such a POST, PUT or DELETE body until
    // the client closes the connection, which a client waiting for its answer never does: 400
    // after its 5 s read timeout. Handlers with a content reader run before any body is read,
    // so they read one only when the headers announce it.
    auto with_body = [wrapped](const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) {
      if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding"))
        return wrapped(req, res);
      std::string body;
      // httplib enforces the payload limit (413) and sets the status when reading fails; the
      // error handler gives that answer the API's error shape.
      if (!reader([&](const char* data, size_t n) {
            body.append(data, n);
            return true;
          }))
        return;
      auto with = req;
      with.body = std::move(body);
      wrapped(with, res);
    };
    if (m == "POST")
      server.Post(pattern, with_body);
    else if (m == "PUT")
      server.Put(pattern, with_body);
    else
      server.Delete(pattern, with_body);
  }

  /// The job if it belongs to the token's workspace, else 404.
  job_view owned_job(uint64_t id, const token_record& who) {
    job_view v;
    try {
      v = ask<job_view>(scheduler, opts.timeout, caf::get_atom::value, id);
    } catch (const api_error& e) {
      if (e.status == 404)
        throw not_found("job", id);
      throw;
    }
    if (v.job.key.tenant != who.tenant || v.job.key.workspace != who.workspace)
      throw not_found("job", id);
    return v;
  }

  follow_record owned_follow(uint64_t id, const token_record& who) {
    auto f = registry().get(id);
    if (!f || f->tenant != who.tenant || f->workspace != who.workspace)
      throw not_found("follow", id);
    return *f;
  }

  follow_registry& registry() {
    if (!follows)
      throw api_error(503, "unavailable", "this node does not keep follows");
    return *follows;
  }

  /// What the pipeline produced for a job so far (null when nothing yet).
  nlohmann::json results_of(const job_view& v) {
    if (opts.data_dir.empty())
      return nullptr;
    artifact_store artifacts{artifacts_dir(opts.data_dir)};
    auto d = checkpoint_as<download_result>(artifacts, v.job.id, stage_kind::download);
    auto a = checkpoint_as<analysis>(artifacts, v.job.id, stage_kind::analyze);
    if (!d && !a)
      return nullptr;
    nlohmann::json r = nlohmann::json::object();
    if (d) {
      r["title"] = d->title;
      r["uploader"] = d->uploader;
      r["duration_s"] = d->duration;
      r["upload_date"] = d->upload_date;
      r["webpage_url"] = d->webpage_url;
    }
    if (a) {
      r["topics"] = terms_of(a->topics);
      r["key_phrases"] = terms_of(a->key_phrases);
      r["summary"] = a->summary;
    }
    return r;
  }

  nlohmann::json setting_json(const token_record& who) {
    auto s = registry().setting(who.tenant, who.workspace);
    bool effective = s == auto_follow_setting::on ||
                     (s == auto_follow_setting::inherit && opts.config.auto_follow.enabled);
    return {{"tenant", who.tenant},
            {"workspace", who.workspace},
            {"setting", std::string{to_string(s)}},
            {"effective", effective}};
  }

  httplib::Response job_action(const httplib::Request& req, const token_record& who, bool retry) {
    auto id = path_id(req, "job");
    owned_job(id, who); // a job's workspace never changes: checking first is enough
    auto v = retry ? ask<job_view>(scheduler, opts.timeout, retry_atom::value, id)
                   : ask<job_view>(scheduler, opts.timeout, cancel_atom::value, id);
    // A job cancelled while queued never runs, so the pipeline reports no end: /analyze askers
    // hear of it from here.
    if (!retry && discord && v.state == job_state::cancelled)
      discord->job_ended(id);
    return json_reply(200, to_json(v));
  }

  httplib::Response add_follow(const httplib::Request& req, const token_record& who) {
    auto body = body_of(req);
    const auto& cfg = opts.config;
    auto now = now_millis();
    if (!node.enumerator) // checked first: nothing is recorded that could not be listed
      throw api_error(503, "unavailable", "this node does not list channels");
    auto f = follow_for_url(required_string(body, "url"), url_policy_from(cfg));
    f.tenant = who.tenant;
    f.workspace = who.workspace;
    f.origin = job_origin::api;
    f.limit = static_cast<uint32_t>(cfg.auto_follow.max_videos);
    if (body.contains("limit") && !body["limit"].is_null())
      f.limit = static_cast<uint32_t>(bounded(body["limit"], "limit", 1, 100000));
    f.since = now - cfg.auto_follow.window_days * 24 * 3600 * 1000;
    if (auto s = string_field(body, "since")) {
      auto since = parse_iso_utc(*s);
      if (!since)
        throw bad_request("'since' needs a date like 2025-11-29 or 2025-11-29T12:00:00Z");
      f.since = *since;
    }
    auto ro = refresher_options_from(cfg);
    {
      std::lock_guard<std::mutex> guard{rng_mu};
      f.next_refresh_at = next_refresh(now, ro, rng); // listed right here, not by the refresher
    }
    auto added = registry().add(f, now);
    auto plan = plan_for(added.follow, static_cast<uint32_t>(cfg.auto_follow.max_videos));
    auto r =
        ask<enumeration_result>(node.enumerator, opts.listing_timeout, enumerate_atom::value, plan);
    {
      std::lock_guard<std::mutex> guard{rng_mu};
      store_listing(*follows, added.follow.id, r, ro, rng);
    }
    auto body_out = listing_json(follows->get(added.follow.id).value_or(added.follow), r);
    body_out["created"] = added.created;
    return json_reply(202, body_out);
  }

  // -- Discord bridge ----------------------------------------------------------------------

  httplib::Response discord_interaction(const httplib::Request& req) {
    const auto& key = opts.config.discord.public_key;
    if (key.empty() || !discord)
      throw api_error(404, "not_found", "no such endpoint");
    using namespace std::chrono;
    auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    auto check =
        verify_interaction_signature(key, req.get_header_value("X-Signature-Ed25519"),
                                     req.get_header_value("X-Signature-Timestamp"), req.body, now);
    if (check != signature_check::ok)
      throw api_error(401, "unauthorized",
                      std::string{"interaction signature: "} + to_string(check));
    interaction in;
    try {
      in = parse_interaction(req.body);
    } catch (const discord_error& e) {
      throw bad_request(e.what());
    }
    if (in.type == interaction_type::ping)
      return json_reply(200, pong());
    if (in.type != interaction_type::application_command)
      return json_reply(200, message_response("vfb only answers slash commands.", true));
    return json_reply(200, discord->answer(in));
  }

  /// The Prometheus text. `who` (a token's holder, or nobody) decides the per-workspace series:
  /// only its own workspace's, none without a token, so that an open endpoint names no tenant.
  std::string metrics_text(const std::optional<token_record>& who) {
    std::ostringstream out;
    auto stats = ask<queue_stats>(scheduler, opts.timeout, stats_atom::value);
    out << "# HELP vfb_queue_jobs Jobs in the queue by state.\n"
        << "# TYPE vfb_queue_jobs gauge\n";
    for (int i = 0; i < job_state_count; ++i)
      out << "vfb_queue_jobs{state=\"" << to_string(static_cast<job_state>(i)) << "\"} "
          << stats.by_state[static_cast<size_t>(i)] << '\n';
    out << "# HELP vfb_workspace_jobs Jobs by tenant, workspace and state (the token's own).\n"
        << "# TYPE vfb_workspace_jobs gauge\n";
    for (const auto& b : stats.backlog)
      if (who && b.tenant == who->tenant && b.workspace == who->workspace)
        for (int i = 0; i < job_state_count; ++i)
          out << "vfb_workspace_jobs{tenant=\"" << label(b.tenant) << "\",workspace=\""
              << label(b.workspace) << "\",state=\"" << to_string(static_cast<job_state>(i))
              << "\"} " << b.by_state[static_cast<size_t>(i)] << '\n';
    {
      std::lock_guard<std::mutex> guard{counters->mu};
      out << "# HELP vfb_jobs_finished_total Job runs ended since start, by the stage they "
             "ended in and outcome.\n"
          << "# TYPE vfb_jobs_finished_total counter\n";
      for (const auto& [k, n] : counters->ended)
        out << "vfb_jobs_finished_total{stage=\"" << to_string(k.first) << "\",outcome=\""
            << to_string(k.second) << "\"} " << n << '\n';
      out << "# HELP vfb_stage_duration_seconds Wall time of stages that ended well.\n"
          << "# TYPE vfb_stage_duration_seconds histogram\n";
      for (int s = 0; s < stage_count; ++s) {
        const auto& h = counters->latency[static_cast<size_t>(s)];
        auto stage = to_string(static_cast<stage_kind>(s));
        uint64_t cumulative = 0;
        for (size_t i = 0; i < latency_buckets.size(); ++i) {
          cumulative += h.buckets[i];
          out << "vfb_stage_duration_seconds_bucket{stage=\"" << stage << "\",le=\""
              << number(latency_buckets[i]) << "\"} " << cumulative << '\n';
        }
        out << "vfb_stage_duration_seconds_bucket{stage=\"" << stage << "\",le=\"+Inf\"} "
            << h.count << '\n'
            << "vfb_stage_duration_seconds_sum{stage=\"" << stage << "\"} " << number(h.sum) << '\n'
            << "vfb_stage_duration_seconds_count{stage=\"" << stage << "\"} " << h.count << '\n';
      }
    }
    out << "# HELP vfb_breaker_open Whether a source's circuit breaker is open (1) or closed.\n"
        << "# TYPE vfb_breaker_open gauge\n";
    auto now = now_millis();
    for (const char* source : {"youtube", "generic"}) {
      auto closes = ask<millis>(scheduler, opts.timeout, breaker_atom::value, std::string{source});
      out << "vfb_breaker_open{source=\"" << source << "\"} " << (closes > now ? 1 : 0) << '\n';
    }
    return out.str();
  }

  void routes() {
    server.set_payload_max_length(opts.max_body_bytes);
    // httplib's own refusals (no route, body too large) get the API's error shape too; the
    // handlers' answers already have a body and pass unchanged.
    server.set_error_handler(httplib::Server::HandlerWithResponse{[](const httplib::Request&,
                                                                     httplib::Response& res) {
      if (!res.body.empty())
        return httplib::Server::HandlerResponse::Unhandled;
      if (res.status == 413)
        res.set_content(error_body("payload_too_large", "the body is over the limit").dump(),
                        "application/json");
      else if (res.status == 404)
        res.set_content(error_body("not_found", "no such endpoint").dump(), "application/json");
      else
        res.set_content(error_body("http_" + std::to_string(res.status), "request refused").dump(),
                        "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }});

    add("POST", "/discord/interactions", access::open,
        [this](const httplib::Request& req, const token_record&) {
          return discord_interaction(req);
        });

    add("GET", "/healthz", access::open, [this](const httplib::Request&, const token_record&) {
      auto stats = ask<queue_stats>(scheduler, opts.timeout, stats_atom::value);
      // Only the node-wide counts: /healthz needs no token, so it names no tenant.
      return json_reply(200, {{"ok", true}, {"jobs", to_json(stats)["states"]}});
    });

    add("GET", "/metrics", access::open, [this](const httplib::Request& req, const token_record&) {
      // Open to scrapers without a token (node-wide series only); a bearer token, when sent,
      // must be valid and adds its own workspace's series. Other schemes (a proxy's Basic
      // credentials passed on) are not vfb's to judge.
      std::optional<token_record> who;
      if (bearer_token(req))
        who = authenticate(req, access::viewer);
      httplib::Response res;
      res.status = 200;
      res.set_content(metrics_text(who), "text/plain; version=0.0.4");
      return res;
    });

    add("POST", "/v1/submissions", access::operator_,
        [this](const httplib::Request& req, const token_record& who) {
          auto body = body_of(req);
          submission s;
          s.url = required_string(body, "url");
          s.tenant = who.tenant;
          s.workspace = who.workspace;
          s.origin = job_origin::api;
          if (body.contains("force") && !body["force"].is_null()) {
            if (!body["force"].is_boolean())
              throw bad_request("'force' must be true or false");
            s.force = body["force"].get<bool>();
          }
          auto r = ask<enqueue_result>(node.submission, opts.timeout, submit_atom::value, s);
          return json_reply(202, to_json(r));
        });

    add("GET", R"(/v1/jobs/(\d+))", access::viewer,
        [this](const httplib::Request& req, const token_record& who) {
          auto v = owned_job(path_id(req, "job"), who);
          auto body = to_json(v);
          body["stages"] = counters->progress_of(v.job.id);
          body["results"] = results_of(v);
          return json_reply(200, body);
        });

    add("GET", "/v1/jobs", access::viewer,
        [this](const httplib::Request& req, const token_record& who) {
          job_filter filter;
          filter.tenant = who.tenant;
          filter.workspace = who.workspace;
          filter.limit = static_cast<uint32_t>(query_number(req, "limit", 100, 1, 1000));
          if (req.has_param("state")) {
            std::istringstream names{req.get_param_value("state")};
            for (std::string name; std::getline(names, name, ',');) {
              job_state s;
              if (!parse(name, s))
                throw bad_request("unknown state '" + name + "'");
              filter.states.push_back(s);
            }
          }
          auto jobs = ask<std::vector<job_view>>(scheduler, opts.timeout, list_atom::value, filter);
          auto arr = nlohmann::json::array();
          for (const auto& v : jobs)
            arr.push_back(to_json(v));
          return json_reply(200, {{"jobs", arr}});
        });

    add("POST", R"(/v1/jobs/(\d+)/retry)", access::operator_,
        [this](const httplib::Request& req, const token_record& who) {
          return job_action(req, who, true);
        });
    add("POST", R"(/v1/jobs/(\d+)/cancel)", access::operator_,
        [this](const httplib::Request& req, const token_record& who) {
          return job_action(req, who, false);
        });

    add("GET", "/v1/follows", access::viewer,
        [this](const httplib::Request&, const token_record& who) {
          auto arr = nlohmann::json::array();
          for (const auto& f : registry().list(who.tenant, who.workspace))
            arr.push_back(to_json(f));
          return json_reply(200, {{"follows", arr}});
        });
    add("POST", "/v1/follows", access::operator_,
        [this](const httplib::Request& req, const token_record& who) {
          return add_follow(req, who);
        });
    add("DELETE", R"(/v1/follows/(\d+))", access::operator_,
        [this](const httplib::Request& req, const token_record& who) {
          auto f = owned_follow(path_id(req, "follow"), who);
          if (!registry().remove(f.id))
            throw not_found("follow", f.id); // removed meanwhile
          return json_reply(200, {{"id", f.id}, {"removed", true}});
        });

    add("GET", "/v1/memory/search", access::viewer,
        [this](const httplib::Request& req, const token_record& who) {
          auto q = req.get_param_value("q");
          if (q.empty())
            throw bad_request("'q' is required");
          auto limit = static_cast<size_t>(query_number(req, "limit", 10, 1, 100));
          if (!memory)
            throw api_error(503, "unavailable", "this node keeps no memory");
          auto arr = nlohmann::json::array();
          for (const auto& h : memory->search(who.tenant, who.workspace, q, limit))
            arr.push_back(to_json(h));
          return json_reply(200, {{"hits", arr}});
        });

    add("GET", "/v1/settings/auto-follow", access::viewer,
        [this](const httplib::Request&, const token_record& who) {
          return json_reply(200, setting_json(who));
        });
    add("PUT", "/v1/settings/auto-follow", access::operator_,
        [this](const httplib::Request& req, const token_record& who) {
          auto value = required_string(body_of(req), "setting");
          auto s = parse_auto_follow_setting(value);
          if (!s)
            throw bad_request("'setting' must be on, off or inherit, got '" + value + "'");
          registry().set_setting(who.tenant, who.workspace, *s);
          return json_reply(200, setting_json(who));
        });
  }
};

http_api::http_api(caf::actor_system& sys, const node_handles& node, http_api_options opts,
                   std::shared_ptr<token_store> tokens, std::shared_ptr<follow_registry> follows,
                   std::shared_ptr<memory_store> memory, std::shared_ptr<discord_store> discord)
    : impl_(std::make_unique<impl>(sys, node, std::move(opts), std::move(tokens),
                                   std::move(follows), std::move(memory), std::move(discord))) {}

http_api::~http_api() {
  stop();
}

int http_api::start() {
  auto& m = *impl_;
  m.port = m.opts.port == 0 ? m.server.bind_to_any_port(m.opts.host)
                            : (m.server.bind_to_port(m.opts.host, m.opts.port) ? m.opts.port : -1);
  if (m.port <= 0)
    throw std::runtime_error("cannot listen on " + m.opts.host + ":" + std::to_string(m.opts.port));
  m.sink = m.sys.spawn(metrics_sink, m.counters, m.discord);
  caf::anon_send(m.node.pipeline, subscribe_atom::value, m.sink);
  if (m.discord)
    m.discord->start();
  m.thread = std::thread([&m] { m.server.listen_after_bind(); });
  // The socket listens already; this waits only until stop() can see the accept loop.
  while (!m.server.is_running())
    std::this_thread::yield();
  return m.port;
}

void http_api::stop() {
  auto& m = *impl_;
  if (!m.thread.joinable())
    return;
  m.server.stop();
  m.thread.join();
  if (m.discord)
    m.discord->stop();
  caf::anon_send_exit(m.sink, caf::exit_reason::user_shutdown);
  m.sink = nullptr;
}

int http_api::port() const {
  return impl_->port;
}

} // namespace vfb
