// vfb against what yt-dlp and YouTube do today, through the recorded-output replay: which
// arguments a yt-dlp of a given version gets (a JavaScript runtime only where --js-runtimes is
// known, the operator's ytdlp_args everywhere), YouTube's translated caption tracks, a host
// without a JavaScript runtime, and premieres.
#include "actors/stages.hpp"
#include "storage/artifact_store.hpp"
#include "tests/support/follow_fixture.hpp"
#include "tests/support/ytdlp_replay.hpp"

#include <sys/stat.h>

using namespace vfb;
using namespace vfb::test;

namespace {

const std::string watch = "https://www.youtube.com/watch?v=";

std::string vtt(const std::string& words) {
  return "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n" + words + "\n";
}

/// A Deno that answers --version as Deno 2.9.6 does (yt-dlp needs 2.3 or newer).
fs::path fake_deno(const fs::path& dir) {
  fs::create_directories(dir);
  auto p = dir / "deno";
  std::ofstream(p) << "#!/bin/sh\necho 'deno 2.9.6 (stable, release, x86_64-unknown-linux-gnu)'\n";
  ::chmod(p.c_str(), 0755);
  return p;
}

/// The argument after `flag` in `argv`, or "" when there is none.
std::string after(const std::vector<std::string>& argv, const std::string& flag) {
  auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? std::string{} : *(it + 1);
}

/// The download calls the replay saw.
std::vector<std::vector<std::string>> downloads(const replay_fixture& f) {
  std::vector<std::vector<std::string>> out;
  for (auto& argv : f.calls())
    if (std::find(argv.begin(), argv.end(), "--flat-playlist") == argv.end())
      out.push_back(argv);
  return out;
}

} // namespace

TEST_CASE("captions: only original tracks are asked for, and the original wins") {
  replay_fixture f;
  f.rec.video("capvideo001", f.media);
  auto& d = f.rec.doc["downloads"][watch + "capvideo001"];
  // An English upload with German captions by people: YouTube offers their machine
  // translations ("en-de": English from German) and its recognition of the speech ("en",
  // "en-orig", English (Original)).
  d["captions"] = {
      {"manual", {{"de", vtt("Der Vulkan brach aus.")}}},
      {"automatic", {{"en", vtt("the volcano erupted")}, {"en-orig", vtt("the volcano erupted")}}}};
  d["caption_errors"] = {{"en-de", 429}}; // one request per track: a translation is throttled
  f.install();
  follow_node n{f, follow_config(false)};
  auto id = n.submit(watch + "capvideo001");
  auto [stages, end] = n.run_of(id);
  CHECK(end == outcome_kind::done);
  auto calls = downloads(f);
  REQUIRE(calls.size() == 1);
  CHECK_THAT(after(calls[0], "--extractor-args"), Catch::Contains("skip=translated_subs"));
  auto env = open_stage_environment(follow_config(false), f.data);
  auto t = env->artifacts->cached_transcript("youtube", "capvideo001");
  REQUIRE(t);
  CHECK(t->origin == "captions");
  CHECK(t->language == "en-orig"); // wanted ("en.*"), and the original speech first
}

TEST_CASE("the JavaScript runtime goes only to a yt-dlp that knows --js-runtimes") {
  replay_fixture f;
  f.rec.video("jsvideo0001", f.media);
  f.rec.doc["downloads"][watch + "jsvideo0001"]["needs_js_runtime"] = true;
  f.install();
  auto deno = fake_deno(managed_tools_dir(f.data));
  test::temp_dir bin;
  auto cfg = follow_config(false);
  // The operator's arguments reach every run, before `--`.
  cfg.tools.ytdlp_args = {"--sleep-requests", "0", "--extractor-args", "youtube:po_token=web+T"};

  SECTION("a current yt-dlp gets the managed Deno and succeeds") {
    cfg.tools.ytdlp = ytdlp_replay_as(bin.path(), replay_program, "2026.08.19").string();
    follow_node n{f, cfg};
    auto [stages, end] = n.run_of(n.submit(watch + "jsvideo0001"));
    CHECK(end == outcome_kind::done);
    auto calls = downloads(f);
    REQUIRE(calls.size() == 1);
    CHECK(after(calls[0], "--js-runtimes") == "deno:" + deno.string());
    CHECK(after(calls[0], "--sleep-requests") == "0");
    // Ours joins the operator's --extractor-args: yt-dlp keeps only the last one per extractor.
    CHECK(after(calls[0], "--extractor-args") == "youtube:po_token=web+T;skip=translated_subs");
    auto dash = std::find(calls[0].begin(), calls[0].end(), "--");
    CHECK(std::find(calls[0].begin(), dash, "--js-runtimes") != dash);
  }
  SECTION("Debian's yt-dlp 2023.03.04 would reject the option: it is not passed") {
    follow_node n{f, cfg}; // the replay's default version
    auto [stages, end] = n.run_of(n.submit(watch + "jsvideo0001"));
    CHECK(end == outcome_kind::done);
    auto calls = downloads(f);
    REQUIRE(calls.size() == 1);
    CHECK(std::count(calls[0].begin(), calls[0].end(), "--js-runtimes") == 0);
    CHECK(after(calls[0], "--sleep-requests") == "0");
  }
  SECTION("no runtime: the failure is this node's, retried, and the reason says what to do") {
    cfg.tools.ytdlp = ytdlp_replay_as(bin.path(), replay_program, "2026.08.19").string();
    cfg.tools.js_runtime = "none";
    follow_node n{f, cfg};
    auto id = n.submit(watch + "jsvideo0001");
    auto [stages, end] = n.run_of(id);
    CHECK(end == outcome_kind::transient_failure);
    auto v = n.view(id);
    CHECK(v.state == job_state::retrying);
    CHECK_THAT(v.last_error, Catch::Contains("JavaScript") && Catch::Contains("vfb doctor") &&
                                 Catch::Contains("Requested format is not available"));
  }
}

TEST_CASE("a premiere waits until it begins, and uses no attempt") {
  replay_fixture f;
  f.rec.doc["downloads"][watch + "premiere001"] = {
      {"stderr", {"ERROR: [youtube] premiere001: Premieres in 2 hours"}}, {"exit", 1}};
  f.install();
  follow_node n{f, follow_config(false)};
  auto before = now_millis();
  auto id = n.submit(watch + "premiere001");
  auto [stages, end] = n.run_of(id);
  CHECK(end == outcome_kind::waiting);
  auto v = n.view(id);
  CHECK(v.state == job_state::queued);
  CHECK(v.job.attempt == 0);
  CHECK(v.job.not_before >= before + 2 * 3'600'000);
  CHECK(v.job.not_before < before + 3 * 3'600'000);
  CHECK_THAT(v.last_error, Catch::Contains("Premieres in 2 hours") && Catch::Contains("2 h"));
}
