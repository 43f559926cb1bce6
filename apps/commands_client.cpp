// `vfb submit URL`, `vfb status [--job ID]` and `vfb cluster ls`: talk to a running node through
// its HTTP API (docs/API.md). The address and token come from --api/--token, else
// $VFB_API/$VFB_TOKEN.
#include "apps/cli.hpp"

#include <cstdlib>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <ostream>

namespace vfb::cli {

namespace {

struct api_target {
  std::string base; // scheme://host:port
  std::string token;
};

api_target target(const context& ctx) {
  api_target t;
  const char* env_api = std::getenv("VFB_API");
  const char* env_token = std::getenv("VFB_TOKEN");
  t.base = ctx.inv.value("--api").value_or(env_api != nullptr ? env_api : "http://127.0.0.1:8080");
  t.token = ctx.inv.value("--token").value_or(env_token != nullptr ? env_token : "");
  if (t.token.empty())
    throw usage_error("no API token: pass --token or set $VFB_TOKEN (vfb token create makes one)");
  if (t.base.rfind("http://", 0) != 0 && t.base.rfind("https://", 0) != 0)
    throw usage_error("--api needs an http(s) URL, got '" + t.base + "'");
  while (!t.base.empty() && t.base.back() == '/')
    t.base.pop_back();
  return t;
}

/// Sends one request; prints the node's error (or why there is no answer) and returns nullopt
/// when it failed.
std::optional<nlohmann::json> call(const context& ctx, const api_target& t, const char* method,
                                   const std::string& path, const std::string& body = {}) {
  httplib::Client client{t.base};
  client.set_connection_timeout(std::chrono::seconds{5});
  client.set_read_timeout(std::chrono::seconds{60});
  client.set_bearer_token_auth(t.token);
  httplib::Result res = std::string{method} == "POST" ? client.Post(path, body, "application/json")
                                                      : client.Get(path);
  if (!res) {
    ctx.err << "vfb: no answer from the node at " << t.base << " ("
            << httplib::to_string(res.error()) << "; is `vfb node` running?)\n";
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status >= 400) {
    auto message =
        j.is_object() && j.contains("error") ? j["error"].value("message", res->body) : res->body;
    ctx.err << "vfb: the node answered " << res->status << ": " << message << '\n';
    return std::nullopt;
  }
  if (j.is_discarded()) {
    ctx.err << "vfb: the node's answer is not JSON\n";
    return std::nullopt;
  }
  return j;
}

} // namespace

int cmd_submit(context& ctx) {
  auto t = target(ctx);
  nlohmann::json body{{"url", ctx.inv.words.at(0)}, {"force", ctx.inv.has("--force")}};
  auto j = call(ctx, t, "POST", "/v1/submissions", body.dump());
  if (!j)
    return exit_refused;
  if (ctx.json)
    ctx.out << j->dump() << '\n';
  else
    ctx.out << j->value("job_id", uint64_t{0}) << ' '
            << (j->value("duplicate", false) ? "duplicate" : "new") << '\n';
  return exit_ok;
}

int cmd_status(context& ctx) {
  auto t = target(ctx);
  auto job = ctx.inv.value("--job");
  auto path = job ? "/v1/jobs/" + std::to_string(parse_id(*job)) : std::string{"/v1/jobs?limit=20"};
  auto j = call(ctx, t, "GET", path);
  if (!j)
    return exit_refused;
  ctx.out << (ctx.json ? j->dump() : j->dump(2)) << '\n';
  return exit_ok;
}

int cmd_cluster_ls(context& ctx) {
  auto t = target(ctx);
  auto j = call(ctx, t, "GET", "/v1/cluster");
  if (!j)
    return exit_refused;
  if (ctx.json) {
    ctx.out << j->dump() << '\n';
    return exit_ok;
  }
  if (!j->value("cluster", false)) {
    ctx.out << "this node serves no workers ([cluster] listen is not set)\n";
    return exit_ok;
  }
  const auto& workers = (*j)["workers"];
  if (workers.empty()) {
    ctx.out << "no worker has joined yet\n";
    return exit_ok;
  }
  for (const auto& w : workers) {
    ctx.out << w.value("name", "") << "  " << (w.value("connected", false) ? "connected" : "gone")
            << "  " << w.value("address", "") << "  since " << w.value("connected_since", "")
            << "  heartbeat " << w.value("last_heartbeat", "") << "  in flight "
            << w.value("jobs_in_flight", 0) << "  done " << w.value("jobs_done", 0) << '\n';
  }
  return exit_ok;
}

} // namespace vfb::cli
