// Requests and answers of the HTTP API (see http_helpers.hpp).
#include "frontends/http_helpers.hpp"

#include "messages/errors.hpp"
#include "text/numbers.hpp"

#include <caf/error.hpp>
#include <caf/sec.hpp>

namespace vfb {

api_error bad_request(const std::string& message) {
  return {400, "bad_request", message};
}

api_error not_found(const char* what, uint64_t id) {
  return {404, "not_found", std::string{"no "} + what + " " + std::to_string(id)};
}

nlohmann::json error_body(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

api_error from_caf(const caf::error& e) {
  if (e == caf::sec::request_timeout)
    return {503, "timeout", "the node did not answer in time"};
  if (e.category() == error_category) {
    switch (static_cast<errc>(e.code())) {
    case errc::not_found:
      return {404, "not_found", error_message(e)};
    case errc::wrong_state:
    case errc::stale_lease:
      return {409, "wrong_state", error_message(e)};
    case errc::invalid:
      return {400, "invalid", error_message(e)};
    case errc::storage_failure:
      break;
    }
  }
  return {503, "unavailable", error_message(e)};
}

httplib::Response json_reply(int status, const nlohmann::json& body) {
  httplib::Response res;
  res.status = status;
  // Replacing invalid UTF-8 (a client's bytes echoed in a message) instead of throwing.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
  return res;
}

nlohmann::json body_of(const httplib::Request& req) {
  if (req.body.empty())
    return nlohmann::json::object();
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded())
    throw api_error(400, "malformed_json", "the body is not valid JSON");
  if (!j.is_object())
    throw bad_request("the body must be a JSON object");
  return j;
}

std::optional<std::string> string_field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null())
    return std::nullopt;
  if (!it->is_string())
    throw bad_request(std::string{"'"} + name + "' must be a string");
  return it->get<std::string>();
}

std::string required_string(const nlohmann::json& j, const char* name) {
  auto v = string_field(j, name);
  if (!v || v->empty())
    throw bad_request(std::string{"'"} + name + "' is required");
  return *v;
}

int64_t bounded(const nlohmann::json& v, const char* name, int64_t lo, int64_t hi) {
  int64_t n = lo - 1;
  if (v.is_number_integer()) {
    n = v.get<int64_t>();
  } else if (v.is_string()) {
    n = text::parse_int(v.get<std::string>()).value_or(lo - 1);
  }
  if (n < lo || n > hi)
    throw bad_request(std::string{"'"} + name + "' must be a whole number from " +
                      std::to_string(lo) + " to " + std::to_string(hi));
  return n;
}

int64_t query_number(const httplib::Request& req, const char* name, int64_t fallback, int64_t lo,
                     int64_t hi) {
  if (!req.has_param(name))
    return fallback;
  return bounded(req.get_param_value(name), name, lo, hi);
}

uint64_t path_id(const httplib::Request& req, const char* what) {
  // The route only matches digits; an id too large for 64 bits (or 0) cannot exist.
  auto id = text::parse_id(req.matches[1].str());
  if (!id)
    throw api_error(404, "not_found", std::string{"no "} + what + " " + req.matches[1].str());
  return *id;
}

} // namespace vfb
