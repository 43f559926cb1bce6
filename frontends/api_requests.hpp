// What the HTTP API reads from a request, as pure functions of its bytes (no CAF, no server):
// the API's error, JSON bodies and their fields, query numbers and lists, path ids and the
// bearer token. Each refuses bad input with an api_error that names the field. Apart from the
// handlers (api_*.cpp), which need the node's actors, so that fuzz/ can feed them any bytes.
#pragma once

#include "follows/follow_plan.hpp"
#include "messages/job.hpp"
#include "messages/pipeline.hpp"
#include "storage/follow_registry.hpp"

#include <cstdint>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// A request that cannot be answered as asked: its status, a stable code and a message.
struct api_error : std::runtime_error {
  api_error(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status(status), code(std::move(code)) {}
  int status;
  std::string code;
};

api_error bad_request(const std::string& message);

/// A body as a JSON object (an empty body is an empty object).
nlohmann::json parse_body(std::string_view body);

/// The request's body as a JSON object (parse_body).
nlohmann::json body_of(const httplib::Request& req);

/// A string field; nullopt when missing or null.
std::optional<std::string> string_field(const nlohmann::json& j, const char* name);

/// A string field that must be there and not be empty.
std::string required_string(const nlohmann::json& j, const char* name);

/// A whole number in [lo, hi] from JSON (a number) or a query string (its text).
int64_t bounded(const nlohmann::json& v, const char* name, int64_t lo, int64_t hi);

/// The query parameter `name` as a whole number in [lo, hi]; `fallback` when absent.
int64_t query_number(const httplib::Request& req, const char* name, int64_t fallback, int64_t lo,
                     int64_t hi);

/// The id a route matched (its first group); 404 naming `what` when no such id can exist.
uint64_t path_id(const httplib::Request& req, const char* what);

/// The token of an `Authorization: Bearer ...` header (scheme case-insensitive), if any.
std::optional<std::string> bearer_token(const httplib::Request& req);

/// The value of cookie `name` in a Cookie header ("a=1; vfb_session=..."), if it is there.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

/// The origin ("https://host:port", lower case, no path) of an http(s) URL; nullopt for
/// anything else.
std::optional<std::string> origin_of(std::string_view url);

/// Whether a browser's `Origin` header names this node: the site the request was sent to
/// (http:// or https:// and its Host header) or the configured public origin (may be empty).
/// "null" (a sandboxed or file page) and other sites are refused.
bool origin_is_ours(std::string_view origin, std::string_view host, std::string_view public_origin);

// The bodies of the routes that take one (parsed by parse_body).

/// POST /v1/submissions: {"url": ..., "force": bool}. Only url and force are set.
submission submission_from(const nlohmann::json& body);

/// POST /v1/follows: {"url": ..., "limit": 1..100000, "since": "2025-11-29"}. Only url, limit
/// and since are set.
follow_request follow_request_from(const nlohmann::json& body);

/// PUT /v1/settings/auto-follow: {"setting": "on" | "off" | "inherit"}.
auto_follow_setting setting_from(const nlohmann::json& body);

/// GET /v1/jobs?state=queued,failed: the states named, comma-separated.
std::vector<job_state> parse_state_list(std::string_view names);

/// GET /v1/jobs?order=oldest|newest: whether the newest come first.
bool parse_job_order(std::string_view order);

} // namespace vfb
