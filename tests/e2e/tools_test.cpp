// `vfb doctor` and `vfb tools update` as a user runs them, against a release server on
// loopback that lays out a release as yt-dlp's GitHub releases do: the files and SHA2-256SUMS
// under /releases/download/TAG, and /releases/latest/download/FILE redirecting there.
#include "actors/node.hpp"
#include "adapters/process.hpp"
#include "adapters/tool_update.hpp"
#include "adapters/ytdlp_tools.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/media_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/release_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace vfb;
using namespace vfb::test::releases;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

test::process_result run_vfb(const fs::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{VFB_BINARY, "--data-dir", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run_process(argv, {{"VFB_CONFIG", "/dev/null"}, {"VFB_DATA_DIR", ""}});
}

std::string read(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

} // namespace

TEST_CASE("SHA2-256SUMS lines name each file exactly") {
  auto sum = std::string(64, 'a');
  auto sums = std::string(64, 'b') + "  yt-dlp_linux\n" + sum + "  yt-dlp\n" +
              std::string(64, 'c') + " *yt-dlp.exe\nnot a line\n";
  CHECK(checksum_for(sums, "yt-dlp") == sum);
  CHECK(checksum_for(sums, "yt-dlp.exe") == std::string(64, 'c'));
  CHECK_FALSE(checksum_for(sums, "yt-dlp_macos"));
  CHECK_FALSE(checksum_for(sums, "yt"));
  CHECK_FALSE(checksum_for(std::string(63, 'a') + "  yt-dlp\n", "yt-dlp"));
  CHECK_FALSE(checksum_for(std::string(64, 'z') + "  yt-dlp\n", "yt-dlp"));
}

TEST_CASE("release redirects are followed, but never from https down to http") {
  CHECK(redirect_target("https://github.com/yt-dlp/yt-dlp/releases/latest/download/yt-dlp",
                        "https://github.com/yt-dlp/yt-dlp/releases/download/2026.11.30/yt-dlp") ==
        "https://github.com/yt-dlp/yt-dlp/releases/download/2026.11.30/yt-dlp");
  CHECK(redirect_target("https://a.example/x/y", "/z") == "https://a.example/z");
  CHECK(redirect_target("https://a.example/x/y", "//cdn.example/z") == "https://cdn.example/z");
  CHECK(redirect_target("http://127.0.0.1:5/a", "https://b.example/c") == "https://b.example/c");
  CHECK_THROWS_WITH(redirect_target("https://a.example/x", "http://a.example/x"),
                    Catch::Contains("from https to plain http"));
  CHECK_THROWS_WITH(redirect_target("https://a.example/x", "file:///etc/passwd"),
                    Catch::Contains("not http(s)"));
}

TEST_CASE("vfb tools update installs a verified release, which vfb prefers and doctor shows") {
  REQUIRE(sodium_init() >= 0);
  release_server rel;
  test::temp_dir data;
  auto set_url = "tools.release_url=" + rel.url();
  auto managed = data / "tools" / "bin" / "yt-dlp";
  auto version = recent_version();
  rel.publish(version, "yt-dlp", fake_ytdlp(version));

  auto r = run_vfb(data.path(), {"--set", set_url, "tools", "update", "--json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = json::parse(r.out);
  CHECK(j["replaced"] == true);
  CHECK(j["version"] == version);
  CHECK(j["previous"].is_null());
  CHECK(read(managed) == fake_ytdlp(version));
  CHECK((fs::status(managed).permissions() & fs::perms::owner_exec) != fs::perms::none);

  // vfb runs the managed copy in preference to the one on PATH.
  auto doc = json::parse(run_vfb(data.path(), {"doctor", "--json"}).out);
  auto ytdlp = doc["checks"][0];
  CHECK(ytdlp["check"] == "yt-dlp");
  CHECK(ytdlp["status"] == "ok");
  CHECK_THAT(ytdlp["detail"].get<std::string>(),
             Catch::Contains(version) && Catch::Contains("managed: " + managed.string()));

  // The same release again: nothing to do.
  r = run_vfb(data.path(), {"--set", set_url, "tools", "update"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("current release already"));

  SECTION("a download that does not match its checksum replaces nothing") {
    rel.publish("2099.01.01", "yt-dlp", fake_ytdlp("2099.01.01"),
                sha256("something else") + "  yt-dlp\n");
    r = run_vfb(data.path(), {"--set", set_url, "tools", "update"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("does not match SHA2-256SUMS") &&
                          Catch::Contains("nothing was replaced"));
    CHECK(read(managed) == fake_ytdlp(version));
  }
  SECTION("a release without our asset, or one that does not run, replaces nothing") {
    rel.publish("2099.01.02", "yt-dlp", fake_ytdlp("2099.01.02"), sha256("x") + "  yt-dlp_linux\n");
    r = run_vfb(data.path(), {"--set", set_url, "tools", "update"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("names no file 'yt-dlp'"));
    rel.publish("2099.01.03", "yt-dlp", "#!/bin/sh\necho Traceback; exit 1\n");
    r = run_vfb(data.path(), {"--set", set_url, "tools", "update"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("does not run as yt-dlp"));
    CHECK(read(managed) == fake_ytdlp(version));
  }
  SECTION("the release server is down: a clear error, nothing replaced") {
    // Port 1 takes a root-owned listener; nothing listens there.
    r = run_vfb(data.path(),
                {"--set", "tools.release_url=http://127.0.0.1:1/latest", "tools", "update"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("cannot fetch") && Catch::Contains("nothing was replaced"));
    CHECK(read(managed) == fake_ytdlp(version));
  }
  // No download is ever left half-written next to the installed copy.
  for (const auto& e : fs::directory_iterator(managed.parent_path()))
    CHECK(e.path().filename() == "yt-dlp");
}

TEST_CASE(
    "vfb doctor on this machine: one line per check, the fix, exit 1 when a tool is missing") {
  test::temp_dir data;
  auto r = run_vfb(data.path(), {"doctor"});
  INFO(r.out << r.err);
  for (auto check : {"yt-dlp:", "javascript runtime:", "ffmpeg:", "ffprobe:", "speech recognition:",
                     "speaker adaptation:", "data dir:", "discord interactions:", "http api:"})
    CHECK_THAT(r.out, Catch::Contains(check));
  // Debian bookworm's yt-dlp (2023.03.04) is too old for YouTube's channel pages: said so.
  auto real = find_program("yt-dlp");
  REQUIRE(real);
  auto version = test::run_process(std::vector<std::string>{real->string(), "--version"}, {}).out;
  if (parse_ytdlp_version(version) &&
      *parse_ytdlp_version(version) < ytdlp_release::youtube_channel_pages) {
    CHECK_THAT(r.out, Catch::Contains("warn  yt-dlp: " + parse_ytdlp_version(version)->text +
                                      " (PATH: " + real->string() + ") is older than 2026.07.04"));
    CHECK_THAT(r.out, Catch::Contains("fix: run `vfb tools update`"));
  }
  CHECK(r.exit_code == 0); // warnings only: every required tool is there

  auto missing = run_vfb(data.path(), {"--set", "tools.ffmpeg=/nonexistent/ffmpeg", "--set",
                                       "tools.ytdlp=/nonexistent/yt-dlp", "doctor", "--json"});
  CHECK(missing.exit_code == 1);
  auto j = json::parse(missing.out);
  CHECK(j["ok"] == false);
  std::map<std::string, std::string> status;
  for (const auto& c : j["checks"])
    status[c["check"]] = c["status"];
  CHECK(status["yt-dlp"] == "fail");
  CHECK(status["ffmpeg"] == "fail");
  CHECK(status["speech recognition"] == "ok");
  CHECK(status["speaker adaptation"] == "ok"); // scripts/setup installs sphinxtrain

  // Adaptation switched off says so; an external transcriber does not adapt: no line.
  auto off = json::parse(
      run_vfb(data.path(), {"--set", "speech.adaptation=false", "doctor", "--json"}).out);
  auto external =
      json::parse(run_vfb(data.path(), {"--set", "speech.external_command=whisper-cli {wav}",
                                        "doctor", "--json"})
                      .out);
  for (const auto& c : off["checks"])
    if (c["check"] == "speaker adaptation")
      CHECK_THAT(c["detail"].get<std::string>(), Catch::StartsWith("off"));
  for (const auto& c : external["checks"])
    CHECK(c["check"] != "speaker adaptation");

  // A configured runtime is checked, not trusted.
  auto runtime = json::parse(
      run_vfb(data.path(), {"--set", "tools.js_runtime=deno:/nonexistent/deno", "doctor", "--json"})
          .out);
  for (const auto& c : runtime["checks"])
    if (c["check"] == "javascript runtime") {
      CHECK(c["status"] == "warn");
      CHECK_THAT(c["detail"].get<std::string>(), Catch::Contains("does not run as Deno"));
    }
}
