// yt-dlp's version, the arguments chosen by it, tools.ytdlp_args, and which yt-dlp and Deno are
// found. The programs here are scripts written by the test that print what yt-dlp and Deno print.
#include "adapters/ytdlp_tools.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

fs::path script(const fs::path& dir, const std::string& name, const std::string& prints) {
  fs::create_directories(dir);
  auto p = dir / name;
  std::ofstream(p) << "#!/bin/sh\nprintf '%s\\n' '" << prints << "'\n";
  ::chmod(p.c_str(), 0755);
  return p;
}

} // namespace

TEST_CASE("yt-dlp versions: stable, nightly, same-day revisions, and nothing else") {
  auto v = parse_ytdlp_version("2026.08.19\n");
  REQUIRE(v);
  CHECK(v->year == 2026);
  CHECK(v->month == 8);
  CHECK(v->day == 19);
  CHECK(v->build == 0);
  CHECK(v->text == "2026.08.19");
  auto nightly = parse_ytdlp_version("2026.08.30.232658");
  REQUIRE(nightly);
  CHECK(nightly->build == 232658);
  CHECK(*v < *nightly);
  CHECK(*parse_ytdlp_version("2023.03.04") < ytdlp_release::youtube_channel_pages);
  CHECK(*parse_ytdlp_version("2026.07.04") >= ytdlp_release::youtube_channel_pages);
  CHECK(*parse_ytdlp_version("2026.07.04.1") >= ytdlp_release::youtube_channel_pages);
  CHECK(*parse_ytdlp_version("2025.11.12") >= ytdlp_release::js_runtimes);
  CHECK(*parse_ytdlp_version("2025.10.22") < ytdlp_release::js_runtimes);
  for (auto bad : {"", "yt-dlp 2026.08.19", "2026.13.01", "2026.08", "2026.08.19x", "v1.2.3",
                   "Traceback (most recent call last):"})
    CHECK_FALSE(parse_ytdlp_version(bad));
}

TEST_CASE("Deno versions") {
  auto v = parse_deno_version("deno 2.9.6 (stable, release, x86_64-unknown-linux-gnu)\nv8 15.0\n");
  REQUIRE(v);
  CHECK(v->major == 2);
  CHECK(v->minor == 9);
  CHECK(v->patch == 6);
  CHECK(*parse_deno_version("deno 2.2.9") < min_deno);
  CHECK_FALSE(*parse_deno_version("deno 2.3.0") < min_deno);
  CHECK_FALSE(parse_deno_version("node v22.1.0"));
  CHECK_FALSE(parse_deno_version("deno 2.x"));
}

TEST_CASE("a JS runtime is passed only to a yt-dlp that knows --js-runtimes, and only if found") {
  auto old = parse_ytdlp_version("2023.03.04");
  auto now = parse_ytdlp_version("2026.08.19");
  std::vector<std::string> user{"--proxy", "socks5://127.0.0.1:9"};
  CHECK(ytdlp_args_for(old, "deno:/opt/deno", user) == user);
  CHECK(ytdlp_args_for(now, "", user) == user);
  CHECK(ytdlp_args_for(std::nullopt, "deno:/opt/deno", {}).empty());
  CHECK(ytdlp_args_for(now, "deno:/opt/deno", user) ==
        std::vector<std::string>{"--js-runtimes", "deno:/opt/deno", "--proxy",
                                 "socks5://127.0.0.1:9"});
}

TEST_CASE("tools.ytdlp_args: words as a shell splits them, nothing expanded, vfb's own refused") {
  CHECK(split_ytdlp_args("").empty());
  CHECK(split_ytdlp_args("  --cookies /etc/vfb/c.txt\t--sleep-requests 1 ") ==
        std::vector<std::string>{"--cookies", "/etc/vfb/c.txt", "--sleep-requests", "1"});
  CHECK(split_ytdlp_args(R"(--extractor-args "youtube:po_token=web.gvs+A B" --proxy '' x\ y)") ==
        std::vector<std::string>{"--extractor-args", "youtube:po_token=web.gvs+A B", "--proxy", "",
                                 "x y"});
  CHECK(split_ytdlp_args(R"x('$HOME' "$(id)" `id`)x") ==
        std::vector<std::string>{"$HOME", "$(id)", "`id`"});
  CHECK_THROWS_WITH(split_ytdlp_args("--proxy 'socks5://x"), Catch::Contains("unclosed"));
  for (auto bad : {"-o /tmp/x", "--output=/tmp/x", "--exec 'rm -rf /'", "-j", "--print id",
                   "--config-locations /etc", "-a list.txt", "--", "-o/tmp/x", "-P/x",
                   "--exec-before-download id", "--netrc-cmd id", "-qj"})
    CHECK_THROWS_WITH(split_ytdlp_args(bad), Catch::Contains("vfb chooses it"));
}

TEST_CASE("the managed yt-dlp wins over PATH, and a configured path is used as it is") {
  test::temp_dir dir;
  auto managed = dir / "data" / "tools" / "bin";
  ytdlp_tools t;
  t.js_runtime = "none";
  t.managed_dir = managed;
  t.program = "vfb-test-no-such-yt-dlp";
  auto s = locate_ytdlp(t);
  CHECK(s.origin == "not found");
  CHECK_FALSE(s.version);

  script(managed, "vfb-test-no-such-yt-dlp", "2026.08.19");
  s = locate_ytdlp(t);
  CHECK(s.origin == "managed");
  CHECK(s.program == (managed / "vfb-test-no-such-yt-dlp").string());
  REQUIRE(s.version);
  CHECK(s.version->text == "2026.08.19");

  auto other = script(dir / "elsewhere", "yt-dlp", "2023.03.04");
  t.program = other.string();
  s = locate_ytdlp(t);
  CHECK(s.origin == "configured");
  CHECK(s.version->text == "2023.03.04");

  // A replaced file is probed again: an update is seen at once.
  script(dir / "elsewhere", "yt-dlp", "not a version at all, longer than before");
  s = locate_ytdlp(t);
  CHECK_FALSE(s.version);
  CHECK_THAT(s.version_problem, Catch::Contains("unrecognised version"));
}

TEST_CASE("a --version run that failed is tried again, not remembered") {
  test::temp_dir dir;
  // Fails once (a busy host, a slow start), then answers: the same file both times.
  auto p = dir / "yt-dlp";
  std::ofstream(p) << "#!/bin/sh\nif [ ! -e \"$0.ran\" ]; then : > \"$0.ran\"; exit 1; fi\n"
                   << "echo 2026.11.30\n";
  ::chmod(p.c_str(), 0755);
  ytdlp_tools t;
  t.program = p.string();
  t.js_runtime = "none";
  CHECK_FALSE(locate_ytdlp(t).version);
  auto again = locate_ytdlp(t);
  REQUIRE(again.version);
  CHECK(again.version->text == "2026.11.30");
}

TEST_CASE("a Deno too old for yt-dlp is passed over, and a new one goes to a new yt-dlp") {
  test::temp_dir dir;
  auto managed = dir / "tools" / "bin";
  auto ytdlp = script(dir / "y", "yt-dlp", "2026.08.19");
  ytdlp_tools t;
  t.program = ytdlp.string();
  t.managed_dir = managed;
  script(managed, "deno", "deno 2.2.0 (stable, release, x86_64-unknown-linux-gnu)");
  auto s = locate_ytdlp(t);
  CHECK(s.js_runtime.rfind("deno:" + (managed / "deno").string(), 0) != 0);
  // (A longer line: a same-size file in the same instant could look unchanged.)
  script(managed, "deno", "deno 2.10.0 (stable, release, x86_64-unknown-linux-gnu)");
  s = locate_ytdlp(t);
  CHECK(s.js_runtime == "deno:" + (managed / "deno").string());
  CHECK(s.args == std::vector<std::string>{"--js-runtimes", s.js_runtime});
  t.js_runtime = "none";
  CHECK(locate_ytdlp(t).args.empty());
  t.js_runtime = "node:/opt/node/bin";
  CHECK(locate_ytdlp(t).args == std::vector<std::string>{"--js-runtimes", "node:/opt/node/bin"});
}
