// Answers of the HTTP API, shared by every route handler: the API's errors and JSON replies in
// the API's error shape. What handlers read from requests is in api_requests.hpp.
#pragma once

#include "frontends/api_requests.hpp"

#include <caf/fwd.hpp>
#include <cstdint>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <string>

namespace vfb {

/// Other workspaces' jobs and follows answer exactly like missing ones: an id says nothing
/// about whether it exists elsewhere.
api_error not_found(const char* what, uint64_t id);

/// A failed actor request as an HTTP error.
api_error from_caf(const caf::error& e);

/// The API's error shape: {"error": {"code": ..., "message": ...}}.
nlohmann::json error_body(const std::string& code, const std::string& message);

httplib::Response json_reply(int status, const nlohmann::json& body);

} // namespace vfb
