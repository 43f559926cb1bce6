// Answers of the HTTP API (see http_helpers.hpp).
#include "frontends/http_helpers.hpp"

#include "messages/errors.hpp"

#include <caf/error.hpp>
#include <caf/sec.hpp>

namespace vfb {

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

} // namespace vfb
