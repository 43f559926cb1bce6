#include "tests/support/fake_discord.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <httplib.h>
#include <optional>
#include <stdexcept>

namespace vfb::test {

namespace {

using nlohmann::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Counted here rather than with the adapter's helper, so the fake checks the adapter on its own.
size_t chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

discord_reply error_reply(int status, const std::string& message, int code, json errors = nullptr) {
  json body{{"message", message}, {"code", code}};
  if (!errors.is_null())
    body["errors"] = std::move(errors);
  return {status, std::move(body), {}};
}

/// Discord's embed limits, reported the way Discord reports them: an "errors" object keyed by
/// the offending field's path. Null when the payload is within the limits.
json form_errors(const json& payload) {
  json errors;
  // Discord keys its "errors" by path with strings, also for array indices: {"embeds": {"0":..}}.
  auto refuse = [&](const std::string& path, const std::string& message) {
    json* node = &errors;
    for (size_t at = 1, next; at <= path.size(); at = next + 1) {
      next = std::min(path.find('/', at), path.size());
      node = &(*node)[path.substr(at, next - at)];
    }
    (*node)["_errors"] = json::array({{{"code", "BASE_TYPE_MAX_LENGTH"}, {"message", message}}});
  };
  // The length of a string member (0 when absent), refused when over `max`.
  auto measure = [&](const json& object, const char* key, const std::string& path,
                     size_t max) -> size_t {
    if (!object.is_object() || !object.contains(key) || !object[key].is_string())
      return 0;
    auto n = chars(object[key].get<std::string>());
    if (n > max)
      refuse(path + "/" + key, "Must be " + std::to_string(max) + " or fewer in length.");
    return n;
  };
  auto embeds = payload.value("embeds", json::array());
  if (embeds.size() > 10)
    refuse("/embeds", "Must be 10 or fewer in length.");
  for (size_t i = 0; i < embeds.size() && i < 10; ++i) {
    auto& e = embeds[i];
    auto at = "/embeds/" + std::to_string(i);
    size_t total = measure(e, "title", at, 256) + measure(e, "description", at, 4096);
    if (e.contains("author"))
      total += measure(e["author"], "name", at + "/author", 256);
    if (e.contains("footer"))
      total += measure(e["footer"], "text", at + "/footer", 2048);
    auto fields = e.value("fields", json::array());
    if (fields.size() > 25)
      refuse(at + "/fields", "Must be 25 or fewer in length.");
    for (size_t f = 0; f < fields.size(); ++f) {
      auto field_at = at + "/fields/" + std::to_string(f);
      total +=
          measure(fields[f], "name", field_at, 256) + measure(fields[f], "value", field_at, 1024);
    }
    if (total > 6000)
      refuse(at, "Embed size exceeds maximum size of 6000");
  }
  return errors;
}

/// POST /api/webhooks/ID/TOKEN as Discord answers it.
discord_reply execute(const discord_request& req, const std::smatch& match, int64_t message_id) {
  if (match[2].str() != fake_discord::webhook_token)
    return error_reply(401, "Invalid Webhook Token", 50027);
  if (req.json.is_discarded() || !req.json.is_object())
    return error_reply(400, "The request body contains invalid JSON.", 50109);
  if (req.json.value("content", "").empty() && req.json.value("embeds", json::array()).empty())
    return error_reply(400, "Cannot send an empty message", 50006);
  if (auto errors = form_errors(req.json); !errors.is_null())
    return error_reply(400, "Invalid Form Body", 50035, std::move(errors));
  discord_reply ok{204, nullptr, {}};
  // Like Discord's buckets: five posts per two seconds; the fake never runs out.
  ok.headers = {{"X-RateLimit-Limit", "5"},
                {"X-RateLimit-Remaining", "4"},
                {"X-RateLimit-Reset-After", "2.000"}};
  if (req.params.count("wait") != 0 && req.params.at("wait") == "true") {
    ok.status = 200;
    ok.body = {{"id", std::to_string(message_id)},
               {"type", 0},
               {"channel_id", "555"},
               {"webhook_id", match[1].str()},
               {"content", req.json.value("content", "")},
               {"embeds", req.json.value("embeds", json::array())}};
  }
  return ok;
}

bool accepted_post(const discord_request& r) {
  return r.route == fake_discord::execute_webhook && r.status >= 200 && r.status < 300;
}

} // namespace

std::string discord_request::header(const std::string& name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string{} : it->second;
}

fake_discord::fake_discord() : server_(std::make_unique<httplib::Server>()) {
  add_route(execute_webhook, "POST", R"(/api(?:/v\d+)?/webhooks/(\d+)/([^/]+))",
            [this](const discord_request& req, const std::smatch& match) {
              return execute(req, match, next_message_id_++);
            });
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  server_->Put(".*", handler);
  server_->Patch(".*", handler);
  server_->Delete(".*", handler);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0)
    throw std::runtime_error("fake_discord: cannot bind a loopback port");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) // the port is bound already; listening starts in a moment
    std::this_thread::yield();
}

fake_discord::~fake_discord() {
  server_->stop();
  if (thread_.joinable())
    thread_.join();
}

std::string fake_discord::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string fake_discord::webhook_url(const std::string& id) const {
  return base_url() + "/api/webhooks/" + id + "/" + webhook_token;
}

void fake_discord::add_route(const std::string& name, const std::string& method,
                             const std::string& path_pattern, route_handler handler) {
  std::lock_guard<std::mutex> guard{mu_};
  routes_.push_back({name, method, std::regex{path_pattern}, std::move(handler)});
}

void fake_discord::script(discord_reply reply, size_t times) {
  std::lock_guard<std::mutex> guard{mu_};
  scripted_.insert(scripted_.end(), times, reply);
}

void fake_discord::rate_limit_next(size_t times, double retry_after_s, bool global) {
  discord_reply reply{429,
                      {{"message", "You are being rate limited."},
                       {"retry_after", retry_after_s},
                       {"global", global}},
                      {{"Retry-After", std::to_string(static_cast<int>(std::ceil(retry_after_s)))},
                       {"X-RateLimit-Limit", "5"},
                       {"X-RateLimit-Remaining", "0"},
                       {"X-RateLimit-Reset-After", std::to_string(retry_after_s)},
                       {"X-RateLimit-Scope", global ? "global" : "user"}}};
  if (global)
    reply.headers["X-RateLimit-Global"] = "true";
  script(std::move(reply), times);
}

void fake_discord::fail_next(size_t times, int status, const std::string& message, int code) {
  script(error_reply(status, message, code), times);
}

void fake_discord::handle(const httplib::Request& req, httplib::Response& res) {
  discord_request seen;
  seen.received_at = std::chrono::steady_clock::now();
  seen.method = req.method;
  seen.path = req.path;
  for (auto& [k, v] : req.params)
    seen.params[k] = v;
  for (auto& [k, v] : req.headers)
    seen.headers[lower(k)] = v;
  seen.body = req.body;
  seen.json = json::parse(req.body, nullptr, false);
  if (seen.body.empty())
    seen.json = nullptr;

  std::optional<discord_reply> reply;
  route_handler handler;
  std::smatch match;
  {
    std::lock_guard<std::mutex> guard{mu_};
    for (auto& r : routes_)
      if (r.method == req.method && std::regex_match(seen.path, match, r.pattern)) {
        seen.route = r.name;
        handler = r.handler;
        break;
      }
    if (!scripted_.empty()) {
      reply = std::move(scripted_.front());
      scripted_.pop_front();
    }
  }
  // Handlers run without the lock: a route added by a test may call back into the fake.
  if (!reply)
    reply = handler ? handler(seen, match) : error_reply(404, "404: Not Found", 0);

  res.status = reply->status;
  for (auto& [k, v] : reply->headers)
    res.set_header(k, v);
  if (!reply->body.is_null())
    res.set_content(reply->body.dump(), "application/json");
  seen.status = reply->status;
  {
    std::lock_guard<std::mutex> guard{mu_};
    requests_.push_back(std::move(seen));
  }
  changed_.notify_all();
}

bool fake_discord::wait_for_posts(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mu_};
  return changed_.wait_for(lock, timeout, [&] {
    return static_cast<size_t>(std::count_if(requests_.begin(), requests_.end(), accepted_post)) >=
           n;
  });
}

bool fake_discord::wait_for_route(const std::string& name, size_t n,
                                  std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mu_};
  return changed_.wait_for(lock, timeout, [&] {
    return static_cast<size_t>(
               std::count_if(requests_.begin(), requests_.end(),
                             [&](const discord_request& r) { return r.route == name; })) >= n;
  });
}

std::vector<discord_request> fake_discord::requests() const {
  std::lock_guard<std::mutex> guard{mu_};
  return requests_;
}

std::vector<nlohmann::json> fake_discord::posts() const {
  std::lock_guard<std::mutex> guard{mu_};
  std::vector<nlohmann::json> out;
  for (auto& r : requests_)
    if (accepted_post(r))
      out.push_back(r.json);
  return out;
}

} // namespace vfb::test
