// The whole node under SIGKILL: `vfb node` with its API, the pipeline on loopback media (real
// yt-dlp, ffmpeg and speech recognition), follows of loopback feeds listed again every 2 s and a
// fake Discord, while a driver submits videos and follows feeds through the API all the time.
// The node is killed at random moments and started again, over and over; then it runs until its
// queue is worked off, and everything is checked: each submission the API accepted is done, and
// was done once; memory holds one entry per video; the queue, memory and follows pass their
// invariant checks and every follow kept its markers; Discord's duplicates are counted and
// bounded by the kills.
//
// VFB_SOAK_KILLS sets the number of kills (default 50), VFB_SOAK_SEED the random moments (the
// seed is printed, so a failing run can be repeated).
#include "actors/config_options.hpp"
#include "adapters/config_file.hpp"
#include "adapters/process.hpp"
#include "storage/follow_registry.hpp"
#include "storage/job_queue.hpp"
#include "storage/media_cache.hpp"
#include "storage/memory_store.hpp"
#include "tests/support/background.hpp"
#include "tests/support/fake_discord.hpp"
#include "tests/support/media.hpp"
#include "tests/support/media_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/vfb_output.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <httplib.h>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <thread>

using namespace vfb;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::string spoken = "The volcano erupted. The volcano was very loud.";
constexpr int submitted_videos = 24;
constexpr int feeds = 3;
constexpr int64_t day_s = 86'400;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

/// What the driver learnt from the API: the jobs it accepted, per video, and the follows.
struct accepted {
  std::mutex mu;
  std::map<std::string, uint64_t> job_of_page; // every 202 for a page named this job
  std::set<uint64_t> conflicting;              // a page answered with two different job ids
  std::set<std::string> followed;              // feeds whose follow the API answered
  std::vector<std::string> wrong;              // answers that should not have come (Catch's
                                               // assertions are for the test's thread)
  size_t submissions = 0, refused = 0;
};

struct soak_fixture {
  test::temp_dir dir;
  fs::path served = dir.subdir("served");
  test::media_server server{served};
  test::fake_discord discord;
  fs::path data = dir / "node";
  std::vector<std::string> pages;                      // submitted through the API
  std::vector<std::vector<test::rss_item>> feed_items; // per feed, newest first
  std::string token;
  fs::path video;

  soak_fixture() {
    video = test::synth_video(served, "talk", spoken);
    for (int i = 0; i < submitted_videos; ++i)
      pages.push_back(add_page("s" + std::to_string(i)));
    feed_items.resize(feeds);
    for (int f = 0; f < feeds; ++f)
      for (int64_t age : {200, 100, 10})
        add_feed_item(f, age);
    auto created = run({"token", "create", "--tenant", "acme", "--workspace", "main", "--role",
                        "operator", "--json"});
    REQUIRE(created.exit_code == 0);
    token = json::parse(created.out)["token"].get<std::string>();
  }

  std::string add_page(const std::string& name) {
    fs::copy_file(video, served / (name + ".mp4"));
    server.add_video_page("/watch/" + name, "Talk " + name, server.url("/media/" + name + ".mp4"));
    return server.url("/watch/" + name);
  }

  std::string feed_url(int f) const { return server.url("/feed" + std::to_string(f) + ".xml"); }

  /// A new upload on feed `f`, `age_days` old.
  void add_feed_item(int f, int64_t age_days) {
    auto& items = feed_items[static_cast<size_t>(f)];
    auto name = "f" + std::to_string(f) + "_" + std::to_string(items.size());
    test::rss_item item;
    item.title = "Video " + name;
    item.url = add_page(name);
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    item.pub_date = test::rss_date(now_s - age_days * day_s);
    item.guid = item.url;
    items.insert(items.begin(), item);
    server.add_route("/feed" + std::to_string(f) + ".xml", "application/rss+xml",
                     test::rss_feed("channel " + std::to_string(f), items));
  }

  std::vector<std::string> cli(std::vector<std::string> args) const {
    std::vector<std::string> argv{VFB_BINARY,
                                  "--data-dir",
                                  data.string(),
                                  "--set",
                                  "sources.allow_loopback=true",
                                  "--set",
                                  "api.port=0",
                                  "--set",
                                  "queue.rescue_interval_ms=200",
                                  "--set",
                                  "auto_follow.refresh_interval_s=2",
                                  "--set",
                                  "discord.backfill_posts=each",
                                  "--set",
                                  "storage.media_cache_mb=1", // ~24 of the videos fill it
                                  "--set",
                                  "webhooks.acme/main=" + discord.webhook_url()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  process_result run(std::vector<std::string> args) const {
    process_options o;
    o.argv = cli(std::move(args));
    return run_process(o);
  }
};

/// Submits pages and follows feeds through the API of whatever node runs now (`port`, 0 while
/// none does), until `stop`. Pages are submitted in turn, then again (duplicates must name the
/// same job); a feed is followed every few rounds.
void drive(soak_fixture& f, std::atomic<int>& port, std::atomic<bool>& stop, accepted& got) {
  std::mt19937 rng{7};
  size_t next = 0;
  int round = 0;
  while (!stop) {
    int p = port.load();
    if (p == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds{20}); // no node: pacing only
      continue;
    }
    httplib::Client c{"127.0.0.1", p};
    c.set_connection_timeout(1);
    c.set_read_timeout(60);
    c.set_bearer_token_auth(f.token);
    ++round;
    if (round % 7 == 0) {
      auto feed = f.feed_url(static_cast<int>(rng() % feeds));
      auto r = c.Post("/v1/follows", json{{"url", feed}}.dump(), "application/json");
      std::lock_guard g{got.mu};
      if (r && r->status == 202)
        got.followed.insert(feed);
      else if (r)
        got.wrong.push_back("follow " + feed + ": " + std::to_string(r->status) + " " + r->body);
      continue;
    }
    const auto& page = f.pages[next % f.pages.size()];
    auto r = c.Post("/v1/submissions", json{{"url", page}}.dump(), "application/json");
    std::lock_guard g{got.mu};
    ++got.submissions;
    if (!r) {
      ++got.refused; // the node died meanwhile (or was not up yet): submitted again later
      continue;
    }
    if (r->status != 202) { // never a 5xx, never a refusal of a good URL
      got.wrong.push_back("submit " + page + ": " + std::to_string(r->status) + " " + r->body);
      continue;
    }
    auto id = json::parse(r->body)["job_id"].get<uint64_t>();
    auto [it, fresh] = got.job_of_page.emplace(page, id);
    if (!fresh && it->second != id)
      got.conflicting.insert(id);
    ++next;
    std::this_thread::sleep_for(std::chrono::milliseconds{50}); // pacing, not synchronisation
  }
}

/// The node's jobs through its API (every state, up to 1000).
json jobs_of(int port, const std::string& token) {
  httplib::Client c{"127.0.0.1", port};
  c.set_bearer_token_auth(token);
  auto r = c.Get("/v1/jobs?limit=1000");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return json::parse(r->body)["jobs"];
}

/// The node's /metrics.
std::string metrics_of(int port) {
  httplib::Client c{"127.0.0.1", port};
  auto r = c.Get("/metrics");
  REQUIRE(r);
  return r->body;
}

/// The media files under the artifacts' videos and their bytes.
media_usage media_on_disk(const fs::path& data) {
  media_usage u;
  for (const auto& f : fs::recursive_directory_iterator{data / "artifacts" / "videos"})
    if (f.is_regular_file() && media_cache::is_media(f.path())) {
      u.bytes += f.file_size();
      ++u.files;
    }
  return u;
}

bool all_ended(const json& jobs) {
  for (const auto& j : jobs) {
    auto s = j["state"].get<std::string>();
    if (s == "queued" || s == "leased" || s == "retrying")
      return false;
  }
  return true;
}

} // namespace

TEST_CASE("the whole node survives being SIGKILLed at random moments, losing and repeating "
          "nothing") {
  const int kills = env_int("VFB_SOAK_KILLS", 50);
  const auto seed =
      static_cast<unsigned>(env_int("VFB_SOAK_SEED", static_cast<int>(::time(nullptr))));
  std::cout << "kill soak: " << kills << " kills, seed " << seed << std::endl;
  std::mt19937 rng{seed};
  soak_fixture f;
  accepted got;
  std::atomic<int> port{0};
  std::atomic<bool> stop{false};
  std::thread driver{[&] { drive(f, port, stop, got); }};
  std::vector<std::string> logs; // every run's log lines, in order
  auto board = std::make_shared<test::output_board>();
  int new_uploads = 0;
  std::string media_metrics;
  size_t done_amid_kills = 0; // jobs done by runs that were then killed
  for (int kill = 0; kill <= kills; ++kill) {
    test::background node{f.cli({"node", "--json"}), board};
    REQUIRE(node.wait_for([](const test::background::lines& out, const test::background::lines&) {
      return test::ready_line(out).has_value();
    }));
    auto ready = *test::ready_line(node.out());
    port = ready["port"].get<int>();
    if (kill == kills) { // the last run works its queue off, with the driver stopped first
      done_amid_kills = test::done_jobs(logs).size();
      stop = true;
      driver.join();
      bool ended = false;
      for (int i = 0; i < 3000 && !ended; ++i) {
        ended = all_ended(jobs_of(port, f.token));
        if (!ended) // another process's progress can only be polled
          std::this_thread::sleep_for(std::chrono::milliseconds{100});
      }
      CHECK(ended);
      media_metrics = metrics_of(port);
      node.stop();
      port = 0;
    } else {
      if (kill % 5 == 0 && new_uploads < 6) // a new upload for the refresher to find
        f.add_feed_item(new_uploads++ % feeds, 0);
      // The random moment: anywhere from right after start to well into the work (jobs take
      // a few seconds: some end between kills, others never see the end of a run).
      std::uniform_int_distribution<int> moment{0, 6000};
      std::this_thread::sleep_for(std::chrono::milliseconds{moment(rng)});
      port = 0;
      REQUIRE(::kill(ready["pid"].get<pid_t>(), SIGKILL) == 0);
      auto killed = node.wait();
      CHECK(killed.signal == SIGKILL);
    }
    for (auto& l : node.err())
      logs.push_back(std::move(l));
  }

  // -- what the API accepted ---------------------------------------------------------------
  std::lock_guard g{got.mu};
  CHECK(got.wrong.empty());
  for (const auto& w : got.wrong)
    WARN(w);
  CHECK(got.conflicting.empty());
  CHECK(got.job_of_page.size() == f.pages.size()); // the driver got every page accepted
  const vfb_config cfg; // the stores' defaults: no --set of the node touches them
  job_queue queue{queue_options_for(cfg, f.data, true)};
  auto done_log = test::done_jobs(logs);
  for (const auto& [page, id] : got.job_of_page) {
    INFO("job " << id << " of " << page);
    auto v = queue.get(id);
    REQUIRE(v);
    CHECK(v->state == job_state::done);
    CHECK(done_log[id] <= 1); // done once (a kill may fall between its end and its log line)
  }
  // Every job, the follows' too, ended done: a kill is nobody's fault.
  auto all = queue.list({});
  std::set<std::string> done_videos;
  for (const auto& v : all) {
    INFO("job " << v.job.id << " " << v.job.url << ": " << to_string(v.state) << " "
                << v.last_error);
    CHECK(v.state == job_state::done);
    CHECK(v.rescues == 0);
    if (v.state == job_state::done)
      done_videos.insert(v.job.key.external_id);
  }
  CHECK(queue.check_invariants().empty());

  // -- memory: one entry per video -------------------------------------------------------
  memory_store memory{memory_options_for(cfg, f.data, true)};
  CHECK(memory.check_invariants().empty());
  CHECK(memory.stats("acme", "main").videos == done_videos.size());

  // -- follows kept their markers ------------------------------------------------------------
  follow_registry follows{follows_options_for(cfg, f.data, true)};
  CHECK(follows.check_invariants().empty());
  auto listed = follows.list("acme", "main");
  std::set<std::string> kept; // a follow whose answer a kill cut off is kept too
  for (const auto& fl : listed) {
    kept.insert(fl.channel_url);
    INFO("follow " << fl.channel_url);
    CHECK(fl.last_listed_at > 0);
    CHECK_FALSE(fl.newest_id.empty());
  }
  for (const auto& feed : got.followed)
    CHECK(kept.count(feed) == 1);

  // -- the media cache stayed within its bound (every video is transcribed: none is needed) ---
  auto media = media_on_disk(f.data);
  CHECK(media.bytes <= 1024 * 1024);
  CHECK(media.files < done_videos.size()); // the bound removed some
  CHECK(media_metrics.find("vfb_media_cache_limit_bytes 1048576\n") != std::string::npos);
  CHECK(media_metrics.find("vfb_media_cache_bytes " + std::to_string(media.bytes) + "\n") !=
        std::string::npos);

  // -- Discord: every video posted, duplicates bounded by the kills -----------------------------
  std::map<std::string, int> posts_of; // per video page
  static const std::regex page_in_post{R"(/watch/([a-z0-9_]+))"};
  for (const auto& r : f.discord.requests(test::fake_discord::execute_webhook)) {
    std::smatch m;
    if (r.status / 100 == 2 && std::regex_search(r.body, m, page_in_post))
      ++posts_of[m[1]];
  }
  size_t posts = 0;
  for (auto& [body, n] : posts_of)
    posts += static_cast<size_t>(n);
  auto duplicates = posts - posts_of.size();
  // How much work the kills cut off: the jobs each start found held by the run before.
  size_t interrupted = 0, announced = 0; // ... and the posts a restart said it may repeat

  static const std::regex requeued{R"(queue: (\d+) job\(s\) the last run held are queued again)"};
  for (const auto& l : logs) {
    std::smatch m;
    if (std::regex_search(l, m, requeued))
      interrupted += std::stoul(m[1]);
    if (l.find("posted to Discord; posting again") != std::string::npos)
      ++announced;
  }
  CHECK(interrupted >= static_cast<size_t>(kills) / 2); // the kills did cut jobs off
  CHECK(done_amid_kills > 0);                           // and work got done between them
  std::cout << "kill soak: " << kills << " kills, " << all.size() << " jobs done ("
            << got.job_of_page.size() << " submitted through the API, "
            << all.size() - got.job_of_page.size() << " from " << listed.size() << " follows), "
            << interrupted << " jobs cut off by a kill, " << done_amid_kills
            << " done by runs later killed, " << got.submissions << " submissions (" << got.refused
            << " refused while the node was down), " << posts << " Discord posts, " << duplicates
            << " duplicates (" << announced << " announced)" << std::endl;
  CHECK(posts_of.size() == done_videos.size());
  CHECK(duplicates <= announced); // every repeat was a crash in the window, and said so
  CHECK(announced <= static_cast<size_t>(kills));
}

TEST_CASE("a node that crashes leaves its marker: the job it ran alone is counted, then done") {
  soak_fixture f;
  test::background node{f.cli({"node", "--json"})};
  REQUIRE(node.wait_for([](const test::background::lines& out, const test::background::lines&) {
    return test::ready_line(out).has_value();
  }));
  auto ready = *test::ready_line(node.out());
  {
    httplib::Client c{"127.0.0.1", ready["port"].get<int>()};
    c.set_bearer_token_auth(f.token);
    auto r = c.Post("/v1/submissions", json{{"url", f.pages[0]}}.dump(), "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 202);
  }
  // The job is leased once its download asks for the media; a fault of the node's own then.
  REQUIRE(f.server.wait_for_request("/media/s0.mp4"));
  REQUIRE(::kill(ready["pid"].get<pid_t>(), SIGSEGV) == 0);
  auto crashed = node.wait();
  CHECK(crashed.signal == SIGSEGV); // the marker's handler ends the process as the signal would
  CHECK(fs::exists(f.data / crash_marker_name));

  test::background again{f.cli({"node", "--json"})};
  CHECK(again.wait_for_log("the last run crashed; the 1 job(s) it held run alone next"));
  CHECK_FALSE(fs::exists(f.data / crash_marker_name)); // taken in
  CHECK(again.wait_for([](const test::background::lines&, const test::background::lines& err) {
    return !test::done_jobs(err).empty();
  }));
  again.stop();
  job_queue queue{queue_options_for(vfb_config{}, f.data, true)};
  auto v = queue.list({});
  REQUIRE(v.size() == 1);
  CHECK(v[0].state == job_state::done);
  CHECK(v[0].rescues == 1); // it ran alone when the node crashed
}
