// A loopback stand-in for Discord's HTTP API: answers webhook posts as Discord does (including
// its refusals of empty or oversized embeds and of a wrong token), records every request, and
// can be told to answer the next requests with a rate limit or an error. Routes for the bridge's
// REST calls (interaction follow-ups, command registration) are added with add_route.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace vfb::test {

/// A request as the fake saw it, and how it answered.
struct discord_request {
  std::string route; // the name of the route that matched; empty when none did
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;  // query parameters
  std::map<std::string, std::string> headers; // names in lower case
  std::string body;
  nlohmann::json json; // the body parsed; null when it is not JSON
  int status = 0;      // the status the fake answered with
  std::chrono::steady_clock::time_point received_at;

  /// A header's value by case-insensitive name; empty when absent.
  std::string header(const std::string& name) const;
};

/// An answer: status, JSON body (none when null) and extra headers.
struct discord_reply {
  int status = 200;
  nlohmann::json body;
  std::map<std::string, std::string> headers;
};

class fake_discord {
public:
  /// Answers a request that matched a route; `match` holds the pattern's groups.
  using route_handler =
      std::function<discord_reply(const discord_request& request, const std::smatch& match)>;

  /// The route name of webhook executions (POST /api[/vN]/webhooks/ID/TOKEN).
  static constexpr const char* execute_webhook = "execute_webhook";
  /// The only token the fake's webhooks accept; others get 401 like a deleted webhook's.
  static constexpr const char* webhook_token = "fake-webhook-token-3f9a";

  /// Listens on 127.0.0.1 and an ephemeral port, on its own thread.
  fake_discord();
  ~fake_discord();
  fake_discord(const fake_discord&) = delete;
  fake_discord& operator=(const fake_discord&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:PORT".
  std::string base_url() const;
  /// A webhook URL that the fake accepts.
  std::string webhook_url(const std::string& id = "112233") const;

  /// Answers `method` requests whose whole path matches `path_pattern` (an ECMAScript regex).
  /// Routes are tried in the order they were added.
  void add_route(const std::string& name, const std::string& method,
                 const std::string& path_pattern, route_handler handler);

  /// The next `times` requests, whatever their route, get `reply` instead.
  void script(discord_reply reply, size_t times = 1);
  /// The next `times` requests get 429 with Discord's body and rate-limit headers.
  void rate_limit_next(size_t times, double retry_after_s = 0.05, bool global = false);
  /// The next `times` requests get `status` with Discord's error body {"message", "code"}.
  void fail_next(size_t times, int status, const std::string& message, int code = 0);

  /// Waits until `n` webhook posts were accepted (answered 2xx); false if that takes longer than
  /// `timeout` (a generous bound that only ends a failing test, not a synchronisation).
  bool wait_for_posts(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds{30});
  /// Waits until `n` requests matched the route `name` (as wait_for_posts).
  bool wait_for_route(const std::string& name, size_t n,
                      std::chrono::milliseconds timeout = std::chrono::seconds{30});
  /// Every request so far, in arrival order.
  std::vector<discord_request> requests() const;
  /// The JSON bodies of the accepted webhook posts, in order.
  std::vector<nlohmann::json> posts() const;

private:
  struct route {
    std::string name, method;
    std::regex pattern;
    route_handler handler;
  };
  void handle(const httplib::Request& req, httplib::Response& res);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<route> routes_;
  std::deque<discord_reply> scripted_;
  std::vector<discord_request> requests_;
  std::atomic<int64_t> next_message_id_{1'000'000};
};

} // namespace vfb::test
