#include "tests/support/fake_discord.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <httplib.h>
#include <optional>
#include <sodium.h>
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

/// A message object as Discord returns it for a created or edited message.
json message_object(const std::string& id, const std::string& channel_id, const json& body) {
  return {{"id", id},
          {"type", 0},
          {"channel_id", channel_id},
          {"content", body.value("content", "")},
          {"embeds", body.value("embeds", json::array())}};
}

/// Discord's checks of a message body: valid JSON, not empty, content within 2000 characters.
std::optional<discord_reply> refused_message(const discord_request& req) {
  if (req.json.is_discarded() || !req.json.is_object())
    return error_reply(400, "The request body contains invalid JSON.", 50109);
  auto content = req.json.value("content", "");
  if (content.empty() && req.json.value("embeds", json::array()).empty())
    return error_reply(400, "Cannot send an empty message", 50006);
  if (chars(content) > 2000)
    return error_reply(400, "Invalid Form Body", 50035,
                       {{"content",
                         {{"_errors", json::array({{{"code", "BASE_TYPE_MAX_LENGTH"},
                                                    {"message", "Must be 2000 or fewer in "
                                                                "length."}}})}}}});
  return std::nullopt;
}

std::string hex(const unsigned char* data, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
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
  if (sodium_init() < 0)
    throw std::runtime_error("fake_discord: libsodium failed to initialise");
  public_key_.resize(crypto_sign_PUBLICKEYBYTES);
  secret_key_.resize(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(public_key_.data(), secret_key_.data());
  add_route(execute_webhook, "POST", R"(/api(?:/v\d+)?/webhooks/(\d+)/([^/]+))",
            [this](const discord_request& req, const std::smatch& match) {
              return execute(req, match, next_message_id_++);
            });
  add_route(edit_original, "PATCH", R"(/api(?:/v\d+)?/webhooks/(\d+)/([^/]+)/messages/@original)",
            [this](const discord_request& req, const std::smatch& match) {
              return edit_original_reply(req, match);
            });
  add_route(create_message, "POST", R"(/api(?:/v\d+)?/channels/(\d+)/messages)",
            [this](const discord_request& req, const std::smatch& match) {
              return create_message_reply(req, match);
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
  release_answers();
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
  // Discord may block clients without a valid User-Agent (reference.mdx, "User Agent").
  if (seen.header("User-Agent").rfind("DiscordBot (", 0) != 0) {
    violation(req.method + " " + req.path + " without a DiscordBot User-Agent (got \"" +
              seen.header("User-Agent") + "\")");
    reply = error_reply(403, "fake Discord: a DiscordBot User-Agent is required", 0);
  }
  {
    std::lock_guard<std::mutex> guard{mu_};
    for (auto& r : routes_)
      if (r.method == req.method && std::regex_match(seen.path, match, r.pattern)) {
        seen.route = r.name;
        handler = r.handler;
        break;
      }
    if (!reply && !scripted_.empty()) {
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
  std::unique_lock<std::mutex> lock{mu_};
  requests_.push_back(std::move(seen));
  changed_.notify_all();
  changed_.wait(lock, [&] { return !holding_; });
}

void fake_discord::hold_answers() {
  std::lock_guard<std::mutex> guard{mu_};
  holding_ = true;
}

void fake_discord::release_answers() {
  {
    std::lock_guard<std::mutex> guard{mu_};
    holding_ = false;
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

bool fake_discord::wait_for(const std::function<bool(const std::vector<discord_request>&)>& done,
                            std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock{mu_};
  while (!done(requests_)) {
    if (std::chrono::steady_clock::now() >= until)
      return false;
    changed_.wait_for(lock, std::chrono::milliseconds{20});
  }
  return true;
}

std::vector<discord_request> fake_discord::requests() const {
  std::lock_guard<std::mutex> guard{mu_};
  return requests_;
}

std::vector<discord_request> fake_discord::requests(const std::string& name) const {
  std::lock_guard<std::mutex> guard{mu_};
  std::vector<discord_request> out;
  for (auto& r : requests_)
    if (r.route == name)
      out.push_back(r);
  return out;
}

void fake_discord::violation(std::string what) {
  std::lock_guard<std::mutex> guard{mu_};
  violations_.push_back(std::move(what));
}

std::vector<std::string> fake_discord::violations() const {
  std::lock_guard<std::mutex> guard{mu_};
  return violations_;
}

std::string fake_discord::public_key_hex() const {
  return hex(public_key_.data(), public_key_.size());
}

void fake_discord::set_token_lifetime(std::chrono::milliseconds lifetime) {
  std::lock_guard<std::mutex> guard{mu_};
  token_lifetime_ = lifetime;
}

void fake_discord::set_answer_deadline(std::chrono::milliseconds deadline) {
  std::lock_guard<std::mutex> guard{mu_};
  answer_deadline_ = deadline;
}

discord_reply fake_discord::edit_original_reply(const discord_request& req,
                                                const std::smatch& match) {
  auto token = match[2].str();
  {
    std::lock_guard<std::mutex> guard{mu_};
    auto it = tokens_.find(token);
    // An unknown, invalidated (answered late) or expired token: what Discord answers then.
    if (match[1].str() != application_id || it == tokens_.end() || it->second.invalidated ||
        std::chrono::steady_clock::now() - it->second.at > token_lifetime_)
      return error_reply(401, "Invalid Webhook Token", 50027);
  }
  if (auto refused = refused_message(req))
    return *refused;
  return {200,
          message_object("8" + std::to_string(std::hash<std::string>{}(token) % 100000), "555",
                         req.json),
          {}};
}

discord_reply fake_discord::create_message_reply(const discord_request& req,
                                                 const std::smatch& match) {
  if (req.header("Authorization") != std::string{"Bot "} + bot_token)
    return error_reply(401, "401: Unauthorized", 0);
  if (auto refused = refused_message(req))
    return *refused;
  return {200, message_object(std::to_string(next_message_id_++), match[1].str(), req.json), {}};
}

fake_discord::interaction_answer fake_discord::send_interaction(const std::string& endpoint_url,
                                                                nlohmann::json payload,
                                                                std::string* token_out) {
  std::string token;
  {
    std::lock_guard<std::mutex> guard{mu_};
    auto n = next_interaction_++;
    payload["id"] = std::to_string(900000 + n);
    token = "itok-" + std::to_string(n) + "-" + std::to_string(randombytes_random());
    tokens_[token] = {std::chrono::steady_clock::now(), false};
  }
  payload["application_id"] = application_id;
  payload["token"] = token;
  if (token_out != nullptr)
    *token_out = token;
  auto body = payload.dump();
  auto timestamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  auto signed_text = timestamp + body;
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(signed_text.data()),
                       signed_text.size(), secret_key_.data());
  auto path_at = endpoint_url.find('/', endpoint_url.find("://") + 3);
  httplib::Client client{endpoint_url.substr(0, path_at)};
  client.set_read_timeout(std::chrono::seconds{60});
  httplib::Headers h{{"X-Signature-Ed25519", hex(sig, sizeof sig)},
                     {"X-Signature-Timestamp", timestamp},
                     {"User-Agent", "Discord-Interactions/1.0 (+https://discord.com)"}};
  auto start = std::chrono::steady_clock::now();
  auto res = client.Post(endpoint_url.substr(path_at), h, body, "application/json");
  interaction_answer out;
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (res) {
    out.status = res->status;
    out.body = json::parse(res->body, nullptr, false);
  }
  std::lock_guard<std::mutex> guard{mu_};
  if (!res || out.took > answer_deadline_) {
    // Discord gives up on the interaction ("The application did not respond") and invalidates
    // its token.
    tokens_[token].invalidated = true;
    auto data = payload.value("data", json::object());
    violations_.push_back("interaction " + data.value("name", std::string{"?"}) +
                          " answered after " + std::to_string(out.took.count()) + " ms");
  }
  return out;
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
