// The HTTP API's door: every route is added here with the access it needs (open, any token of
// the workspace, or an operator token). The router checks the caller before the handler runs
// and turns whatever the handler throws into the API's error shape, so handlers only say what a
// request does.
//
// A caller is a bearer token (API clients) or the web page's session cookie (web_sessions.hpp).
// A browser sends cookies by itself, also on requests another site makes it send, so a write
// with a session cookie must come from this node's own origin (its `Origin` header, when the
// browser sends one) and carry the session's CSRF token in `X-CSRF-Token`.
#pragma once

#include "frontends/api_requests.hpp"
#include "frontends/web_sessions.hpp"
#include "storage/token_store.hpp"

#include <functional>
#include <httplib.h>
#include <memory>
#include <optional>
#include <string>

namespace vfb {

/// Who may call a route.
enum class access { open, viewer, operator_ };

/// A route's handler: the request and who asks (an empty record on open routes).
using api_handler = std::function<httplib::Response(const httplib::Request&, const token_record&)>;

class api_router {
public:
  /// Routes on `server`, whose payload limit becomes `max_body_bytes` and whose own refusals
  /// (no route, body too large) get the API's error shape. `public_origin` ("https://vfb.example",
  /// may be empty) is accepted as an `Origin` besides the Host a request was sent to.
  api_router(httplib::Server& server, std::shared_ptr<token_store> tokens,
             std::shared_ptr<web_sessions> sessions, size_t max_body_bytes,
             std::string public_origin);

  /// The caller's token record (from the bearer token, else the session cookie); 401 without a
  /// usable one, 403 when the role does not suffice or a session's write is not the page's own.
  token_record authenticate(const httplib::Request& req, access need) const;

  /// The open session whose cookie the request carries (its token unchecked), if any.
  std::optional<web_session> session_of(const httplib::Request& req) const;

  /// Refuses (403) a request whose `Origin` header names another site; none: allowed (not a
  /// browser's cross-site request).
  void check_origin(const httplib::Request& req) const;

  /// What a request for an address no route knows gets instead of the API's 404 (the web
  /// page's not-found view), when `page` gives something for it.
  void
  set_not_found_page(std::function<std::optional<httplib::Response>(const httplib::Request&)> page);

  web_sessions& sessions() const { return *sessions_; }
  token_store& tokens() const { return *tokens_; }
  const std::string& public_origin() const { return public_origin_; }

  /// Serves `method` (GET, POST, PUT or DELETE) on `pattern` for callers with `need`.
  void add(const char* method, const char* pattern, access need, api_handler h);

private:
  httplib::Server& server_;
  std::shared_ptr<token_store> tokens_;
  std::shared_ptr<web_sessions> sessions_;
  std::string public_origin_;
  std::function<std::optional<httplib::Response>(const httplib::Request&)> not_found_page_;
};

} // namespace vfb
