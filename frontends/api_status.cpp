// GET /healthz and GET /metrics: the node's state for load balancers and monitoring. Both are
// open (no token), so they name no tenant unless a valid token asks for its own workspace.
// GET /v1/cluster: the cluster's workers, for operators.
#include "frontends/api_routes.hpp"
#include "frontends/metrics.hpp"
#include "messages/json.hpp"

namespace vfb {

std::vector<std::pair<std::string, millis>> breaker_closes(const api_asker& node,
                                                           const scheduler_actor& scheduler) {
  std::vector<std::pair<std::string, millis>> out;
  for (const char* source : breaker_sources)
    out.emplace_back(source, node.ask<millis>(scheduler, breaker_atom::value, std::string{source}));
  return out;
}

void add_status_routes(api_router& router, status_routes deps) {
  auto s = std::make_shared<status_routes>(std::move(deps));

  router.add("GET", "/healthz", access::open, [s](const httplib::Request&, const token_record&) {
    auto stats = s->node.ask<queue_stats>(s->scheduler, stats_atom::value);
    // Only the node-wide counts: /healthz needs no token, so it names no tenant.
    return json_reply(200, {{"ok", true}, {"jobs", to_json(stats)["states"]}});
  });

  router.add("GET", "/metrics", access::open,
             [s, &router](const httplib::Request& req, const token_record&) {
               // Open to scrapers without a token (node-wide series only); a bearer token, when
               // sent, must be valid and adds its own workspace's series. Other schemes (a
               // proxy's Basic credentials passed on) are not vfb's to judge.
               std::optional<token_record> who;
               if (bearer_token(req))
                 who = router.authenticate(req, access::viewer);
               auto stats = s->node.ask<queue_stats>(s->scheduler, stats_atom::value);
               breaker_states breakers;
               auto now = now_millis();
               for (const auto& [source, closes] : breaker_closes(s->node, s->scheduler))
                 breakers.emplace_back(source, closes > now);
               httplib::Response res;
               res.status = 200;
               std::vector<worker_info> workers;
               if (s->gateway)
                 workers = s->node.ask<std::vector<worker_info>>(s->gateway, cluster_atom::value);
               auto text = prometheus_text(stats, *s->counters, breakers, who, workers);
               if (s->media)
                 text += media_cache_text(*s->media);
               res.set_content(text, "text/plain; version=0.0.4");
               return res;
             });

  router.add("GET", "/v1/cluster", access::operator_,
             [s](const httplib::Request&, const token_record&) {
               auto workers = nlohmann::json::array();
               if (s->gateway)
                 for (const auto& w :
                      s->node.ask<std::vector<worker_info>>(s->gateway, cluster_atom::value))
                   workers.push_back(to_json(w));
               return json_reply(200, {{"cluster", static_cast<bool>(s->gateway)},
                                       {"workers", std::move(workers)}});
             });
}

} // namespace vfb
