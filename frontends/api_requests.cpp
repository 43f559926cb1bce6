// What the HTTP API reads from a request (see api_requests.hpp).
#include "frontends/api_requests.hpp"

#include "messages/time.hpp"
#include "text/numbers.hpp"
#include "text/strings.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace vfb {

api_error bad_request(const std::string& message) {
  return {400, "bad_request", message};
}

nlohmann::json parse_body(std::string_view body) {
  if (body.empty())
    return nlohmann::json::object();
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded())
    throw api_error(400, "malformed_json", "the body is not valid JSON");
  if (!j.is_object())
    throw bad_request("the body must be a JSON object");
  return j;
}

nlohmann::json body_of(const httplib::Request& req) {
  return parse_body(req.body);
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

std::optional<std::string> bearer_token(const httplib::Request& req) {
  auto header = req.get_header_value("Authorization");
  const std::string scheme = "bearer ";
  if (header.size() <= scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), header.begin(),
                  [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }))
    return std::nullopt;
  return header.substr(scheme.size());
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto end = header.find(';');
    auto pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t'))
      pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      auto value = pair.substr(eq + 1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return std::string{value};
    }
  }
  return std::nullopt;
}

std::optional<std::string> origin_of(std::string_view url) {
  auto lower = text::ascii_lower(url);
  for (std::string_view scheme : {"http://", "https://"}) {
    if (lower.compare(0, scheme.size(), scheme) != 0)
      continue;
    auto rest = lower.substr(scheme.size());
    auto host = rest.substr(0, rest.find_first_of("/?#"));
    if (host.empty() || host.find('@') != std::string::npos)
      return std::nullopt;
    return std::string{scheme} + host;
  }
  return std::nullopt;
}

bool origin_is_ours(std::string_view origin, std::string_view host,
                    std::string_view public_origin) {
  auto o = origin_of(origin);
  if (!o || *o != text::ascii_lower(origin))
    return false; // not a bare origin: "null", a path, another scheme
  if (!public_origin.empty() && *o == public_origin)
    return true;
  auto h = text::ascii_lower(host);
  return !h.empty() && (*o == "http://" + h || *o == "https://" + h);
}

submission submission_from(const nlohmann::json& j) {
  submission sub;
  sub.url = required_string(j, "url");
  if (j.contains("force") && !j["force"].is_null()) {
    if (!j["force"].is_boolean())
      throw bad_request("'force' must be true or false");
    sub.force = j["force"].get<bool>();
  }
  return sub;
}

follow_request follow_request_from(const nlohmann::json& j) {
  follow_request fr;
  fr.url = required_string(j, "url");
  if (j.contains("limit") && !j["limit"].is_null())
    fr.limit = static_cast<uint32_t>(bounded(j["limit"], "limit", 1, 100000));
  if (auto s = string_field(j, "since")) {
    fr.since = parse_iso_utc(*s);
    if (!fr.since)
      throw bad_request("'since' needs a date like 2025-11-29 or 2025-11-29T12:00:00Z");
  }
  return fr;
}

auto_follow_setting setting_from(const nlohmann::json& body) {
  auto value = required_string(body, "setting");
  auto setting = parse_auto_follow_setting(value);
  if (!setting)
    throw bad_request("'setting' must be on, off or inherit, got '" + value + "'");
  return *setting;
}

std::vector<job_state> parse_state_list(std::string_view names) {
  std::vector<job_state> out;
  std::istringstream in{std::string{names}};
  for (std::string name; std::getline(in, name, ',');) {
    job_state st;
    if (!parse(name, st))
      throw bad_request("unknown state '" + name + "'");
    out.push_back(st);
  }
  return out;
}

bool parse_job_order(std::string_view order) {
  if (order == "newest")
    return true;
  if (order == "oldest")
    return false;
  throw bad_request("'order' must be oldest or newest, not '" + std::string{order} + "'");
}

} // namespace vfb
