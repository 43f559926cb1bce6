// The HTTP API's door: every route is added here with the access it needs (open, any token of
// the workspace, or an operator token). The router checks the bearer token before the handler
// runs and turns whatever the handler throws into the API's error shape, so handlers only say
// what a request does.
#pragma once

#include "frontends/api_requests.hpp"
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
  /// (no route, body too large) get the API's error shape.
  api_router(httplib::Server& server, std::shared_ptr<token_store> tokens, size_t max_body_bytes);

  /// The token's record; 401 without a usable token, 403 when the role does not suffice.
  token_record authenticate(const httplib::Request& req, access need) const;

  /// Serves `method` (GET, POST, PUT or DELETE) on `pattern` for callers with `need`.
  void add(const char* method, const char* pattern, access need, api_handler h);

private:
  httplib::Server& server_;
  std::shared_ptr<token_store> tokens_;
};

} // namespace vfb
