// The follows of the token's workspace and its auto-follow setting: GET|POST /v1/follows,
// DELETE /v1/follows/ID, POST /v1/follows/ID/{pause,resume}, GET|PUT /v1/settings/auto-follow.
// POST /v1/follows lists the channel right away (the answer shows what was enqueued), so it
// waits up to the listing timeout.
#include "actors/config_options.hpp"
#include "follows/auto_follow_decision.hpp"
#include "follows/follow_service.hpp"
#include "frontends/api_routes.hpp"
#include "messages/json.hpp"
#include "messages/time.hpp"

#include <optional>

namespace vfb {

namespace {

/// The handlers' state: what follow_routes gives, and the follow service over its registry.
struct follows_api {
  explicit follows_api(follow_routes deps) : d(std::move(deps)) {
    if (d.follows)
      service.emplace(d.follows, follow_options_from(d.config));
  }

  follow_routes d;
  std::optional<follow_service> service; // none: the node keeps no follows (503)

  follow_service& follows() {
    if (!service)
      throw api_error(503, "unavailable", "this node does not keep follows");
    return *service;
  }
  follow_registry& registry() { return follows().registry(); }

  follow_record owned_follow(uint64_t id, const token_record& who) {
    auto f = registry().get(id);
    if (!f || f->tenant != who.tenant || f->workspace != who.workspace)
      throw not_found("follow", id);
    return *f;
  }

  nlohmann::json setting_json(const token_record& who) {
    auto j = auto_follow_json(registry(), who, d.config);
    j["tenant"] = who.tenant;
    j["workspace"] = who.workspace;
    return j;
  }

  httplib::Response add_follow(const httplib::Request& req, const token_record& who) {
    auto body = body_of(req);
    if (!d.enumerator) // checked first: nothing is recorded that could not be listed
      throw api_error(503, "unavailable", "this node does not list channels");
    auto fr = follow_request_from(body);
    fr.tenant = who.tenant;
    fr.workspace = who.workspace;
    fr.origin = job_origin::api;
    // Listed right here, so the refresher's first turn is one period later.
    auto added = follows().follow(fr, now_millis(), first_listing::by_caller);
    auto r = d.node.ask_within<enumeration_result>(
        d.listing_timeout, d.enumerator, enumerate_atom::value, follows().plan(added.follow));
    follows().store_listing(added.follow.id, r);
    auto body_out = listing_json(registry().get(added.follow.id).value_or(added.follow), r);
    body_out["created"] = added.created;
    return json_reply(202, body_out);
  }
};

} // namespace

nlohmann::json auto_follow_json(const follow_registry& follows, const token_record& who,
                                const vfb_config& config) {
  auto s = follows.setting(who.tenant, who.workspace);
  return {{"setting", std::string{to_string(s)}},
          {"effective", auto_follow_effective(s, config.auto_follow.enabled)}};
}

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

  for (bool pause : {true, false})
    router.add("POST", pause ? R"(/v1/follows/(\d+)/pause)" : R"(/v1/follows/(\d+)/resume)",
               access::operator_, [s, pause](const httplib::Request& req, const token_record& who) {
                 auto f = s->owned_follow(path_id(req, "follow"), who);
                 if (!s->registry().set_paused(f.id, pause, now_millis()))
                   throw not_found("follow", f.id); // removed meanwhile
                 return json_reply(200, to_json(s->owned_follow(f.id, who)));
               });

  router.add("GET", "/v1/settings/auto-follow", access::viewer,
             [s](const httplib::Request&, const token_record& who) {
               return json_reply(200, s->setting_json(who));
             });
  router.add("PUT", "/v1/settings/auto-follow", access::operator_,
             [s](const httplib::Request& req, const token_record& who) {
               auto setting = setting_from(body_of(req));
               s->registry().set_setting(who.tenant, who.workspace, setting);
               return json_reply(200, s->setting_json(who));
             });
}

} // namespace vfb
