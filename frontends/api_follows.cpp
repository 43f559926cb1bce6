// The follows of the token's workspace and its auto-follow setting: GET|POST /v1/follows,
// DELETE /v1/follows/ID, GET|PUT /v1/settings/auto-follow. POST /v1/follows lists the channel
// right away (the answer shows what was enqueued), so it waits up to the listing timeout.
#include "actors/follow_refresher.hpp"
#include "actors/node.hpp"
#include "adapters/backfill.hpp"
#include "frontends/api_routes.hpp"
#include "messages/json.hpp"
#include "storage/follow_registry.hpp"

#include <mutex>
#include <random>

namespace vfb {

namespace {

/// The handlers' state: what follow_routes gives, and the refresh times' random source.
struct follows_api {
  explicit follows_api(follow_routes deps) : d(std::move(deps)) {}

  follow_routes d;
  std::mutex rng_mu;
  std::mt19937_64 rng{std::random_device{}()};

  follow_registry& registry() {
    if (!d.follows)
      throw api_error(503, "unavailable", "this node does not keep follows");
    return *d.follows;
  }

  follow_record owned_follow(uint64_t id, const token_record& who) {
    auto f = registry().get(id);
    if (!f || f->tenant != who.tenant || f->workspace != who.workspace)
      throw not_found("follow", id);
    return *f;
  }

  nlohmann::json setting_json(const token_record& who) {
    auto s = registry().setting(who.tenant, who.workspace);
    bool effective = s == auto_follow_setting::on ||
                     (s == auto_follow_setting::inherit && d.config.auto_follow.enabled);
    return {{"tenant", who.tenant},
            {"workspace", who.workspace},
            {"setting", std::string{to_string(s)}},
            {"effective", effective}};
  }

  httplib::Response add_follow(const httplib::Request& req, const token_record& who) {
    auto body = body_of(req);
    const auto& cfg = d.config;
    auto now = now_millis();
    if (!d.enumerator) // checked first: nothing is recorded that could not be listed
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
    auto r = d.node.ask_within<enumeration_result>(d.listing_timeout, d.enumerator,
                                                   enumerate_atom::value, plan);
    {
      std::lock_guard<std::mutex> guard{rng_mu};
      store_listing(*d.follows, added.follow.id, r, ro, rng);
    }
    auto body_out = listing_json(d.follows->get(added.follow.id).value_or(added.follow), r);
    body_out["created"] = added.created;
    return json_reply(202, body_out);
  }
};

} // namespace

void add_follow_routes(api_router& router, follow_routes deps) {
  auto s = std::make_shared<follows_api>(std::move(deps));

  router.add("GET", "/v1/follows", access::viewer,
             [s](const httplib::Request&, const token_record& who) {
               auto arr = nlohmann::json::array();
               for (const auto& f : s->registry().list(who.tenant, who.workspace))
                 arr.push_back(to_json(f));
               return json_reply(200, {{"follows", arr}});
             });
  router.add("POST", "/v1/follows", access::operator_,
             [s](const httplib::Request& req, const token_record& who) {
               return s->add_follow(req, who);
             });
  router.add("DELETE", R"(/v1/follows/(\d+))", access::operator_,
             [s](const httplib::Request& req, const token_record& who) {
               auto f = s->owned_follow(path_id(req, "follow"), who);
               if (!s->registry().remove(f.id))
                 throw not_found("follow", f.id); // removed meanwhile
               return json_reply(200, {{"id", f.id}, {"removed", true}});
             });

  router.add("GET", "/v1/settings/auto-follow", access::viewer,
             [s](const httplib::Request&, const token_record& who) {
               return json_reply(200, s->setting_json(who));
             });
  router.add("PUT", "/v1/settings/auto-follow", access::operator_,
             [s](const httplib::Request& req, const token_record& who) {
               auto value = required_string(body_of(req), "setting");
               auto setting = parse_auto_follow_setting(value);
               if (!setting)
                 throw bad_request("'setting' must be on, off or inherit, got '" + value + "'");
               s->registry().set_setting(who.tenant, who.workspace, *setting);
               return json_reply(200, s->setting_json(who));
             });
}

} // namespace vfb
