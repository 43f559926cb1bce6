// Requests and answers of the HTTP API, shared by every route handler: the API's error (a status,
// a stable code and a message) and its factories, JSON replies in the API's error shape, and the
// parsing of bodies, fields, query numbers and path ids, each refusing bad input with a 400 that
// names the field.
#pragma once

#include <caf/fwd.hpp>
#include <cstdint>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

namespace vfb {

/// A request that cannot be answered as asked: its status, a stable code and a message.
struct api_error : std::runtime_error {
  api_error(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status(status), code(std::move(code)) {}
  int status;
  std::string code;
};

api_error bad_request(const std::string& message);

/// Other workspaces' jobs and follows answer exactly like missing ones: an id says nothing
/// about whether it exists elsewhere.
api_error not_found(const char* what, uint64_t id);

/// A failed actor request as an HTTP error.
api_error from_caf(const caf::error& e);

/// The API's error shape: {"error": {"code": ..., "message": ...}}.
nlohmann::json error_body(const std::string& code, const std::string& message);

httplib::Response json_reply(int status, const nlohmann::json& body);

/// The body as a JSON object (an empty body is an empty object).
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

} // namespace vfb
