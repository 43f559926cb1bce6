// URL canonicalisation decides job identity (dedupe) and what the node may fetch (SSRF), so
// both the accepted forms and every rejection are pinned down here.
#include "adapters/source_url.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

namespace {

source_ref accept(const std::string& url, const url_policy& p = {}) {
  auto r = canonicalize_url(url, p);
  INFO(url << " -> " << r.error);
  REQUIRE(r.ok);
  return r.ref;
}

std::string reject(const std::string& url, const url_policy& p = {}) {
  auto r = canonicalize_url(url, p);
  INFO(url);
  REQUIRE_FALSE(r.ok);
  REQUIRE_FALSE(r.error.empty());
  return r.error;
}

} // namespace

TEST_CASE("every YouTube video URL form maps to one identity") {
  for (auto url :
       {"https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "http://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42",
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ#comments", "https://youtu.be/dQw4w9WgXcQ?si=abc",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://WWW.YouTube.COM/live/dQw4w9WgXcQ",
        "  https://music.youtube.com/watch?v=dQw4w9WgXcQ\n"}) {
    auto ref = accept(url);
    CHECK(ref.source == "youtube");
    CHECK(ref.external_id == "dQw4w9WgXcQ");
    CHECK(ref.canonical_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
  }
}

TEST_CASE("YouTube URLs that name no single video are rejected") {
  CHECK_THAT(reject("https://www.youtube.com/@somechannel"), Catch::Contains("no video id"));
  CHECK_THAT(reject("https://www.youtube.com/watch?list=PL123"), Catch::Contains("no video id"));
  CHECK_THAT(reject("https://www.youtube.com/watch?v=short"), Catch::Contains("malformed"));
  CHECK_THAT(reject("https://youtu.be/dQw4w9WgXc!"), Catch::Contains("malformed"));
}

TEST_CASE("generic URLs are normalised: scheme and host case, default port, fragment") {
  auto ref = accept("HTTPS://Example.COM:443/Videos/Clip.mp4?b=2&a=1#t=10");
  CHECK(ref.source == "generic");
  CHECK(ref.canonical_url == "https://example.com/Videos/Clip.mp4?b=2&a=1");
  CHECK(ref.external_id == ref.canonical_url);
  CHECK(accept("http://example.com").canonical_url == "http://example.com/");
  CHECK(accept("http://example.com.:8080/x").canonical_url == "http://example.com:8080/x");
  CHECK(accept("http://example.com:80/x").canonical_url == "http://example.com/x");
}

TEST_CASE("malformed URLs get a reason") {
  CHECK_THAT(reject(""), Catch::Contains("empty"));
  CHECK_THAT(reject("   "), Catch::Contains("empty"));
  CHECK_THAT(reject("example.com/video"), Catch::Contains("not a URL"));
  CHECK_THAT(reject("ftp://example.com/x"), Catch::Contains("scheme"));
  CHECK_THAT(reject("file:///etc/passwd"), Catch::Contains("scheme"));
  CHECK_THAT(reject("https:///path"), Catch::Contains("no host"));
  CHECK_THAT(reject("https://exa mple.com/"), Catch::Contains("space"));
  CHECK_THAT(reject("https://example.com/\x01"), Catch::Contains("control"));
  CHECK_THAT(reject("https://ex_ample.com/"), Catch::Contains("malformed host"));
  CHECK_THAT(reject("https://example.com:99999/"), Catch::Contains("port"));
  CHECK_THAT(reject("https://example.com:0/"), Catch::Contains("port"));
  CHECK_THAT(reject("https://example.com:12a/"), Catch::Contains("port"));
  CHECK_THAT(reject("https://[::1/"), Catch::Contains("IPv6"));
  CHECK_THAT(reject("https://user:pw@example.com/"), Catch::Contains("credentials"));
  CHECK_THAT(reject("https://example.com/" + std::string(3000, 'a')), Catch::Contains("longer"));
  // An option-looking URL must never reach yt-dlp as an option.
  CHECK_THAT(reject("--exec=rm -rf /"), Catch::Contains("space"));
  CHECK_THAT(reject("--exec=id"), Catch::Contains("not a URL"));
}

TEST_CASE("local and private hosts are refused unless loopback is allowed") {
  for (auto url : {"http://localhost/x", "http://LOCALHOST:8080/x", "http://127.0.0.1/x",
                   "http://127.1.2.3:9/x", "http://[::1]/x", "http://10.0.0.7/x",
                   "http://192.168.1.1/x", "http://172.16.0.1/x", "http://169.254.169.254/x",
                   "http://0.0.0.0/x", "http://printer.local/x", "http://[fd00::1]/x",
                   "http://[::ffff:127.0.0.1]/x", "http://a.localhost/x"})
    CHECK_THAT(reject(url), Catch::Contains("local or private"));
  // Near misses are public.
  for (auto url : {"http://172.32.0.1/x", "http://11.0.0.1/x", "http://localhost.example.com/x",
                   "http://1270.0.0.1/x"})
    accept(url);
  url_policy loopback;
  loopback.allow_loopback = true;
  CHECK(accept("http://127.0.0.1:8765/channel/v1.mp4", loopback).canonical_url ==
        "http://127.0.0.1:8765/channel/v1.mp4");
}

TEST_CASE("every spelling the resolver accepts for a non-public address is refused") {
  // glibc's inet_aton (getaddrinfo, curl, Python and so yt-dlp) reads all of these as
  // 127.0.0.1, 10.0.0.1 or 0.0.0.0; inet_pton reads the IPv6 ones.
  for (auto url : {"http://127.1/",
                   "http://2130706433/",
                   "http://0x7f000001/",
                   "http://0/",
                   "http://017700000001/",
                   "http://0177.0.0.1/",
                   "http://0x7f.0.0.1/",
                   "http://127.0.1/",
                   "http://0xA000001/",
                   "http://10.1/",
                   "http://167772161/",
                   "http://127.0.0.1./",
                   "http://[0:0:0:0:0:0:0:1]/",
                   "http://[0000::0001]/",
                   "http://[::]/",
                   "http://[::ffff:7f00:1]/",
                   "http://[::FFFF:10.0.0.1]/",
                   "http://[::ffff:c0a8:101]/",
                   "http://[::127.0.0.1]/",
                   "http://[64:ff9b::a9fe:a9fe]/",
                   "http://[2002:7f00:1::]/",
                   "http://[fe80::1]/",
                   "http://[FEBF::1]/",
                   "http://[fc00::5]/",
                   "http://[ff02::1]/",
                   "http://100.64.0.1/",
                   "http://224.0.0.1/",
                   "http://255.255.255.255/",
                   "http://198.18.0.1/",
                   "http://192.0.0.8/"})
    CHECK_THAT(reject(url), Catch::Contains("local or private"));
  // Public addresses in odd spellings stay public; malformed IPv6 literals are refused.
  for (auto url : {"http://0x08080808/", "http://134744072/", "http://8.8.8.8/",
                   "http://[2001:4860:4860::8888]/", "http://[::ffff:8.8.8.8]/",
                   "http://[2002:808:808::]/", "http://1e100.net/"})
    accept(url);
  CHECK_THAT(reject("http://[::1::2]/"), Catch::Contains("malformed IPv6"));
  CHECK_THAT(reject("http://[fe80::1%25eth0]/"), Catch::Contains("malformed IPv6"));
  CHECK_THAT(reject("http://[127.0.0.1]/"), Catch::Contains("malformed IPv6"));
  // ... and the loopback spellings are recognised as loopback (fetched without a proxy).
  for (auto url :
       {"http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://017700000001/",
        "http://[0:0:0:0:0:0:0:1]/", "http://[::ffff:7f00:1]/", "http://localhost./"})
    CHECK(is_loopback_url(url));
  CHECK_FALSE(is_loopback_url("http://[::ffff:10.0.0.1]/"));
}

TEST_CASE("allowed_hosts limits submissions to listed domains and their subdomains") {
  url_policy p;
  p.allowed_hosts = {"youtube.com", "youtu.be", "Vimeo.com"};
  accept("https://www.youtube.com/watch?v=dQw4w9WgXcQ", p);
  accept("https://youtu.be/dQw4w9WgXcQ", p);
  accept("https://player.vimeo.com/video/1", p);
  CHECK_THAT(reject("https://example.com/v.mp4", p), Catch::Contains("allowed_hosts"));
  CHECK_THAT(reject("https://notyoutube.com/watch?v=dQw4w9WgXcQ", p),
             Catch::Contains("allowed_hosts"));
}

TEST_CASE("loopback URLs are recognised, so tools fetch them without a proxy") {
  CHECK(is_loopback_url("http://127.0.0.1:8080/media/a.mp4"));
  CHECK(is_loopback_url("http://127.1.2.3/x"));
  CHECK(is_loopback_url("http://localhost:99/x"));
  CHECK(is_loopback_url("http://LocalHost/x"));
  CHECK(is_loopback_url("http://[::1]:8080/x"));
  CHECK_FALSE(is_loopback_url("https://www.youtube.com/watch?v=abc"));
  CHECK_FALSE(is_loopback_url("http://10.0.0.1/x"));
  CHECK_FALSE(is_loopback_url("http://127.0.0.1.example.com/x"));
  CHECK_FALSE(is_loopback_url("not a url"));
}

TEST_CASE("a moment link plays the video from that second") {
  CHECK(moment_url("youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                   61'999) == "https://youtu.be/dQw4w9WgXcQ?t=61");
  CHECK(moment_url("generic", "talk", "https://example.org/talk.mp4", 5'000) ==
        "https://example.org/talk.mp4#t=5");
  CHECK(moment_url("generic", "talk", "https://example.org/v#old", 0) ==
        "https://example.org/v#t=0"); // a fragment is replaced
  CHECK(moment_url("generic", "talk", "https://example.org/v", -5) == "https://example.org/v#t=0");
  CHECK(moment_url("generic", "talk", "", 1000).empty());
}
