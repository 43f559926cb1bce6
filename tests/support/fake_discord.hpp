// A loopback stand-in for Discord's HTTP API: answers webhook posts as Discord does (including
// its refusals of empty or oversized embeds and of a wrong token), records every request, and
// can be told to answer the next requests with a rate limit or an error. Routes for other REST
// calls (command registration) are added with add_route.
//
// It enforces what Discord enforces (docs: reference.mdx, receiving-and-responding.mdx):
// - every request carries `User-Agent: DiscordBot (URL, VERSION)`; others are refused (403);
// - an interaction it sent (send_interaction) must get its first answer within the deadline
//   (3 s); a late answer invalidates the interaction's token and is recorded as a violation;
// - an interaction's token lives `token_lifetime` (15 min; tests make it short): editing the
//   reply later answers 401 {"message": "Invalid Webhook Token", "code": 50027};
// - bot messages (POST /channels/ID/messages) need `Authorization: Bot <bot_token>`.
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
  /// The route names of PATCH .../webhooks/APP/TOKEN/messages/@original and of bot messages.
  static constexpr const char* edit_original = "edit_original";
  static constexpr const char* create_message = "create_message";
  /// The bot token the fake's channel messages accept.
  static constexpr const char* bot_token = "fake-bot-token-77c1";
  /// The application id of the interactions the fake sends.
  static constexpr const char* application_id = "777";

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
  /// From now on every request is served and recorded as usual but its answer is held back
  /// until release_answers(): a post Discord made whose answer never reached vfb (vfb dies
  /// meanwhile).
  void hold_answers();
  void release_answers();

  /// Waits until `n` webhook posts were accepted (answered 2xx); false if that takes longer than
  /// `timeout` (a generous bound that only ends a failing test, not a synchronisation).
  bool wait_for_posts(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds{30});
  /// Waits until `n` requests matched the route `name` (as wait_for_posts).
  bool wait_for_route(const std::string& name, size_t n,
                      std::chrono::milliseconds timeout = std::chrono::seconds{30});
  /// Waits until `done(requests so far)` holds, looking again at every request and every 20 ms
  /// (for conditions outside the fake, such as a log line); false after `timeout`.
  bool wait_for(const std::function<bool(const std::vector<discord_request>&)>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds{30});
  /// Every request so far, in arrival order.
  std::vector<discord_request> requests() const;
  /// The requests that matched route `name`, in arrival order.
  std::vector<discord_request> requests(const std::string& name) const;

  // -- interactions ----------------------------------------------------------------------

  /// The application's public key (64 hex digits) that vfb verifies interactions with.
  std::string public_key_hex() const;
  /// How long interaction tokens stay valid (Discord: 15 minutes).
  void set_token_lifetime(std::chrono::milliseconds lifetime);
  /// How long the first answer to an interaction may take (Discord: 3 seconds).
  void set_answer_deadline(std::chrono::milliseconds deadline);

  /// vfb's HTTP answer to an interaction and how long it took.
  struct interaction_answer {
    int status = 0;
    nlohmann::json body;
    std::chrono::milliseconds took{0};
  };
  /// Sends `payload` (an interaction without id, application_id and token, which are filled in;
  /// the token is returned in `token`) to vfb's endpoint as Discord does: signed over timestamp
  /// and body. A first answer later than the deadline is a violation and invalidates the token.
  interaction_answer send_interaction(const std::string& endpoint_url, nlohmann::json payload,
                                      std::string* token = nullptr);
  /// Rule breaks seen so far (missing User-Agent, late first answers), for people.
  std::vector<std::string> violations() const;
  /// The JSON bodies of the accepted webhook posts, in order.
  std::vector<nlohmann::json> posts() const;

private:
  struct route {
    std::string name, method;
    std::regex pattern;
    route_handler handler;
  };
  void handle(const httplib::Request& req, httplib::Response& res);
  discord_reply edit_original_reply(const discord_request& req, const std::smatch& match);
  discord_reply create_message_reply(const discord_request& req, const std::smatch& match);
  void violation(std::string what);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<route> routes_;
  std::deque<discord_reply> scripted_;
  bool holding_ = false;
  std::vector<discord_request> requests_;
  std::atomic<int64_t> next_message_id_{1'000'000};
  std::vector<std::string> violations_;
  struct issued_token {
    std::chrono::steady_clock::time_point at;
    bool invalidated = false;
  };
  std::map<std::string, issued_token> tokens_; // interaction token -> when it was issued
  std::chrono::milliseconds token_lifetime_{15 * 60 * 1000};
  std::chrono::milliseconds answer_deadline_{3000};
  uint64_t next_interaction_ = 1;
  std::vector<unsigned char> public_key_, secret_key_;
};

} // namespace vfb::test
