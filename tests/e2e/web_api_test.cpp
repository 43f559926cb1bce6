// The web page's part of the HTTP API through a real HTTP client: signing in and out with a
// session cookie, what a session may write (CSRF token, the node's own origin, its role), the
// page's files and headers, and the endpoints the page reads (overview, follow pause/resume,
// newest jobs first, transcript moment links). The page itself in a real browser:
// tests/web/browser_test.py.
#include "frontends/web_files.hpp"
#include "tests/support/api_node.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>

using namespace vfb;
using namespace vfb::test;
namespace fs = std::filesystem;

namespace {

/// A browser's request: the session cookie (when signed in), and whatever headers it adds.
reply browser_call(api_node& n, const std::string& method, const std::string& path,
                   const std::string& cookie, httplib::Headers h = {},
                   const std::string& body = {}) {
  if (!cookie.empty())
    h.emplace("Cookie", "theme=dark; " + cookie);
  return n.call(method, path, {}, body, std::move(h));
}

/// A signed-in browser: its cookie ("vfb_session=...") and the session's CSRF token.
struct signed_in {
  std::string cookie;
  std::string csrf;
  std::string set_cookie; // the Set-Cookie header as sent
};

signed_in sign_in(api_node& n, const std::string& token) {
  auto r = browser_call(n, "POST", "/v1/session", {}, {}, nlohmann::json{{"token", token}}.dump());
  REQUIRE(r.status == 200);
  signed_in s;
  s.set_cookie = r.headers.find("Set-Cookie")->second;
  s.cookie = s.set_cookie.substr(0, s.set_cookie.find(';'));
  s.csrf = r.body.at("csrf_token").get<std::string>();
  return s;
}

httplib::Headers writes_from_page(const api_node& n, const signed_in& s) {
  return {{"X-CSRF-Token", s.csrf}, {"Origin", "http://127.0.0.1:" + std::to_string(n.port)}};
}

std::string header(const reply& r, const char* name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string{} : it->second;
}

size_t job_count(api_node& n) {
  return n.call("GET", "/v1/jobs", n.acme_operator).body.at("jobs").size();
}

} // namespace

TEST_CASE("the page signs in with a token for an HttpOnly SameSite=Strict cookie, and out") {
  api_node n;
  auto bad = browser_call(n, "POST", "/v1/session", {}, {}, R"({"token": "vfb_nope"})");
  CHECK(bad.status == 401);
  CHECK(header(bad, "Set-Cookie").empty());
  CHECK(browser_call(n, "POST", "/v1/session", {}, {}, R"({"token": ")" + n.revoked + R"("})")
            .status == 401);
  CHECK(browser_call(n, "POST", "/v1/session", {}, {}, "{}").status == 400);

  auto s = sign_in(n, n.acme_viewer);
  CHECK(s.set_cookie.find("HttpOnly") != std::string::npos);
  CHECK(s.set_cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(s.set_cookie.find("Path=/") != std::string::npos);
  CHECK(s.set_cookie.find("Secure") == std::string::npos);  // plain http on loopback
  CHECK(s.cookie.find(n.acme_viewer) == std::string::npos); // the token never becomes the cookie
  CHECK(s.csrf.size() >= 40);

  auto who = browser_call(n, "GET", "/v1/session", s.cookie);
  CHECK(who.status == 200);
  CHECK(who.body.at("tenant") == "acme");
  CHECK(who.body.at("role") == "viewer");
  CHECK(who.body.at("csrf_token") == s.csrf);
  CHECK(browser_call(n, "GET", "/v1/jobs", s.cookie).status == 200);
  // Without the cookie, or with one the node never gave: 401.
  CHECK(browser_call(n, "GET", "/v1/jobs", {}).status == 401);
  CHECK(browser_call(n, "GET", "/v1/jobs", "vfb_session=forged").status == 401);
  // Other sites' cookies on the same host do not count as a session.
  CHECK(browser_call(n, "GET", "/v1/jobs", "other_app=1").status == 401);

  // Signing out is a write: the page's CSRF token is needed.
  CHECK(browser_call(n, "DELETE", "/v1/session", s.cookie).status == 403);
  auto out = browser_call(n, "DELETE", "/v1/session", s.cookie, writes_from_page(n, s));
  CHECK(out.status == 200);
  CHECK(out.body.at("signed_out") == true);
  CHECK(header(out, "Set-Cookie").find("Max-Age=0") != std::string::npos);
  // The node ended the session: the old cookie is worth nothing now.
  auto after = browser_call(n, "GET", "/v1/jobs", s.cookie);
  CHECK(after.status == 401);
  CHECK(after.body.at("error").at("message").get<std::string>().find("sign in again") !=
        std::string::npos);
}

TEST_CASE("a session's writes need its CSRF token and the node's own origin; viewers' are "
          "refused") {
  api_node n;
  auto op = sign_in(n, n.acme_operator);
  auto submit = nlohmann::json{{"url", "http://127.0.0.1:9/videos/web"}}.dump();

  // A page on another site makes the browser send the cookie (no CSRF token, its own Origin).
  auto forged = browser_call(n, "POST", "/v1/submissions", op.cookie,
                             {{"Origin", "http://127.0.0.1:1"}}, submit);
  CHECK(forged.status == 403);
  // Even with the token (it cannot read it, but say it guessed), another origin is refused.
  auto other_site =
      browser_call(n, "POST", "/v1/submissions", op.cookie,
                   {{"X-CSRF-Token", op.csrf}, {"Origin", "http://evil.example"}}, submit);
  CHECK(other_site.status == 403);
  CHECK(other_site.body.at("error").at("message").get<std::string>().find("another site") !=
        std::string::npos);
  CHECK(browser_call(n, "POST", "/v1/submissions", op.cookie,
                     {{"X-CSRF-Token", op.csrf}, {"Origin", "null"}}, submit)
            .status == 403);
  CHECK(browser_call(n, "POST", "/v1/submissions", op.cookie, {{"X-CSRF-Token", "x" + op.csrf}},
                     submit)
            .status == 403);
  CHECK(job_count(n) == 0); // nothing refused was stored

  auto ok = browser_call(n, "POST", "/v1/submissions", op.cookie, writes_from_page(n, op), submit);
  CHECK(ok.status == 202);
  CHECK(job_count(n) == 1);

  // A viewer's session may read but not write, whatever it sends.
  auto viewer = sign_in(n, n.acme_viewer);
  auto refused =
      browser_call(n, "POST", "/v1/submissions", viewer.cookie, writes_from_page(n, viewer),
                   nlohmann::json{{"url", "http://127.0.0.1:9/videos/v"}}.dump());
  CHECK(refused.status == 403);
  CHECK(job_count(n) == 1);
  // One session's CSRF token is no good for another session.
  CHECK(browser_call(n, "POST", "/v1/submissions", op.cookie, writes_from_page(n, viewer),
                     nlohmann::json{{"url", "http://127.0.0.1:9/videos/w"}}.dump())
            .status == 403);

  // Signing in from another site's page is refused too (no logging a victim in as someone).
  CHECK(browser_call(n, "POST", "/v1/session", {}, {{"Origin", "http://evil.example"}},
                     nlohmann::json{{"token", n.acme_operator}}.dump())
            .status == 403);
  // API clients with a bearer token send no cookie and need no CSRF token.
  CHECK(n.call("POST", "/v1/submissions", n.acme_operator,
               nlohmann::json{{"url", "http://127.0.0.1:9/videos/api"}}.dump())
            .status == 202);
}

TEST_CASE("the page's event stream works with the session and ends when it is signed out") {
  api_node n;
  auto s = sign_in(n, n.acme_viewer);
  event_stream live{n.port, httplib::Headers{{"Cookie", s.cookie}}};
  REQUIRE(live.wait_for(": vfb events of acme/main"));
  auto first = n.submit(n.acme_operator, "a");
  CHECK(live.wait_for("\"job_id\":" + std::to_string(first)));
  n.wait_ended(first);
  REQUIRE(browser_call(n, "DELETE", "/v1/session", s.cookie, writes_from_page(n, s)).status == 200);
  // The caller is checked before each write: the next event ends the stream unsent.
  auto second = n.submit(n.acme_operator, "b");
  n.wait_ended(second);
  CHECK(live.wait_ended() == 200);
  CHECK(live.seen().find("\"job_id\":" + std::to_string(second)) == std::string::npos);
}

TEST_CASE("revoking a token ends its sessions at once") {
  api_node n;
  auto t = n.tokens->create("acme", "main", token_role::operator_, "laptop", 1);
  auto s = sign_in(n, t.token);
  CHECK(browser_call(n, "GET", "/v1/overview", s.cookie).status == 200);
  n.tokens->revoke(t.record.id, 2);
  auto r = browser_call(n, "GET", "/v1/overview", s.cookie);
  CHECK(r.status == 401);
  CHECK(r.body.at("error").at("message").get<std::string>().find("revoked") != std::string::npos);
}

TEST_CASE("with [api] public_url, its origin may write and the cookie is Secure for https") {
  api_node n{64 * 1024, [](vfb_config& c) { c.api.public_url = "https://vfb.example.org"; }};
  auto s = sign_in(n, n.acme_operator);
  CHECK(s.set_cookie.find("; Secure") != std::string::npos);
  auto r = browser_call(n, "POST", "/v1/submissions", s.cookie,
                        {{"X-CSRF-Token", s.csrf}, {"Origin", "https://vfb.example.org"}},
                        nlohmann::json{{"url", "http://127.0.0.1:9/videos/p"}}.dump());
  CHECK(r.status == 202);
  CHECK(browser_call(n, "POST", "/v1/submissions", s.cookie,
                     {{"X-CSRF-Token", s.csrf}, {"Origin", "https://vfb.example.org.evil.example"}},
                     nlohmann::json{{"url", "http://127.0.0.1:9/videos/q"}}.dump())
            .status == 403);
}

TEST_CASE("the page is served from the binary with a strict CSP; its addresses serve the page") {
  api_node n;
  auto page = browser_call(n, "GET", "/", {});
  REQUIRE(page.status == 200);
  CHECK(header(page, "Content-Type").find("text/html") != std::string::npos);
  auto csp = header(page, "Content-Security-Policy");
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  CHECK(csp.find("script-src 'self';") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(csp.find("unsafe") == std::string::npos);
  CHECK(header(page, "X-Content-Type-Options") == "nosniff");
  CHECK(header(page, "X-Frame-Options") == "DENY");
  // The API's answers carry them too.
  CHECK(header(n.call("GET", "/v1/jobs", n.acme_viewer), "X-Content-Type-Options") == "nosniff");

  for (const char* path : {"/jobs/17", "/search", "/follows", "/submit", "/signin"}) {
    auto r = browser_call(n, "GET", path, {});
    CHECK(r.status == 200);
    CHECK(r.text == page.text);
  }
  // An address nothing knows: the page (it shows "Not found") with 404 for a browser, the API's
  // JSON error for anything else and under /v1/.
  auto missing = browser_call(n, "GET", "/nowhere", {}, {{"Accept", "text/html,*/*"}});
  CHECK(missing.status == 404);
  CHECK(missing.text == page.text);
  auto api_missing = browser_call(n, "GET", "/v1/nowhere", {}, {{"Accept", "text/html"}});
  CHECK(api_missing.status == 404);
  CHECK(api_missing.body.at("error").at("code") == "not_found");
  CHECK(browser_call(n, "GET", "/nowhere", {}).body.at("error").at("code") == "not_found");

  // Every file of web/ is in the binary, as it is on disk, with its type.
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(VFB_SOURCE_DIR "/web")) {
    if (!e.is_regular_file())
      continue;
    auto rel = fs::relative(e.path(), VFB_SOURCE_DIR "/web").generic_string();
    if (rel == "index.html" || rel[0] == '.' || rel.find("/.") != std::string::npos)
      continue; // the page itself, and hidden files the build leaves out
    std::ostringstream disk;
    disk << std::ifstream{e.path(), std::ios::binary}.rdbuf();
    auto r = browser_call(n, "GET", "/" + rel, {});
    INFO(rel);
    CHECK(r.status == 200);
    CHECK(r.text == disk.str());
    CHECK(header(r, "Content-Type") == std::string{web_content_type(rel)});
    ++files;
  }
  CHECK(files >= 3); // a script, a style sheet, an icon at least
  CHECK(browser_call(n, "GET", "/assets/nothing.js", {}).status == 404);
  CHECK(browser_call(n, "GET", "/assets/../CMakeLists.txt", {}).status == 404);
  CHECK(browser_call(n, "GET", "/assets/%2e%2e/index.html", {}).status == 404);
}

TEST_CASE("the page's HTML has no inline script, handler or style (the CSP would block them)") {
  // Checked on the files, so that a slip shows here and not only as a blank page.
  const std::regex inline_script{R"(<script(?![^>]*\bsrc=)[^>]*>)", std::regex::icase};
  const std::regex handler{R"(<[^>]*\son[a-z]+\s*=)", std::regex::icase};
  const std::regex style_attr{R"(<[^>]*\sstyle\s*=)", std::regex::icase};
  const std::regex style_block{R"(<style[\s>])", std::regex::icase};
  size_t pages = 0;
  for (const auto& e : fs::recursive_directory_iterator(VFB_SOURCE_DIR "/web")) {
    if (e.path().extension() != ".html")
      continue;
    std::ostringstream html;
    html << std::ifstream{e.path()}.rdbuf();
    INFO(e.path().string());
    CHECK_FALSE(std::regex_search(html.str(), inline_script));
    CHECK_FALSE(std::regex_search(html.str(), handler));
    CHECK_FALSE(std::regex_search(html.str(), style_attr));
    CHECK_FALSE(std::regex_search(html.str(), style_block));
    ++pages;
  }
  CHECK(pages >= 1);
}

TEST_CASE("the overview shows the workspace's counts, jobs in flight, failures and follows") {
  node_extras held;
  held.hold_stages = true;
  api_node n{64 * 1024, {}, {}, held};
  auto failed = n.submit(n.acme_operator, "private");
  n.wait_ended(failed);
  auto running = n.submit(n.acme_operator, "talk");
  REQUIRE(n.call("POST", "/v1/follows", n.acme_operator, R"({"url": "http://127.0.0.1:9/feed"})")
              .status == 202);
  auto s = sign_in(n, n.acme_viewer);

  // The held job is leased when its download stage starts.
  bool started = false;
  n.self->receive_while([&] { return !started; })(
      [&](const pipeline_event& ev) {
        started = ev.job_id == running && ev.kind == progress_kind::started;
      },
      caf::after(std::chrono::minutes{1}) >> [] { FAIL("the held job did not start"); });
  // The API's own subscriber (its counters) hears of the start on another thread: ask again
  // until it has (a request takes a millisecond; the deadline is only a safety net).
  nlohmann::json o;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes{1};
  do
    o = browser_call(n, "GET", "/v1/overview", s.cookie).body;
  while (o.at("in_flight").size() == 1 && o.at("in_flight")[0].at("stages").is_null() &&
         std::chrono::steady_clock::now() < deadline);
  CHECK(o.at("tenant") == "acme");
  CHECK(o.at("counts").at("failed") == 1);
  CHECK(o.at("counts").at("leased") == 1);
  REQUIRE(o.at("in_flight").size() == 1);
  CHECK(o.at("in_flight")[0].at("id") == running);
  CHECK(o.at("in_flight")[0].at("stages").at("stage") == "download");
  REQUIRE(o.at("recent").size() == 2); // newest first, with results once downloaded
  CHECK(o.at("recent")[0].at("id") == running);
  CHECK(o.at("recent")[1].at("id") == failed);
  REQUIRE(o.at("failures").size() == 1);
  CHECK(o.at("failures")[0].at("id") == failed);
  CHECK(o.at("failures")[0].at("error").get<std::string>().find("Private video") !=
        std::string::npos);
  REQUIRE(o.at("follows_due").size() == 1);
  CHECK(o.at("follows_due")[0].at("channel_url") == "http://127.0.0.1:9/feed");
  CHECK(o.at("breakers").empty());
  CHECK(o.at("auto_follow").at("setting") == "inherit");

  // Another tenant sees none of it.
  auto other = n.call("GET", "/v1/overview", n.other_operator).body;
  CHECK(other.at("counts").at("failed") == 0);
  CHECK(other.at("in_flight").empty());
  CHECK(other.at("failures").empty());
  CHECK(other.at("recent").empty());
  CHECK(other.at("follows_due").empty());
  n.release_stages.set_value();
  n.wait_ended(running);
}

TEST_CASE("follows pause and resume by operators of their workspace") {
  api_node n;
  auto f = n.call("POST", "/v1/follows", n.acme_operator, R"({"url": "http://127.0.0.1:9/feed"})");
  REQUIRE(f.status == 202);
  auto id = std::to_string(f.body.at("follow").at("id").get<uint64_t>());
  auto paused = n.call("POST", "/v1/follows/" + id + "/pause", n.acme_operator);
  CHECK(paused.status == 200);
  CHECK(paused.body.at("paused") == true);
  CHECK(n.call("GET", "/v1/follows", n.acme_viewer).body.at("follows")[0].at("paused") == true);
  CHECK(n.call("POST", "/v1/follows/" + id + "/resume", n.acme_viewer).status == 403);
  CHECK(n.call("POST", "/v1/follows/" + id + "/resume", n.other_operator).status == 404);
  auto resumed = n.call("POST", "/v1/follows/" + id + "/resume", n.acme_operator);
  CHECK(resumed.status == 200);
  CHECK(resumed.body.at("paused") == false);
  CHECK(n.call("POST", "/v1/follows/999/pause", n.acme_operator).status == 404);
}

TEST_CASE("jobs list newest first on request; a transcript's JSON links each line's moment") {
  api_node n;
  auto a = n.submit(n.acme_operator, "first");
  auto b = n.submit(n.acme_operator, "second");
  n.wait_ended(a);
  n.wait_ended(b);
  auto newest = n.call("GET", "/v1/jobs?order=newest&limit=1", n.acme_viewer);
  REQUIRE(newest.body.at("jobs").size() == 1);
  CHECK(newest.body.at("jobs")[0].at("id") == b);
  auto done = n.call("GET", "/v1/jobs?order=newest&state=done", n.acme_viewer).body.at("jobs");
  REQUIRE(done.size() == 2);
  CHECK(done[0].at("id") == b);
  CHECK(done[1].at("id") == a);
  CHECK(n.call("GET", "/v1/jobs?order=sideways", n.acme_viewer).status == 400);

  auto t = n.call("GET", "/v1/jobs/" + std::to_string(a) + "/transcript.json", n.acme_viewer);
  REQUIRE(t.status == 200);
  auto segments = t.body.at("segments");
  REQUIRE(segments.size() == 2);
  // Not YouTube: the media URL with a #t= fragment at the line's second.
  CHECK(segments[0].at("moment_url") == "http://127.0.0.1:9/videos/first#t=0");
  CHECK(segments[1].at("moment_url") == "http://127.0.0.1:9/videos/first#t=2");
}
