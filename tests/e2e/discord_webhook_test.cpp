// The webhook client against a loopback fake of Discord: what arrives, rate limits, refusals,
// unreachable hosts, and the webhook token kept out of every error.
#include "adapters/discord_webhook.hpp"
#include "tests/support/fake_discord.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace vfb;
using namespace std::chrono_literals;

namespace {

/// A loopback port bound by this test (so nothing else takes it): it refuses connections, or
/// with `listening` accepts them into the kernel's backlog and never answers.
class silent_port {
public:
  explicit silent_port(bool listening) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    if (listening)
      REQUIRE(::listen(fd_, 4) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~silent_port() { ::close(fd_); }
  silent_port(const silent_port&) = delete;
  silent_port& operator=(const silent_port&) = delete;
  std::string webhook_url(const std::string& token) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/api/webhooks/42/" + token;
  }

private:
  int fd_ = -1;
  int port_ = 0;
};

discord_post sample_post() {
  download_result d;
  d.title = "Volcanoes explained — part 2";
  d.webpage_url = "https://www.youtube.com/watch?v=abc";
  d.uploader = "Science Channel";
  d.duration = 754;
  analysis a;
  a.summary = {"The volcano erupted at dawn.", "Ash covered the telescope."};
  a.topics = {{"volcano", 2.0}, {"telescope", 1.0}};
  a.key_phrases = {{"chocolate colored ash", 3.0}};
  return make_post(d, a, "https://youtu.be/abc");
}

void check_no_token(const webhook_result& r, const std::string& token) {
  INFO(r.error);
  CHECK_FALSE(r.error.empty());
  CHECK(r.error.find(token) == std::string::npos);
  CHECK(r.error.find("[redacted]") != std::string::npos);
}

} // namespace

TEST_CASE("a well-formed embed reaches Discord, confirmed with wait=true") {
  test::fake_discord discord;
  auto r = post_webhook(discord.webhook_url(), build_webhook_payload(sample_post()));
  INFO(r.error);
  CHECK(r.ok);
  CHECK(r.status == 200);
  CHECK(r.retry_after == 0ms); // the fake's bucket had room left
  REQUIRE(discord.wait_for_posts(1));
  auto req = discord.requests().at(0);
  CHECK(req.params["wait"] == "true");
  CHECK(req.header("Content-Type") == "application/json");
  auto posts = discord.posts();
  auto& e = posts.at(0)["embeds"][0];
  CHECK(e["title"] == "Volcanoes explained — part 2");
  CHECK(e["url"] == "https://www.youtube.com/watch?v=abc");
  CHECK(e["author"]["name"] == "Science Channel");
  CHECK(e["description"] == "The volcano erupted at dawn. Ash covered the telescope.");
  REQUIRE(e["fields"].size() == 3);
  CHECK(e["fields"][0] ==
        nlohmann::json{{"name", "Duration"}, {"value", "12:34"}, {"inline", true}});
  CHECK(e["fields"][1]["name"] == "Topics");
  CHECK(e["fields"][1]["value"] == "volcano, telescope");
  CHECK(e["fields"][2]["name"] == "Key phrases");
  CHECK(e["fields"][2]["value"] == "chocolate colored ash");
  CHECK(posts[0]["allowed_mentions"]["parse"].empty());
}

TEST_CASE("huge and odd inputs still make a post Discord accepts") {
  test::fake_discord discord;
  auto p = sample_post();
  p.title = "@everyone " + std::string(400, 'x');
  p.summary.clear();
  for (int i = 0; i < 3000; ++i)
    p.summary += "日本語 "; // 3-byte characters
  for (int i = 0; i < 300; ++i)
    p.topics.push_back("тема" + std::to_string(i));
  p.key_phrases = p.topics;
  auto r = post_webhook(discord.webhook_url(), build_webhook_payload(p));
  INFO(r.error);
  CHECK(r.ok); // the fake refuses, as Discord does, anything over the embed limits

  // Invalid UTF-8 (a broken title) is replaced rather than failing the post.
  p.title = "bad \xC3\x28 byte";
  r = post_webhook(discord.webhook_url(), build_webhook_payload(p));
  CHECK(r.ok);
  REQUIRE(discord.wait_for_posts(2));
  auto posts = discord.posts();
  CHECK(posts[1]["embeds"][0]["title"] == "bad \xEF\xBF\xBD( byte");
}

TEST_CASE("a 429 reports Discord's retry_after, and the next post goes through") {
  test::fake_discord discord;
  auto payload = build_webhook_payload(sample_post());
  discord.rate_limit_next(1, 0.05);
  auto r = post_webhook(discord.webhook_url(), payload);
  CHECK(r.status == 429);
  CHECK_FALSE(r.ok);
  CHECK(r.retryable);
  CHECK(r.retry_after == 50ms); // the body's value, not the whole-second Retry-After header
  check_no_token(r, test::fake_discord::webhook_token);
  r = post_webhook(discord.webhook_url(), payload);
  CHECK(r.ok);
  CHECK(discord.posts().size() == 1);

  // A global limit says so; a 429 without a body falls back to the headers.
  discord.rate_limit_next(1, 2.5, true);
  r = post_webhook(discord.webhook_url(), payload);
  CHECK(r.retry_after == 2500ms);
  CHECK(r.error.find("global rate limit") != std::string::npos);
  discord.script({429, nullptr, {{"Retry-After", "3"}}});
  r = post_webhook(discord.webhook_url(), payload);
  CHECK(r.retryable);
  CHECK(r.retry_after == 3000ms);

  // A post that used up the bucket succeeds and says how long to wait before the next one.
  discord.script(
      {204, nullptr, {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset-After", "1.25"}}});
  r = post_webhook(discord.webhook_url(), payload);
  CHECK(r.ok);
  CHECK(r.retry_after == 1250ms);
}

TEST_CASE("Discord's refusals are permanent and carry its message") {
  test::fake_discord discord;
  auto token = test::fake_discord::webhook_token;

  SECTION("an embed over the limits") {
    nlohmann::json payload{{"embeds", {{{"title", std::string(300, 'T')}}}}};
    auto r = post_webhook(discord.webhook_url(), payload);
    CHECK(r.status == 400);
    CHECK_FALSE(r.retryable);
    CHECK(r.error.find("Invalid Form Body (code 50035)") != std::string::npos);
    CHECK(r.error.find("embeds.0.title: Must be 256 or fewer in length.") != std::string::npos);
    check_no_token(r, token);
  }
  SECTION("an empty message") {
    auto r = post_webhook(discord.webhook_url(), {{"content", ""}});
    CHECK(r.status == 400);
    CHECK_FALSE(r.retryable);
    CHECK(r.error.find("Cannot send an empty message (code 50006)") != std::string::npos);
  }
  SECTION("a wrong token") {
    auto url = discord.base_url() + "/api/webhooks/112233/not-the-token-77";
    auto r = post_webhook(url, build_webhook_payload(sample_post()));
    CHECK(r.status == 401);
    CHECK_FALSE(r.retryable);
    CHECK(r.error.find("Invalid Webhook Token") != std::string::npos);
    check_no_token(r, "not-the-token-77");
  }
  SECTION("an answer that echoes the token has it scrubbed") {
    discord.script({404, {{"message", "Unknown Webhook " + discord.webhook_url()}}, {}});
    auto r = post_webhook(discord.webhook_url(), build_webhook_payload(sample_post()));
    CHECK(r.status == 404);
    CHECK_FALSE(r.retryable);
    CHECK(r.error.find("Unknown Webhook http://127.0.0.1") != std::string::npos);
    check_no_token(r, token);
  }
  SECTION("a server error is worth retrying") {
    discord.fail_next(1, 502, "Bad Gateway");
    auto r = post_webhook(discord.webhook_url(), build_webhook_payload(sample_post()));
    CHECK(r.status == 502);
    CHECK(r.retryable);
    CHECK(r.error.find("HTTP 502: Bad Gateway") != std::string::npos);
    check_no_token(r, token);
  }
  CHECK(discord.posts().empty());
}

TEST_CASE("no answer is retryable, and the token never shows") {
  const std::string token = "s3cret-webhook-token";
  SECTION("connection refused") {
    silent_port port{false};
    auto r = post_webhook(port.webhook_url(token), build_webhook_payload(sample_post()));
    CHECK(r.status == 0);
    CHECK(r.retryable);
    CHECK(r.error.find("no answer") != std::string::npos);
    check_no_token(r, token);
  }
  SECTION("a server that never answers, within the timeout") {
    silent_port port{true};
    auto r = post_webhook(port.webhook_url(token), build_webhook_payload(sample_post()), 1s);
    CHECK(r.status == 0);
    CHECK(r.retryable);
    check_no_token(r, token);
  }
  SECTION("a URL that is not http(s)") {
    auto r = post_webhook("ftp://discord.com/api/webhooks/1/" + token, {{"content", "x"}});
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.retryable);
    check_no_token(r, token);
  }
}

TEST_CASE("webhook URLs are redacted for logs") {
  CHECK(redact_webhook_url("https://discord.com/api/webhooks/123/abcDEF?thread_id=9") ==
        "https://discord.com/api/webhooks/123/[redacted]");
  CHECK(redact_webhook_url("https://discord.com/api/v10/webhooks/123/abc/messages/1") ==
        "https://discord.com/api/v10/webhooks/123/[redacted]");
  CHECK(redact_webhook_url("https://example.org/hook/secret") == "https://example.org/[redacted]");
  CHECK(redact_webhook_url("https://example.org") == "https://example.org");
}

TEST_CASE("every request names vfb in Discord's User-Agent format, bot messages carry the bot "
          "token, and Discord's error code and message are kept") {
  test::fake_discord discord;
  auto r = post_webhook(discord.webhook_url(), build_webhook_payload(sample_post()));
  CHECK(r.ok);
  auto patched =
      send_to_discord("PATCH", discord.base_url() + "/api/v10/webhooks/777/nope/messages/@original",
                      {{"content", "x"}});
  CHECK(patched.status == 401); // an unknown interaction token, as an expired one
  CHECK(patched.code == 50027);
  CHECK(patched.message == "Invalid Webhook Token");
  CHECK_THAT(patched.error, Catch::Contains("HTTP 401") && Catch::Contains("50027") &&
                                Catch::Contains("Invalid Webhook Token"));
  CHECK(patched.error.find("nope") == std::string::npos); // the token stays out
  auto message = send_to_discord("POST", discord.base_url() + "/api/v10/channels/555/messages",
                                 {{"content", "hello"}}, 10s, test::fake_discord::bot_token);
  CHECK(message.ok);
  auto refused = send_to_discord("POST", discord.base_url() + "/api/v10/channels/555/messages",
                                 {{"content", "hello"}}, 10s, "not-the-bot-token");
  CHECK(refused.status == 401);
  CHECK(refused.error.find("not-the-bot-token") == std::string::npos);
  auto seen = discord.requests();
  REQUIRE(seen.size() == 4);
  for (const auto& req : seen) {
    INFO(req.path);
    CHECK(req.header("User-Agent").rfind("DiscordBot (https://", 0) == 0);
    CHECK_THAT(req.header("User-Agent"), Catch::Contains(", 0."));
  }
  CHECK(seen[2].header("Authorization") == std::string{"Bot "} + test::fake_discord::bot_token);
  CHECK(seen[0].header("Authorization").empty()); // webhooks need no credentials
  CHECK(discord.violations().empty());
}

TEST_CASE("a digest of 200 backfill videos is one post within Discord's limits") {
  test::fake_discord discord;
  std::vector<digest_item> items;
  for (int i = 0; i < 200; ++i)
    items.push_back({"Talk [" + std::to_string(i) + "] about volcanoes",
                     "https://www.youtube.com/watch?v=vid" + std::to_string(i)});
  auto payload = build_digest_payload("Science Channel", "https://www.youtube.com/@science", items);
  auto r = post_webhook(discord.webhook_url(), payload);
  INFO(r.error);
  REQUIRE(r.ok); // the fake refuses what Discord refuses (embed sizes)
  const auto& embed = payload["embeds"][0];
  CHECK(embed["title"] == "200 videos from Science Channel");
  CHECK(embed["url"] == "https://www.youtube.com/@science");
  auto description = embed["description"].get<std::string>();
  CHECK_THAT(description,
             Catch::Contains("- [Talk (0) about volcanoes](https://www.youtube.com/watch?v=vid0)"));
  CHECK_THAT(description, Catch::Contains(" more"));
  CHECK(payload["allowed_mentions"]["parse"].empty());
  auto one = build_digest_payload("", "", {{"T", "https://x.test/v"}});
  CHECK(one["embeds"][0]["title"] == "1 video from a followed channel");
  CHECK_FALSE(one["embeds"][0].contains("url"));
}
