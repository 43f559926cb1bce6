// GET /v1/overview: the token's workspace at a glance, in one request (the web page's first
// view): its job counts by state, the jobs in flight with their stage, the newest jobs, the
// latest failures with their reasons, the follows listed next, the circuit breakers that are open
// and the auto-follow setting.
#include "frontends/api_routes.hpp"
#include "frontends/http_helpers.hpp"
#include "frontends/job_results.hpp"
#include "messages/json.hpp"
#include "messages/time.hpp"
#include "storage/follow_registry.hpp"

#include <algorithm>

namespace vfb {

namespace {

/// How many failures and due follows the overview shows.
constexpr uint32_t overview_rows = 10;
/// How many of the newest jobs it shows.
constexpr uint32_t recent_rows = 20;

nlohmann::json counts_of(const overview_routes& s, const token_record& who) {
  auto stats = s.node.ask<queue_stats>(s.scheduler, stats_atom::value);
  nlohmann::json counts = nlohmann::json::object();
  for (int i = 0; i < job_state_count; ++i)
    counts[std::string{to_string(static_cast<job_state>(i))}] = 0;
  for (const auto& b : stats.backlog)
    if (b.tenant == who.tenant && b.workspace == who.workspace)
      for (size_t i = 0; i < b.by_state.size() && i < job_state_count; ++i)
        counts[std::string{to_string(static_cast<job_state>(i))}] = b.by_state[i];
  return counts;
}

nlohmann::json jobs_in(const overview_routes& s, const token_record& who,
                       std::vector<job_state> states, uint32_t limit) {
  job_filter filter;
  filter.tenant = who.tenant;
  filter.workspace = who.workspace;
  filter.states = std::move(states);
  filter.limit = limit;
  filter.newest_first = true;
  auto arr = nlohmann::json::array();
  for (const auto& v : s.node.ask<std::vector<job_view>>(s.scheduler, list_atom::value, filter))
    arr.push_back(job_detail(v, *s.counters, s.data_dir));
  return arr;
}

nlohmann::json follows_due(const overview_routes& s, const token_record& who) {
  auto arr = nlohmann::json::array();
  if (!s.follows)
    return arr;
  auto all = s.follows->list(who.tenant, who.workspace);
  all.erase(std::remove_if(all.begin(), all.end(), [](const auto& f) { return f.paused; }),
            all.end());
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.next_refresh_at < b.next_refresh_at; });
  for (size_t i = 0; i < all.size() && i < overview_rows; ++i)
    arr.push_back(to_json(all[i]));
  return arr;
}

} // namespace

void add_overview_routes(api_router& router, overview_routes deps) {
  auto s = std::make_shared<overview_routes>(std::move(deps));
  router.add(
      "GET", "/v1/overview", access::viewer, [s](const httplib::Request&, const token_record& who) {
        nlohmann::json out{{"tenant", who.tenant}, {"workspace", who.workspace}};
        out["counts"] = counts_of(*s, who);
        // Every leased job of a workspace: a node leases a few dozen at most at once.
        out["in_flight"] = jobs_in(*s, who, {job_state::leased}, 1000);
        out["failures"] = jobs_in(
            *s, who, {job_state::failed, job_state::dead, job_state::retrying}, overview_rows);
        out["recent"] = jobs_in(*s, who, {}, recent_rows);
        out["follows_due"] = follows_due(*s, who);
        auto breakers = nlohmann::json::array();
        auto now = now_millis();
        for (const auto& [source, closes] : breaker_closes(s->node, s->scheduler))
          if (closes > now)
            breakers.push_back({{"source", source}, {"open_until", iso_utc(closes)}});
        out["breakers"] = breakers;
        out["auto_follow"] =
            s->follows ? auto_follow_json(*s->follows, who, s->config) : nlohmann::json(nullptr);
        return json_reply(200, out);
      });
}

} // namespace vfb
