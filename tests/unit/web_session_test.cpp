// The web page's pure parts: sessions (expiry, sign-out, the bound, CSRF tokens), cookies and
// origins as a browser sends them, the page's file paths, and [api] public_url.
#include "adapters/config_file.hpp"
#include "frontends/api_requests.hpp"
#include "frontends/web_files.hpp"
#include "frontends/web_sessions.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

TEST_CASE("a session lasts its lifetime, ends at sign-out, and keeps no usable cookie value") {
  web_sessions sessions{1000};
  auto a = sessions.open(7, 10'000);
  auto b = sessions.open(7, 10'000);
  CHECK(a.id != b.id);
  CHECK(a.session.csrf_token != b.session.csrf_token);
  CHECK(a.id.size() >= 40);
  auto found = sessions.find(a.id, 10'999);
  REQUIRE(found);
  CHECK(found->token_id == 7);
  CHECK_FALSE(sessions.find(a.id, 11'000)); // expired
  CHECK_FALSE(sessions.find("", 10'000));
  CHECK_FALSE(sessions.find(a.id + "x", 10'000));
  CHECK(sessions.close(b.id));
  CHECK_FALSE(sessions.close(b.id));
  CHECK_FALSE(sessions.find(b.id, 10'000));
  CHECK(web_sessions::csrf_matches(a.session, a.session.csrf_token));
  CHECK_FALSE(web_sessions::csrf_matches(a.session, ""));
  CHECK_FALSE(web_sessions::csrf_matches(a.session, a.session.csrf_token.substr(1)));
  CHECK_FALSE(web_sessions::csrf_matches(a.session, b.session.csrf_token));
}

TEST_CASE("sessions are bounded per token and per node; one sign-in never ends another's") {
  web_sessions sessions{1000, 3, 2};
  auto first = sessions.open(1, 0);
  auto second = sessions.open(1, 100);
  auto third = sessions.open(1, 200); // token 1's third: its own oldest goes
  CHECK_FALSE(sessions.find(first.id, 200));
  CHECK(sessions.find(second.id, 200));
  CHECK(sessions.find(third.id, 200));
  auto other = sessions.open(2, 300); // the node is full now (3)
  CHECK_THROWS_AS(sessions.open(3, 400), std::runtime_error);
  CHECK(sessions.find(other.id, 400)); // nobody was signed out for it
  CHECK(sessions.find(second.id, 400));
  auto later = sessions.open(3, 1150); // second expired at 1100: room again
  CHECK(sessions.size() == 3);
  CHECK(sessions.find(later.id, 1150));
}

TEST_CASE("cookies are read as browsers send them") {
  CHECK(cookie_value("vfb_session=abc", "vfb_session") == "abc");
  CHECK(cookie_value("theme=dark; vfb_session=abc; x=1", "vfb_session") == "abc");
  CHECK(cookie_value("theme=dark;vfb_session=\"abc\"", "vfb_session") == "abc");
  CHECK(cookie_value("my_vfb_session=abc", "vfb_session") == std::nullopt);
  CHECK(cookie_value("vfb_session", "vfb_session") == std::nullopt);
  CHECK(cookie_value("", "vfb_session") == std::nullopt);
  CHECK(cookie_value("vfb_session=", "vfb_session") == "");
}

TEST_CASE("only the node's own origin counts as ours") {
  CHECK(origin_is_ours("http://127.0.0.1:8080", "127.0.0.1:8080", ""));
  CHECK(origin_is_ours("HTTP://LOCALHOST:8080", "localhost:8080", ""));
  CHECK(origin_is_ours("https://vfb.example.org", "127.0.0.1:8080", "https://vfb.example.org"));
  CHECK_FALSE(origin_is_ours("http://127.0.0.1:1", "127.0.0.1:8080", ""));
  CHECK_FALSE(origin_is_ours("null", "127.0.0.1:8080", ""));
  CHECK_FALSE(origin_is_ours("", "127.0.0.1:8080", ""));
  CHECK_FALSE(origin_is_ours("http://127.0.0.1:8080/path", "127.0.0.1:8080", ""));
  CHECK_FALSE(origin_is_ours("http://user@127.0.0.1:8080", "127.0.0.1:8080", ""));
  CHECK_FALSE(origin_is_ours("http://127.0.0.1:8080", "", ""));
  CHECK_FALSE(
      origin_is_ours("https://vfb.example.org.evil.example", "x", "https://vfb.example.org"));
  CHECK(origin_of("https://vfb.example.org/base") == "https://vfb.example.org");
  CHECK(origin_of("ftp://x") == std::nullopt);
}

TEST_CASE("the page's files are found by plain relative paths only") {
  web_files files; // the files built into the binary
  auto index = files.find("index.html");
  REQUIRE(index);
  CHECK(index->content_type == "text/html; charset=utf-8");
  CHECK(index->body.find("<html") != std::string::npos);
  for (const char* bad : {"", "../index.html", "assets/../index.html", ".hidden", "assets//x.js",
                          "/index.html", "assets/x y.js", "assets\\x.js"})
    CHECK_FALSE(files.find(bad));
  CHECK(web_content_type("a/b.js") == "text/javascript; charset=utf-8");
  CHECK(web_content_type("x.unknown") == "application/octet-stream");
}

TEST_CASE("[api] public_url takes an http(s) origin and drops a trailing slash") {
  auto with = [](const std::string& v) {
    return load_config({}, {{"api.public_url", v}}, {}).api.public_url;
  };
  CHECK(with("https://vfb.example.org/") == "https://vfb.example.org");
  CHECK(with("http://10.0.0.2:8080") == "http://10.0.0.2:8080");
  CHECK(with("").empty());
  for (const char* bad : {"vfb.example.org", "ftp://x", "https://", "https://a b", "https://x/?q=1",
                          "https://x/#f", "https://user@x", "https://x/vfb"})
    CHECK_THROWS_AS(with(bad), config_error);
}
