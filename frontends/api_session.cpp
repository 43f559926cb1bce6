// The web page's sign-in: POST /v1/session trades a token for a session cookie, GET
// /v1/session says who is signed in (and gives the page its CSRF token), DELETE /v1/session
// signs out. See web_sessions.hpp and api_router.hpp for how sessions are checked.
#include "frontends/api_routes.hpp"
#include "messages/time.hpp"

namespace vfb {

namespace {

nlohmann::json session_json(const token_record& who, const std::optional<web_session>& s) {
  nlohmann::json j{{"tenant", who.tenant},
                   {"workspace", who.workspace},
                   {"role", std::string{to_string(who.role)}},
                   {"token_id", who.id}};
  j["csrf_token"] = s ? nlohmann::json(s->csrf_token) : nlohmann::json(nullptr);
  j["expires_at"] = s ? nlohmann::json(iso_utc(s->expires_at)) : nlohmann::json(nullptr);
  return j;
}

/// The Set-Cookie value: HttpOnly (the page's script never sees it), SameSite=Strict (other
/// sites' pages do not send it), Secure when the node is reached over https.
std::string cookie_header(const api_router& router, const std::string& value, millis max_age) {
  auto c = std::string{session_cookie} + "=" + value +
           "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age / 1000);
  if (router.public_origin().rfind("https://", 0) == 0)
    c += "; Secure";
  return c;
}

} // namespace

void add_session_routes(api_router& router) {
  router.add("POST", "/v1/session", access::open,
             [&router](const httplib::Request& req, const token_record&) {
               router.check_origin(req); // no signing a victim's browser in as someone else
               auto token = required_string(body_of(req), "token");
               auto who = router.tokens().verify(token);
               if (!who)
                 throw api_error(401, "unauthorized", "unknown or revoked token");
               // A browser signing in again leaves no session of its own behind.
               if (auto old = cookie_value(req.get_header_value("Cookie"), session_cookie))
                 router.sessions().close(*old);
               auto opened = router.sessions().open(who->id, now_millis());
               auto res = json_reply(200, session_json(*who, opened.session));
               res.set_header("Set-Cookie",
                              cookie_header(router, opened.id, router.sessions().lifetime()));
               res.set_header("Cache-Control", "no-store");
               return res;
             });

  router.add("GET", "/v1/session", access::viewer,
             [&router](const httplib::Request& req, const token_record& who) {
               // A bearer caller has no session: csrf_token and expires_at are null.
               auto s = bearer_token(req) ? std::nullopt : router.session_of(req);
               auto res = json_reply(200, session_json(who, s));
               res.set_header("Cache-Control", "no-store");
               return res;
             });

  router.add("DELETE", "/v1/session", access::viewer,
             [&router](const httplib::Request& req, const token_record&) {
               bool ended = false;
               if (!bearer_token(req))
                 if (auto id = cookie_value(req.get_header_value("Cookie"), session_cookie))
                   ended = router.sessions().close(*id);
               auto res = json_reply(200, {{"signed_out", ended}});
               res.set_header("Set-Cookie", cookie_header(router, "", 0));
               return res;
             });
}

} // namespace vfb
