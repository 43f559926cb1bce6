// The whole pipeline with the real tools: a node (scheduler, pipeline, real stages) in this
// process, or `vfb run` as a child process, against media synthesised here and served on
// loopback, and a fake Discord server. Failures are made by the servers (404, 429) or by
// wrappers that make a real tool crash once (SIGSEGV) before running it for real.
#include "actors/node.hpp"
#include "actors/stages.hpp"
#include "adapters/ffmpeg.hpp"
#include "adapters/process.hpp"
#include "adapters/vtt.hpp"
#include "messages/errors.hpp"
#include "storage/artifact_store.hpp"
#include "storage/job_queue.hpp"
#include "storage/media_cache.hpp"
#include "storage/media_json.hpp"
#include "storage/memory_store.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/fake_discord.hpp"
#include "tests/support/media.hpp"
#include "tests/support/media_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <thread>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

// Planted words, each said more than once, so that speech recognition's errors cannot hide
// them all: "volcano" must come out as a topic.
const std::string spoken = "The volcano erupted in the morning. The volcano was very loud. "
                           "She looked through the telescope at the volcano. Ash from the "
                           "volcano covered the telescope.";

/// A script that makes `program` crash (SIGSEGV) on its first run and runs it on later ones.
/// `--version` (vfb asks yt-dlp for it before it runs it) is answered and does not count.
fs::path crash_once(const fs::path& dir, const std::string& program) {
  auto script = dir / ("crash-once-" + program);
  std::ofstream(script) << "#!/bin/sh\n"
                        << "if [ \"$1\" != --version ] && [ ! -e \"$0.crashed\" ]; then\n"
                        << "  : > \"$0.crashed\"; kill -SEGV $$\nfi\n"
                        << "exec " << program << " \"$@\"\n";
  ::chmod(script.c_str(), 0755);
  return script;
}

struct pipeline_fixture {
  test::temp_dir dir;
  fs::path served = dir.subdir("served");
  fs::path video = test::synth_video(served, "volcano", spoken);
  test::media_server server{served};
  test::fake_discord discord;
  fs::path data = dir / "data";
  vfb_config config;

  pipeline_fixture() {
    server.add_video_page("/watch/volcano", "Volcano talk", server.url("/media/volcano.mp4"));
    config.sources.allow_loopback = true;
    config.queue.backoff_base_ms = 10; // retries come at once
    config.queue.backoff_cap_ms = 50;
    config.pipeline.transcribe_slots = 1;
  }
  std::string page() const { return server.url("/watch/volcano"); }
  /// The vfb executable's command line over the fixture's data dir, loopback sources allowed,
  /// then `args`.
  std::vector<std::string> cli(std::vector<std::string> args) const {
    std::vector<std::string> argv{VFB_BINARY, "--data-dir", data.string(), "--set",
                                  "sources.allow_loopback=true"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
};

/// A node over the fixture's data dir, with the test's scoped actor subscribed to its events.
struct running_node {
  test::threaded_system ts;
  std::shared_ptr<const stage_environment> env;
  node_handles node;
  caf::scoped_actor self{*ts.sys};

  explicit running_node(const pipeline_fixture& f) {
    node_setup setup;
    setup.config = f.config;
    queue_options qo;
    qo.dir = f.data;
    qo.backoff_base = f.config.queue.backoff_base_ms;
    qo.backoff_cap = f.config.queue.backoff_cap_ms;
    setup.queue = std::make_shared<job_queue>(qo);
    env = open_stage_environment(f.config, f.data);
    setup.cancel = env->cancel;
    setup.stages = real_stages(env);
    node = spawn_node(*ts.sys, setup);
    self->send(node.pipeline, subscribe_atom::value, caf::actor_cast<pipeline_event_sink>(self));
  }
  ~running_node() {
    if (node.pipeline) // a test may have stopped it itself
      stop_node(self, node);
    node = node_handles{};
  }

  uint64_t submit(const std::string& url, const std::string& tenant = "acme",
                  const std::string& workspace = "main", job_origin origin = job_origin::cli) {
    submission s;
    s.url = url;
    s.tenant = tenant;
    s.workspace = workspace;
    s.origin = origin;
    uint64_t id = 0;
    self->request(node.submission, caf::infinite, submit_atom::value, s)
        .receive([&](const enqueue_result& r) { id = r.job_id; },
                 [&](const caf::error& e) { FAIL("refused: " << error_message(e)); });
    return id;
  }

  /// The job's events until a run of it ends with an outcome of `final` kind (runs that end
  /// otherwise, e.g. transient failures that are retried, are part of the record).
  std::vector<pipeline_event> until_ended(uint64_t id, outcome_kind final) {
    std::vector<pipeline_event> seen;
    bool over = false;
    self->receive_while([&] { return !over; })(
        [&](const pipeline_event& ev) {
          if (ev.job_id != id)
            return;
          seen.push_back(ev);
          over = ev.kind == progress_kind::ended && ev.outcome.kind == final;
          // Any other permanent end would never be followed by the one awaited.
          if (ev.kind == progress_kind::ended && !over &&
              ev.outcome.kind != outcome_kind::transient_failure)
            FAIL("job ended " << to_string(ev.outcome.kind) << ": " << ev.outcome.reason);
        },
        // A safety net against a hang, not a timing assertion: each run takes seconds.
        caf::after(std::chrono::minutes{3}) >> [&] { FAIL("no end of job " << id); });
    return seen;
  }

  job_view view(uint64_t id) {
    job_view v;
    self->request(node.scheduler, caf::infinite, caf::get_atom::value, id)
        .receive([&](job_view& x) { v = std::move(x); },
                 [&](const caf::error& e) { FAIL(error_message(e)); });
    return v;
  }
};

process_result run(std::vector<std::string> argv) {
  process_options o;
  o.argv = std::move(argv);
  return run_process(o);
}

std::vector<pipeline_event> ends_of(const std::vector<pipeline_event>& events) {
  std::vector<pipeline_event> out;
  for (const auto& ev : events)
    if (ev.kind == progress_kind::ended)
      out.push_back(ev);
  return out;
}

bool finished_stage(const std::vector<pipeline_event>& events, stage_kind stage,
                    const std::string& note_part = {}) {
  return std::any_of(events.begin(), events.end(), [&](const pipeline_event& ev) {
    return ev.kind == progress_kind::finished && ev.stage == stage &&
           ev.note.find(note_part) != std::string::npos;
  });
}

} // namespace

TEST_CASE("a spoken video goes through every stage: transcript, topics, memory and a post") {
  pipeline_fixture f;
  f.config.discord.webhooks["acme/main"] = f.discord.webhook_url();
  f.config.api.public_url = "https://vfb.example.org"; // the post links to the job's page
  running_node n{f};
  auto id = n.submit(f.page());
  auto events = n.until_ended(id, outcome_kind::done);
  std::vector<stage_kind> finished;
  for (const auto& ev : events)
    if (ev.kind == progress_kind::finished)
      finished.push_back(ev.stage);
  CHECK(finished == std::vector<stage_kind>{stage_kind::download, stage_kind::transcribe,
                                            stage_kind::analyze, stage_kind::memory,
                                            stage_kind::post});
  CHECK(n.view(id).state == job_state::done);

  // The transcript comes from speech recognition and holds the planted words.
  auto t = n.env->artifacts->cached_transcript("generic", f.page());
  REQUIRE(t);
  CHECK(t->origin == "speech");
  REQUIRE_FALSE(t->segments.empty());
  CHECK(t->segments.front().start_ms < t->segments.back().end_ms);
  auto words = transcript_text(t->segments);
  CHECK_THAT(words, Catch::Contains("volcano"));

  auto a = n.env->artifacts->checkpoint(id, stage_kind::analyze);
  REQUIRE(a);
  auto an = a->get<analysis>();
  REQUIRE_FALSE(an.topics.empty());
  CHECK(std::any_of(an.topics.begin(), an.topics.end(),
                    [](const weighted_term& w) { return w.term == "volcano"; }));
  CHECK_FALSE(an.summary.empty());

  auto hits = n.env->memory->search("acme", "main", "volcano");
  REQUIRE_FALSE(hits.empty());
  CHECK(hits[0].job_id == id);
  CHECK(hits[0].title == "Volcano talk");
  CHECK(n.env->memory->search("other", "main", "volcano").empty()); // tenants are apart

  REQUIRE(f.discord.wait_for_posts(1));
  auto posts = f.discord.posts();
  REQUIRE(posts.size() == 1);
  const auto& embed = posts[0]["embeds"][0];
  CHECK(embed["title"] == "Volcano talk");
  CHECK(embed["url"] == f.page());
  CHECK_THAT(embed.dump(), Catch::Contains("volcano"));
  CHECK_THAT(embed["fields"].dump(),
             Catch::Contains("(https://vfb.example.org/jobs/" + std::to_string(id) + ")"));
}

TEST_CASE(
    "a direct media URL gets its duration from the file (yt-dlp's generic extractor has none)") {
  pipeline_fixture f;
  running_node n{f};
  auto url = f.server.url("/media/volcano.mp4");
  auto id = n.submit(url);
  auto events = n.until_ended(id, outcome_kind::done);
  auto d = n.env->artifacts->cached_download("generic", url);
  REQUIRE(d);
  auto probed = probe_duration({}, f.video);
  CHECK(probed > 1.0);
  CHECK(d->duration == Approx(probed).margin(0.05));
  CHECK(finished_stage(events, stage_kind::download, " (0:")); // "volcano (0:09)", not bare
}

TEST_CASE("an /analyze job is answered by the Discord bridge alone: no second card") {
  pipeline_fixture f;
  f.config.discord.webhooks["acme/main"] = f.discord.webhook_url();
  running_node n{f};
  auto id = n.submit(f.page(), "acme", "main", job_origin::discord);
  auto events = n.until_ended(id, outcome_kind::done);
  CHECK(finished_stage(events, stage_kind::post, "answered by the Discord bridge"));
  CHECK(f.discord.posts().empty());
}

TEST_CASE("a missing video fails permanently with the server's reason") {
  pipeline_fixture f;
  running_node n{f};
  auto id = n.submit(f.server.url("/media/gone.mp4"));
  auto events = n.until_ended(id, outcome_kind::permanent_failure);
  auto ends = ends_of(events);
  REQUIRE(ends.size() == 1);
  CHECK_THAT(ends[0].outcome.reason, Catch::Contains("404"));
  CHECK(ends[0].stage == stage_kind::download);
  auto v = n.view(id);
  CHECK(v.state == job_state::failed);
  CHECK_THAT(v.last_error, Catch::Contains("404"));
}

TEST_CASE("a yt-dlp crash is retried and the job completes") {
  pipeline_fixture f;
  f.config.tools.ytdlp = crash_once(f.dir.path(), "yt-dlp").string();
  running_node n{f};
  auto id = n.submit(f.page());
  auto ends = ends_of(n.until_ended(id, outcome_kind::done));
  REQUIRE(ends.size() == 2);
  CHECK(ends[0].outcome.kind == outcome_kind::transient_failure);
  CHECK(ends[0].stage == stage_kind::download);
  CHECK_THAT(ends[0].outcome.reason, Catch::Contains("SIGSEGV"));
  CHECK(n.view(id).job.attempt == 1);
}

TEST_CASE("a transcriber crash is retried from the checkpoint without a second download") {
  pipeline_fixture f;
  // The transcription stage's tool (ffmpeg, which feeds the recogniser) crashes on its first run.
  f.config.tools.ffmpeg = crash_once(f.dir.path(), "ffmpeg").string();
  running_node n{f};
  auto id = n.submit(f.page());
  std::vector<pipeline_event> events;
  size_t downloads_at_crash = 0;
  {
    // Up to the crash, then on to the end.
    bool crashed = false;
    n.self->receive_while([&] { return !crashed; })(
        [&](const pipeline_event& ev) {
          if (ev.job_id != id)
            return;
          events.push_back(ev);
          if (ev.kind == progress_kind::ended) {
            REQUIRE(ev.outcome.kind == outcome_kind::transient_failure);
            crashed = true;
            downloads_at_crash = f.server.requests_for("/media/volcano.mp4");
          }
        },
        caf::after(std::chrono::minutes{3}) >> [&] { FAIL("no crash"); });
  }
  auto rest = n.until_ended(id, outcome_kind::done);
  CHECK(events.back().stage == stage_kind::transcribe);
  CHECK(downloads_at_crash >= 1);
  CHECK(f.server.requests_for("/media/volcano.mp4") == downloads_at_crash);
  CHECK(finished_stage(rest, stage_kind::download, "resumed from checkpoint"));
  CHECK(finished_stage(rest, stage_kind::transcribe, "speech"));
}

TEST_CASE("media the cache bound removed are downloaded again only when a stage needs them") {
  pipeline_fixture f;
  f.config.storage.media_cache_mb = 0; // removed as soon as no stage needs them
  running_node n{f};
  auto first = n.submit(f.page());
  n.until_ended(first, outcome_kind::done);
  CHECK(f.server.requests_for("/media/volcano.mp4") == 1);
  fs::path dir;
  for (const auto& v : fs::directory_iterator{f.data / "artifacts" / "videos"})
    dir = v.path();
  REQUIRE(!dir.empty());
  CHECK_FALSE(fs::exists(dir / "volcano.mp4")); // transcribed: the media went
  CHECK(fs::exists(dir / "transcript.json"));   // what stays for good
  CHECK(fs::exists(dir / "download.json"));
  CHECK(n.env->media->removed().files == 1);
  CHECK(n.env->media->kept().bytes == 0);

  // Another workspace's job of the same video takes the cached transcript: no download.
  auto events = n.until_ended(n.submit(f.page(), "acme", "other"), outcome_kind::done);
  CHECK(finished_stage(events, stage_kind::download, "cached"));
  CHECK(f.server.requests_for("/media/volcano.mp4") == 1);

  // Without the transcript the media are needed again: the next job downloads them.
  fs::remove(dir / "transcript.json");
  events = n.until_ended(n.submit(f.page(), "acme", "third"), outcome_kind::done);
  CHECK(f.server.requests_for("/media/volcano.mp4") == 2);
  CHECK(finished_stage(events, stage_kind::transcribe, "speech"));
  CHECK_FALSE(fs::exists(dir / "volcano.mp4"));
  CHECK(n.env->media->removed().files == 2);
}

namespace {

/// A small file system of its own (tmpfs) at `dir`, gone at the end. Mounting needs root, as
/// scripts/test has on CI; a refusal fails the test and says so.
struct small_file_system {
  fs::path dir;
  small_file_system(fs::path at, size_t bytes) : dir{std::move(at)} {
    fs::create_directories(dir);
    auto options = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0)
      FAIL("cannot mount a small tmpfs at " << dir << " (" << std::strerror(errno)
                                            << "): this test runs as root");
  }
  ~small_file_system() { ::umount2(dir.c_str(), MNT_DETACH); }
  /// Fills it up: a ballast file grown until the file system refuses.
  void fill() {
    std::ofstream ballast{dir / "ballast", std::ios::binary};
    std::string chunk(64 * 1024, 'x');
    while (ballast.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) &&
           ballast.flush()) {
    }
  }
  void make_room() { fs::remove(dir / "ballast"); }
};

} // namespace

TEST_CASE("a full disk fails the job transiently, saying so; nothing stored is lost; then it "
          "completes") {
  pipeline_fixture f;
  fs::copy_file(f.video, f.served / "volcano2.mp4");
  f.server.add_video_page("/watch/volcano2", "Volcano again", f.server.url("/media/volcano2.mp4"));
  // The artifacts and the memory live on a small file system of their own.
  small_file_system disk{f.dir / "small", 8 << 20};
  fs::create_directories(f.data);
  for (const auto* part : {"artifacts", "memory"}) {
    fs::create_directories(disk.dir / part);
    fs::create_directory_symlink(disk.dir / part, f.data / part);
  }
  running_node n{f};
  auto first = n.submit(f.page());
  n.until_ended(first, outcome_kind::done);
  auto before = n.env->memory->search("acme", "main", "volcano", 100);
  REQUIRE_FALSE(before.empty());

  disk.fill();
  auto second = n.submit(f.server.url("/watch/volcano2"));
  pipeline_event failed;
  n.self->receive_while([&] { return failed.job_id == 0; })(
      [&](const pipeline_event& ev) {
        if (ev.job_id == second && ev.kind == progress_kind::ended)
          failed = ev;
      },
      caf::after(std::chrono::minutes{3}) >> [&] { FAIL("the job never ended"); });
  INFO(failed.outcome.reason);
  CHECK(failed.outcome.kind == outcome_kind::transient_failure);
  CHECK_THAT(failed.outcome.reason, Catch::Contains("disk full"));
  // The node answers, and what it stored is whole.
  CHECK(n.view(first).state == job_state::done);
  CHECK(n.env->memory->search("acme", "main", "volcano", 100).size() == before.size());
  CHECK(n.env->memory->check_invariants().empty());
  CHECK(n.env->artifacts->cached_transcript("generic", n.view(first).job.key.external_id));

  disk.make_room();
  n.until_ended(second, outcome_kind::done);
  CHECK(n.env->memory->stats("acme", "main").videos == 2);
  CHECK(n.env->memory->check_invariants().empty());
}

TEST_CASE("hostile titles and ids stay in the artifacts dir, one log line each, and reach "
          "Discord without mentions") {
  pipeline_fixture f;
  // A file name with shell characters becomes the id (yt-dlp's generic extractor names the
  // video after it); the title has paths, newlines, commands, mentions and is very long.
  const std::string name = "evil;$(touch pwned)`id`'q' \"x\" & | > ..";
  fs::copy_file(f.video, f.served / (name + ".mp4"));
  const std::string title = "../../../etc/passwd\n2026-12-05 00:00:00.000 info job 99: done "
                            "(forged)\r@everyone @here <@123> $(reboot) `rm -rf ~`; | & " +
                            std::string(5000, 'L');
  std::string encoded;
  for (unsigned char c : name)
    encoded += std::isalnum(c)
                   ? std::string(1, static_cast<char>(c))
                   : "%" + std::string{"0123456789ABCDEF"[c >> 4]} + "0123456789ABCDEF"[c & 15];
  f.server.add_video_page("/watch/evil", title, f.server.url("/media/" + encoded + ".mp4"));
  auto ran = run(f.cli({"--set", "webhooks.acme/main=" + f.discord.webhook_url(), "run",
                        f.server.url("/watch/evil"), "--tenant", "acme", "--workspace", "main"}));
  INFO(ran.err);
  REQUIRE(ran.exit_code == 0);
  // Every file the job wrote is in the data dir's own places; no command ran.
  for (const auto& e : fs::recursive_directory_iterator{f.dir.path()}) {
    auto p = e.path().string();
    if (p.rfind(f.served.string(), 0) == 0)
      continue;
    CHECK(p.find("pwned") == std::string::npos);
    if (p.rfind(f.data.string(), 0) == 0)
      continue;
    CHECK(p == f.data.string()); // nothing beside the data dir and the served files
  }
  for (const auto& e : fs::recursive_directory_iterator{f.data / "artifacts"}) {
    auto rel = fs::relative(e.path(), f.data / "artifacts").string();
    CHECK(rel.find("..") == std::string::npos);
    CHECK(rel.find(';') == std::string::npos); // names are hashes and fixed names
  }
  // One log line per message: every stderr line is a log line of its own.
  static const std::regex log_line{R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \w+ .*)"};
  std::istringstream lines{ran.err};
  std::string line;
  while (std::getline(lines, line)) {
    INFO(line);
    CHECK(std::regex_match(line, log_line));
    bool forged_alone = line.find("job 99: done") != std::string::npos &&
                        line.find("\\n2026-12-05") == std::string::npos;
    CHECK_FALSE(forged_alone); // the title's forged line is only ever written out, escaped
  }
  // Discord: the title as text (cut to Discord's limit), no mention can fire.
  auto posts = f.discord.posts();
  REQUIRE(posts.size() == 1);
  const auto& embed = posts[0]["embeds"][0];
  CHECK(embed["title"].get<std::string>().rfind("../../../etc/passwd", 0) == 0);
  auto shown = embed["title"].get<std::string>();
  CHECK(std::count_if(shown.begin(), shown.end(), [](char c) { return (c & 0xC0) != 0x80; }) <=
        256); // code points
  CHECK(posts[0]["allowed_mentions"]["parse"].empty());
}

TEST_CASE("a crash after Discord took the post but before its checkpoint posts it once more, "
          "and says so") {
  pipeline_fixture f;
  auto argv = f.cli({"--set", "webhooks.acme/main=" + f.discord.webhook_url(), "run", f.page(),
                     "--tenant", "acme", "--workspace", "main"});
  f.discord.hold_answers(); // Discord makes the post; its answer never reaches this run
  std::atomic<bool> kill{false};
  process_options first;
  first.argv = argv;
  first.cancel = &kill;
  first.grace = std::chrono::milliseconds{0};
  process_result killed;
  std::thread runner{[&] { killed = run_process(first); }};
  REQUIRE(f.discord.wait_for_posts(1, std::chrono::minutes{3}));
  kill = true;
  runner.join();
  CHECK(killed.exit_code != 0);
  f.discord.release_answers();

  auto again = run(argv);
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.err, Catch::Contains("the last run stopped while it posted to Discord; posting "
                                        "again"));
  CHECK(f.discord.posts().size() == 2); // the one repeat a crash in that window can cause
  auto posted = read_json_file(f.data / "artifacts" / "jobs" / "1" / "post.json", nullptr);
  REQUIRE(posted);
  CHECK((*posted)["repeat"] == true);
  CHECK((*posted)["message_id"].is_string());
  // A third run finds it posted: no more cards.
  CHECK(run(argv).exit_code == 0);
  CHECK(f.discord.posts().size() == 2);
}

TEST_CASE("vfb show --format writes the transcript as SubRip, WebVTT, text or JSON") {
  pipeline_fixture f;
  auto vfb = [&](std::vector<std::string> args) { return run(f.cli(std::move(args))); };
  REQUIRE(vfb({"run", f.page(), "--tenant", "acme", "--workspace", "main"}).exit_code == 0);
  auto json = vfb({"show", "1", "--format", "json"});
  REQUIRE(json.exit_code == 0);
  auto segments = nlohmann::json::parse(json.out)["segments"];
  REQUIRE_FALSE(segments.empty());
  // Each line links to its moment of the video (not YouTube: the page's URL with #t=).
  auto last = segments.back();
  CHECK(last["moment_url"] ==
        f.page() + "#t=" + std::to_string(last["start_ms"].get<int64_t>() / 1000));
  auto srt = vfb({"show", "1", "--format", "srt"});
  CHECK(srt.exit_code == 0);
  CHECK(srt.out.rfind("1\n00:00:", 0) == 0);
  CHECK_THAT(srt.out, Catch::Contains(" --> "));
  auto vtt = vfb({"show", "1", "--format", "vtt"});
  CHECK(vtt.out.rfind("WEBVTT\n\n", 0) == 0);
  auto txt = vfb({"show", "1", "--format", "txt"});
  CHECK_THAT(txt.out, Catch::Contains(segments[0]["text"].get<std::string>()));
  auto bad = vfb({"show", "1", "--format", "pdf"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--format must be srt, vtt, txt or json"));
  CHECK(vfb({"show", "99", "--format", "srt"}).exit_code == 1);
}

TEST_CASE("a Discord 429 is retried after its retry_after and posted once") {
  pipeline_fixture f;
  f.config.discord.webhooks["acme/main"] = f.discord.webhook_url();
  f.discord.rate_limit_next(1, 0.3);
  running_node n{f};
  auto id = n.submit(f.page());
  n.until_ended(id, outcome_kind::done);
  auto requests = f.discord.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].status == 429);
  CHECK(requests[1].status == 200);
  // Discord said 0.3 s: the retry must not come sooner (a lower bound, not a speed check).
  CHECK(requests[1].received_at - requests[0].received_at >= std::chrono::milliseconds{300});
  CHECK(f.discord.posts().size() == 1);
}

TEST_CASE("a node killed mid-pipeline finishes the job after a restart without downloading again") {
  pipeline_fixture f;
  auto args = [&](const std::vector<std::string>& extra) {
    auto argv = f.cli({"--set", "queue.backoff_base_ms=10"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  };
  // First run: killed as soon as the transcription starts (the download is done by then).
  std::atomic<bool> kill{false};
  process_options first;
  first.argv = args({"run", f.page(), "--tenant", "acme", "--workspace", "main", "--json"});
  first.cancel = &kill;
  first.grace = std::chrono::milliseconds{0};
  first.on_stdout_line = [&](std::string_view line) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("stage", "") == "transcribe" && j.value("event", "") == "started")
      kill = true;
  };
  auto killed = run_process(first);
  REQUIRE(killed.cancelled);
  auto downloads = f.server.requests_for("/media/volcano.mp4");
  CHECK(downloads >= 1);

  // Second run: the same URL finds the job (rescued from its dead lease) and finishes it.
  process_options second;
  second.argv = args({"run", f.page(), "--tenant", "acme", "--workspace", "main"});
  auto done = run_process(second);
  INFO(done.out << done.err);
  REQUIRE(done.exit_code == 0);
  CHECK_THAT(done.out, Catch::Contains("duplicate"));
  CHECK_THAT(done.out, Catch::Contains("resumed from checkpoint"));
  CHECK(f.server.requests_for("/media/volcano.mp4") == downloads);

  auto show = run(args({"show", "1", "--json"}));
  REQUIRE(show.exit_code == 0);
  auto j = nlohmann::json::parse(show.out);
  CHECK(j["job"]["state"] == "done");
  CHECK(j["download"]["title"] == "Volcano talk");
  auto search =
      run(args({"search", "volcano", "--tenant", "acme", "--workspace", "main", "--json"}));
  REQUIRE(search.exit_code == 0);
  auto hits = nlohmann::json::parse(search.out);
  REQUIRE(hits.size() >= 1);
  CHECK(hits[0]["title"] == "Volcano talk");
  CHECK(hits[0]["moment_url"] == hits[0]["url"].get<std::string>() + "#t=" +
                                     std::to_string(hits[0]["start_ms"].get<int64_t>() / 1000));
  auto text = run(args({"search", "volcano", "--tenant", "acme", "--workspace", "main"}));
  CHECK_THAT(text.out, Catch::Contains(hits[0]["moment_url"].get<std::string>()));
}

TEST_CASE("a failed Discord post is retried later from the post stage, not from the start") {
  pipeline_fixture f;
  f.config.discord.webhooks["acme/main"] = f.discord.webhook_url();
  f.config.discord.post_attempts = 1; // the first 503 ends this run of the job
  f.discord.fail_next(1, 503, "upstream unavailable");
  running_node n{f};
  auto id = n.submit(f.page());
  auto events = n.until_ended(id, outcome_kind::done);
  auto ends = ends_of(events);
  REQUIRE(ends.size() == 2);
  CHECK(ends[0].outcome.kind == outcome_kind::transient_failure);
  CHECK(ends[0].stage == stage_kind::post);
  // The second run found every earlier stage's checkpoint.
  std::vector<pipeline_event> second(
      std::find_if(events.begin(), events.end(),
                   [](const pipeline_event& ev) { return ev.kind == progress_kind::ended; }),
      events.end());
  CHECK(finished_stage(second, stage_kind::download, "resumed from checkpoint"));
  CHECK(finished_stage(second, stage_kind::transcribe, "resumed from checkpoint"));
  CHECK(finished_stage(second, stage_kind::analyze, "resumed from checkpoint"));
  CHECK(finished_stage(second, stage_kind::post, "posted"));
  CHECK(f.discord.posts().size() == 1);
}

TEST_CASE("a stopping node gives its job back mid-stage, and the next node finishes it") {
  pipeline_fixture f;
  uint64_t id = 0;
  size_t downloads = 0;
  {
    running_node n{f};
    id = n.submit(f.page());
    bool transcribing = false;
    n.self->receive_while([&] { return !transcribing; })(
        [&](const pipeline_event& ev) {
          transcribing = ev.job_id == id && ev.stage == stage_kind::transcribe &&
                         ev.kind == progress_kind::started;
        },
        caf::after(std::chrono::minutes{3}) >> [&] { FAIL("the transcription never started"); });
    downloads = f.server.requests_for("/media/volcano.mp4");
    stop_node(n.self, n.node); // drains: the transcription stops, the job goes back
    n.node = node_handles{};   // stopped already
  }
  {
    queue_options qo;
    qo.dir = f.data;
    job_queue q{qo};
    auto v = q.get(id);
    REQUIRE(v);
    CHECK(v->state == job_state::queued);
    CHECK(v->job.attempt == 0);      // not the job's fault
    CHECK(q.rescued_at_open() == 0); // given back, not found leased
  }
  running_node again{f};
  auto events = again.until_ended(id, outcome_kind::done);
  CHECK(finished_stage(events, stage_kind::download, "resumed from checkpoint"));
  CHECK(f.server.requests_for("/media/volcano.mp4") == downloads);
}

TEST_CASE("vfb node works through the queue and stops cleanly on SIGTERM, giving its job back") {
  pipeline_fixture f;
  auto vfb = [&](std::vector<std::string> args) { return f.cli(std::move(args)); };
  auto enqueued = run(vfb({"enqueue", f.page(), "--tenant", "acme", "--workspace", "main"}));
  REQUIRE(enqueued.exit_code == 0);
  // Stopped with SIGTERM as soon as it leases the job: it must give the job back.
  std::atomic<bool> stop{false};
  process_options node;
  node.argv = vfb({"node"});
  node.cancel = &stop;
  node.grace = std::chrono::seconds{120}; // SIGTERM, then time for the drain
  node.on_stderr_line = [&](std::string_view line) {
    if (line.find("job 1: leased") != std::string_view::npos)
      stop = true;
  };
  auto first = run_process(node);
  INFO(first.err);
  CHECK(first.cancelled);
  CHECK(first.signal == 0); // it exited by itself after SIGTERM
  CHECK(first.exit_code == 0);
  CHECK_THAT(first.err, Catch::Contains("SIGTERM received"));
  CHECK_THAT(first.err, Catch::Contains("1 jobs given back"));
  auto ls = run(vfb({"queue", "ls", "--json"}));
  REQUIRE(ls.exit_code == 0);
  auto jobs = nlohmann::json::parse(ls.out);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0]["state"] == "queued");
  CHECK(jobs[0]["attempt"] == 0);

  // Again, until the job is done.
  stop = false;
  node.on_stderr_line = [&](std::string_view line) {
    if (line.find("job 1: done") != std::string_view::npos)
      stop = true;
  };
  auto second = run_process(node);
  INFO(second.err);
  CHECK(second.exit_code == 0);
  auto show = run(vfb({"show", "1", "--json"}));
  REQUIRE(show.exit_code == 0);
  CHECK(nlohmann::json::parse(show.out)["job"]["state"] == "done");
}

TEST_CASE("vfb node serves the HTTP API: vfb submit, vfb status, and the job is done") {
  pipeline_fixture f;
  auto vfb = [&](std::vector<std::string> args) {
    auto argv = f.cli({"--set", "api.port=0"});
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  };
  auto created = run(vfb({"token", "create", "--tenant", "acme", "--workspace", "main", "--role",
                          "operator", "--json"}));
  REQUIRE(created.exit_code == 0);
  auto token = nlohmann::json::parse(created.out)["token"].get<std::string>();
  std::atomic<bool> stop{false};
  std::string api;
  process_result submitted, status;
  process_options node;
  node.argv = vfb({"node", "--json"});
  node.cancel = &stop;
  node.grace = std::chrono::seconds{120};
  node.on_stdout_line = [&](std::string_view line) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("event", "") != "ready")
      return;
    api = "http://127.0.0.1:" + std::to_string(j["port"].get<int>());
    // From the node's output thread: the node serves while these run.
    submitted = run(vfb({"submit", f.page(), "--api", api, "--token", token}));
    status = run(vfb({"status", "--job", "1", "--api", api, "--token", token, "--json"}));
  };
  node.on_stderr_line = [&](std::string_view line) {
    if (line.find("job 1: done") != std::string_view::npos)
      stop = true;
  };
  auto ran = run_process(node);
  INFO(ran.err << submitted.err << status.err);
  CHECK(ran.exit_code == 0);
  REQUIRE_FALSE(api.empty());
  CHECK(submitted.exit_code == 0);
  CHECK(submitted.out == "1 new\n");
  CHECK(status.exit_code == 0);
  CHECK(nlohmann::json::parse(status.out)["id"] == 1);
  auto wrong = run(vfb({"submit", f.page(), "--api", api, "--token", "vfb_nope"}));
  CHECK(wrong.exit_code == 1); // the node is gone by now: no answer, a clear one-line error
  CHECK_THAT(wrong.err, Catch::Contains("no answer from the node"));
}

TEST_CASE("vfb discord register-commands sends the command definitions with the bot token") {
  test::fake_discord discord;
  discord.add_route("commands", "PUT", "/api/v10/applications/555/commands",
                    [](const test::discord_request& r, const std::smatch&) {
                      return test::discord_reply{200, r.json, {}};
                    });
  test::temp_dir data;
  auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv{VFB_BINARY,
                                  "--data-dir",
                                  data.path().string(),
                                  "--set",
                                  "discord.api_base=" + discord.base_url() + "/api/v10",
                                  "discord",
                                  "register-commands"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  };
  auto ok = run(args({"--application-id", "555", "--bot-token", "bot-secret", "--commands",
                      VFB_SOURCE_DIR "/conf/discord-commands.json"}));
  INFO(ok.out << ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("registered 6 commands"));
  REQUIRE(discord.wait_for_route("commands", 1));
  auto sent = discord.requests().back();
  CHECK(sent.header("Authorization") == "Bot bot-secret");
  REQUIRE(sent.json.is_array());
  CHECK(sent.json.size() == 6);
  auto no_token = run(args({"--application-id", "555"}));
  CHECK(no_token.exit_code == 2);
  CHECK_THAT(no_token.err, Catch::Contains("bot token"));
}

namespace {

/// Runs `vfb node` on `data` with the --set `settings` (and an ephemeral API port) until it logs
/// that it runs, then stops it with SIGTERM; what it printed.
process_result run_node_until_running(const fs::path& data, std::vector<std::string> settings) {
  std::atomic<bool> stop{false};
  process_options node;
  node.argv = {VFB_BINARY, "--data-dir", data.string(), "--set", "api.port=0"};
  for (auto& s : settings) {
    node.argv.emplace_back("--set");
    node.argv.push_back(std::move(s));
  }
  node.argv.emplace_back("node");
  node.cancel = &stop;
  node.grace = std::chrono::seconds{60};
  node.on_stderr_line = [&](std::string_view line) {
    if (line.find("running on") != std::string_view::npos)
      stop = true;
  };
  return run_process(node);
}

} // namespace

TEST_CASE("vfb node's text log keeps one line per message whatever the messages hold") {
  test::temp_dir dir;
  // The data dir's path reaches the log ("running on ..."): a newline in it must not split the
  // line or start a forged one.
  auto data = dir / "data\n2026-01-01 00:00:00.000 error forged";
  auto r = run_node_until_running(data, {});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  std::istringstream lines{r.err};
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK(std::regex_search(line, std::regex{R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} )"}));
    bool forged_outside_path = line.find(" error forged") != std::string::npos &&
                               line.find("data\\n2026") == std::string::npos;
    CHECK_FALSE(forged_outside_path); // the text only ever appears inside the escaped path
  }
  CHECK_THAT(r.err, Catch::Contains("running on") && Catch::Contains("data\\n2026-01-01"));
}

TEST_CASE("vfb node logs valid JSON lines with log.format = json, whatever the messages hold") {
  test::temp_dir dir;
  auto data = dir / "data with \"quotes\" and \\ backslash";
  auto r = run_node_until_running(data, {"log.format=json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  std::istringstream lines{r.err};
  size_t n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j.contains("level"));
    CHECK(j.contains("time"));
  }
  CHECK(n >= 3); // running, stopping, stopped
  CHECK_THAT(r.err, Catch::Contains("\\\"quotes\\\""));
}
