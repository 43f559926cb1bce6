// Auto-follow and backfill end to end. YouTube answers come from a recorded-output replay of
// yt-dlp (tests/support/ytdlp_replay.py: the one place a stand-in for yt-dlp is allowed); the
// feed tests run the real yt-dlp against a loopback RSS feed. Nothing leaves this machine.
#include "actors/auto_follow.hpp"
#include "actors/channel_enumerator.hpp"
#include "actors/follow_refresher.hpp"
#include "actors/node.hpp"
#include "actors/scheduler.hpp"
#include "actors/stages.hpp"
#include "adapters/backfill.hpp"
#include "adapters/process.hpp"
#include "messages/errors.hpp"
#include "storage/follow_registry.hpp"
#include "storage/job_queue.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/follow_fixture.hpp"
#include "tests/support/media.hpp"
#include "tests/support/media_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/ytdlp_replay.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

using namespace vfb;
using namespace vfb::test;
namespace fs = std::filesystem;

TEST_CASE("flags on: a YouTube video's uploader is followed and the last 12 months enqueued") {
  replay_fixture f;
  f.channel_of(15); // one video every 30 days: days 0..420, so 13 are within 365 days
  f.rec.video("submitted01", f.media);
  f.install();
  follow_node n{f, follow_config(true)};
  auto id = n.submit("https://youtu.be/submitted01?t=3");
  auto r = n.result_for(id);
  CHECK(r.enabled);
  auto [stages, end] = n.run_of(id); // the submitted video's own run is unchanged
  CHECK(end == outcome_kind::done);
  CHECK(stages.size() == stage_count);
  CHECK(r.channel_url == channel);
  // 13 in the window on /videos (the 14th is older: yt-dlp stops there, exit 101), 1 stream.
  CHECK(r.enqueued == 14);
  REQUIRE(r.job_ids.size() == 14);
  size_t backfill = 0;
  for (const auto& v : n.jobs()) {
    CHECK(v.job.key.tenant == "acme");
    CHECK(v.job.key.workspace == "main");
    if (v.job.id == id)
      continue;
    ++backfill;
    CHECK(v.job.priority == priority_class::backfill);
    CHECK(v.job.origin == job_origin::backfill);
    CHECK(v.job.key.source == "youtube");
    CHECK(v.job.upload_cutoff > 0);
  }
  CHECK(backfill == 14);
  auto follows = n.follows->list("acme", "main");
  REQUIRE(follows.size() == 1);
  CHECK(follows[0].channel_url == channel);
  CHECK(follows[0].created_from_job == id);
  CHECK(follows[0].newest_id == video_id(0));
  CHECK(follows[0].enqueued_total == 14);
  // Each tab was listed on its own, the URL last after --.
  std::vector<std::string> listed;
  for (auto& argv : f.calls())
    if (std::find(argv.begin(), argv.end(), "--flat-playlist") != argv.end()) {
      REQUIRE(argv.size() >= 2);
      CHECK(argv[argv.size() - 2] == "--");
      listed.push_back(argv.back());
    }
  CHECK(listed == std::vector<std::string>{channel + "/videos", channel + "/streams"});
}

TEST_CASE("flags off: no follow, no listing, no extra job") {
  replay_fixture f;
  f.channel_of(5);
  f.rec.video("submitted01", f.media);
  f.install();
  follow_node n{f, follow_config(false)};
  auto id = n.submit("https://www.youtube.com/watch?v=submitted01");
  auto r = n.result_for(id);
  CHECK_FALSE(r.enabled);
  CHECK(r.enqueued == 0);
  CHECK(n.follows->list().empty());
  CHECK(f.listings() == 0);
  auto [stages, end] = n.run_of(id);
  CHECK(end == outcome_kind::done);
  CHECK(stages == std::vector<stage_kind>{stage_kind::download, stage_kind::transcribe,
                                          stage_kind::analyze, stage_kind::memory,
                                          stage_kind::post});
  auto jobs = n.jobs();
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].job.id == id);
}

TEST_CASE("a workspace's own setting wins over the flag, both ways") {
  replay_fixture f;
  f.channel_of(2);
  f.rec.video("submitted01", f.media);
  f.install();
  follow_node n{f, follow_config(true)};
  n.follows->set_setting("acme", "main", auto_follow_setting::off);
  auto r = n.result_for(n.submit("https://www.youtube.com/watch?v=submitted01"));
  CHECK_FALSE(r.enabled);
  CHECK(f.listings() == 0);
}

TEST_CASE("a second video of the same channel is not backfilled again") {
  replay_fixture f;
  f.channel_of(4);
  f.rec.video("submitted01", f.media);
  f.rec.video("submitted02", f.media);
  f.install();
  follow_node n{f, follow_config(true)};
  auto first = n.result_for(n.submit("https://www.youtube.com/watch?v=submitted01"));
  CHECK(first.enqueued == 5);
  auto listings = f.listings();
  auto second = n.result_for(n.submit("https://www.youtube.com/watch?v=submitted02"));
  CHECK(second.enabled);
  CHECK(second.enqueued == 0);
  CHECK_THAT(second.note, Catch::Contains("already following"));
  CHECK(f.listings() == listings);
  CHECK(n.follows->list().size() == 1);
}

TEST_CASE("the enumerator: cap, duplicates, malformed lines, exit 101, yt-dlp missing") {
  replay_fixture f;
  f.channel_of(10, 2); // two truncated lines after the first entry
  f.install();
  test::threaded_system ts;
  queue_options qo;
  qo.dir = f.data;
  auto sched = spawn_scheduler(*ts.sys, std::make_shared<job_queue>(qo));
  auto scheduler = caf::actor_cast<scheduler_actor>(sched);
  caf::scoped_actor self{*ts.sys};
  auto cfg = follow_config(true);
  auto spawn = [&](const std::string& program) {
    auto o = enumerator_options_from(cfg);
    o.ytdlp.program = program;
    return ts.sys->spawn<caf::detached>(channel_enumerator, scheduler, o);
  };
  auto enumerate = [&](channel_enumerator_actor e, const backfill_plan& p) {
    enumeration_result out;
    self->request(e, caf::infinite, enumerate_atom::value, p)
        .receive([&](enumeration_result& r) { out = std::move(r); },
                 [&](const caf::error& err) { FAIL(error_message(err)); });
    return out;
  };
  backfill_plan plan;
  plan.channel_url = channel;
  plan.tenant = "acme";
  plan.workspace = "main";
  plan.since = (now_s() - 365 * day_s) * 1000;
  plan.limit = 4;
  plan.automatic = true;
  auto e = spawn(replay_program);

  // One video is queued already for the workspace.
  ingest_job known;
  known.key = {"acme", "main", "youtube", video_id(1)};
  known.url = "https://www.youtube.com/watch?v=" + video_id(1);
  self->request(scheduler, caf::infinite, enqueue_atom::value, known, false)
      .receive([](const enqueue_result&) {},
               [&](const caf::error& err) { FAIL(error_message(err)); });

  auto capped = enumerate(e, plan);
  CHECK(capped.ok);
  CHECK(capped.listed == 4); // the cap: /streams is not even listed
  CHECK(capped.enqueued == 3);
  CHECK(capped.duplicates == 1);
  CHECK(capped.malformed == 2);
  CHECK(f.listings() == 1);

  plan.limit = 200;
  auto all = enumerate(e, plan);
  CHECK(all.ok);
  // /videos: days 0, 30, ..., 270 are all in the window; /streams: 1.
  CHECK(all.listed == 11);
  CHECK(all.enqueued == 7); // 11 minus the 4 queued by now
  CHECK(all.duplicates == 4);

  plan.since = (now_s() - 100 * day_s) * 1000; // yt-dlp stops at the filter (exit 101)
  auto windowed = enumerate(e, plan);
  CHECK(windowed.ok);
  // Days 0, 30, 60 and 90 are within 100 days; 120 is not. And the stream.
  CHECK(windowed.listed == 5);
  plan.since = (now_s() - 88 * day_s) * 1000; // no margin below the window: day 90 is out
  CHECK(enumerate(e, plan).listed == 4);
  auto missing = enumerate(spawn(f.dir / "no-such-yt-dlp"), plan);
  CHECK(missing.ok);
  CHECK(missing.enqueued == 0);
  CHECK_THAT(missing.note, Catch::Contains("not found"));

  auto off_cfg = follow_config(false);
  auto off =
      ts.sys->spawn<caf::detached>(channel_enumerator, scheduler, enumerator_options_from(off_cfg));
  auto disabled = enumerate(off, plan);
  CHECK(disabled.enqueued == 0);
  CHECK_THAT(disabled.note, Catch::Contains("ENABLE_UPLOADER_BACKFILL"));
  self->send_exit(sched, caf::exit_reason::user_shutdown);
}

TEST_CASE("auto-follow ignores other sites and uploads without an uploader") {
  auto_follow_options on;
  on.enabled = true;
  download_completed d;
  d.job.id = 7;
  d.job.key = {"acme", "main", "generic", "http://127.0.0.1/x"};
  d.download.extractor = "Generic";
  d.download.uploader = "Someone";
  auto generic = decide_follow(d, auto_follow_setting::inherit, on, 1'000'000);
  CHECK(generic.result.enabled);
  CHECK_FALSE(generic.follow);
  CHECK_THAT(generic.result.note, Catch::Contains("not a YouTube video"));

  d.download.extractor = "Youtube"; // yt-dlp says YouTube, but the job's URL was not: no follow
  CHECK_FALSE(decide_follow(d, auto_follow_setting::inherit, on, 1'000'000).follow);
  d.job.key = {"acme", "main", "youtube", "dQw4w9WgXcQ"};
  d.download.uploader.clear();
  d.download.uploader_id = "@sci"; // a handle alone is not an uploader's name
  d.download.channel_id = channel_id;
  auto anonymous = decide_follow(d, auto_follow_setting::inherit, on, 1'000'000);
  CHECK_FALSE(anonymous.follow);
  CHECK_THAT(anonymous.result.note, Catch::Contains("no uploader"));

  d.download.uploader = "Sci";
  auto followed = decide_follow(d, auto_follow_setting::inherit, on, 1'000'000'000'000);
  REQUIRE(followed.follow);
  CHECK(followed.follow->channel_url == channel);
  CHECK(followed.follow->since == 1'000'000'000'000 - on.window);
  CHECK(followed.follow->limit == 200);
  CHECK(followed.follow->created_from_job == 7);
  CHECK_FALSE(decide_follow(d, auto_follow_setting::off, on, 0).result.enabled);
  auto_follow_options off;
  CHECK_FALSE(decide_follow(d, auto_follow_setting::inherit, off, 0).result.enabled);
  CHECK(decide_follow(d, auto_follow_setting::on, off, 0).follow);
}

namespace {

/// A loopback RSS feed of `n` videos, one every 60 days from 10 days ago (real yt-dlp lists it).
struct feed_fixture {
  test::temp_dir dir;
  test::media_server server{dir.path()};
  std::vector<test::rss_item> items;

  void add_item(int64_t age_days) {
    auto i = items.size();
    test::rss_item item;
    item.title = "Video " + std::to_string(i);
    item.url = server.url("/watch/v" + std::to_string(i));
    item.pub_date = test::rss_date(now_s() - age_days * day_s);
    item.guid = item.url;
    items.insert(items.begin(), item); // newest first, as feeds are
    server.add_route("/feed.xml", "application/rss+xml", test::rss_feed("channel", items));
  }
  std::string feed() const { return server.url("/feed.xml"); }
};

} // namespace

TEST_CASE("real yt-dlp: following a feed of 8 enqueues the 5 within 12 months, a refresh the 9th") {
  feed_fixture feed;
  for (int64_t age : {540, 480, 420, 300, 240, 180, 120, 60}) // 3 older than a year
    feed.add_item(age);
  test::temp_dir data;
  auto cfg = follow_config(true);
  cfg.tools.ytdlp = "yt-dlp";
  cfg.sources.allow_loopback = true;
  refresh_rig rig{data.path(), cfg};
  auto id = rig.follow(feed.feed(), "generic");
  auto first = rig.refresh(id);
  INFO(first.note);
  CHECK(first.ok);
  CHECK(first.enqueued == 5);
  auto stored = rig.registry->get(id);
  REQUIRE(stored);
  CHECK(stored->enqueued_total == 5);
  CHECK(stored->last_listed_at > 0);

  feed.add_item(1); // a new upload
  auto second = rig.refresh(id);
  INFO(second.note);
  CHECK(second.ok);
  CHECK(second.enqueued == 1);
  CHECK(second.duplicates == 5); // passed over as known: not enqueued (nor promoted) again
  auto jobs = rig.jobs();
  CHECK(jobs.size() == 6);
  CHECK(std::count_if(jobs.begin(), jobs.end(), [](const job_view& v) {
          return v.job.priority == priority_class::refresh;
        }) == 1);
}

TEST_CASE("a YouTube refresh stops each tab at its own newest video, and approximate dates lose "
          "no upload") {
  replay_fixture fx;
  fx.rec.tab(channel + "/videos", {flat_entry(video_id(0), 1), flat_entry(video_id(1), 30),
                                   flat_entry(video_id(2), 60)});
  fx.rec.tab(channel + "/streams", {flat_entry("stream00001", 3), flat_entry("stream00002", 90)});
  fx.install();
  refresh_rig rig{fx.data, follow_config(true)};
  auto id = rig.follow(channel, "youtube");
  auto first = rig.refresh(id);
  INFO(first.note);
  CHECK(first.enqueued == 5);
  CHECK(rig.registry->get(id)->newest_ids == std::vector<std::string>{video_id(0), "stream00001"});

  // New uploads on both tabs. YouTube's flat dates are approximate ("3 days ago"): the new
  // video is listed first (it is newer) but dated before the newest known one, and the new
  // stream (a recording published late) is dated weeks before it. A stream is scheduled too.
  auto upcoming = [](const char* status) {
    return flat_entry("upcoming001", status == std::string{"is_upcoming"} ? -2 : 0, "t", status);
  };
  fx.rec.tab(channel + "/videos", {flat_entry("newvideo001", 3), flat_entry(video_id(0), 1),
                                   flat_entry(video_id(1), 30), flat_entry(video_id(2), 60)});
  fx.rec.tab(channel + "/streams", {upcoming("is_upcoming"), flat_entry("stream00003", 20),
                                    flat_entry("stream00001", 3), flat_entry("stream00002", 90)});
  fx.install();
  auto calls_before = fx.calls().size();
  auto second = rig.refresh(id);
  INFO(second.note);
  CHECK(second.ok);
  CHECK(second.enqueued == 2);
  CHECK(second.listed == 2); // each tab stopped at its own marker; the scheduled one waits
  CHECK(second.skipped == 1);
  // The scheduled stream is no marker: streams that end below it would never be listed.
  CHECK(rig.registry->get(id)->newest_ids ==
        std::vector<std::string>{"newvideo001", "stream00003"});
  auto calls = fx.calls();
  REQUIRE(calls.size() == calls_before + 2);
  auto filter_of = [](const std::vector<std::string>& argv) {
    auto it = std::find(argv.begin(), argv.end(), "--break-match-filters");
    return it == argv.end() || it + 1 == argv.end() ? std::string{} : *(it + 1);
  };
  CHECK(calls[calls_before].back() == channel + "/videos");
  CHECK_THAT(filter_of(calls[calls_before]), Catch::Contains("id!=?" + video_id(0)));
  CHECK(calls[calls_before + 1].back() == channel + "/streams");
  CHECK_THAT(filter_of(calls[calls_before + 1]), Catch::Contains("id!=?stream00001"));

  // The stream has been broadcast; nothing new on /videos, whose marker stays.
  fx.rec.tab(channel + "/streams", {upcoming("was_live"), flat_entry("stream00003", 20),
                                    flat_entry("stream00001", 3), flat_entry("stream00002", 90)});
  fx.install();
  auto third = rig.refresh(id);
  INFO(third.note);
  CHECK(third.enqueued == 1);
  CHECK(rig.registry->get(id)->newest_ids ==
        std::vector<std::string>{"newvideo001", "upcoming001"});

  std::set<std::string> refreshed;
  auto jobs = rig.jobs();
  for (const auto& v : jobs)
    if (v.job.priority == priority_class::refresh)
      refreshed.insert(v.job.key.external_id);
  CHECK(jobs.size() == 8);
  CHECK(refreshed == std::set<std::string>{"newvideo001", "stream00003", "upcoming001"});
}

namespace {

std::string break_filter_of(const std::vector<std::string>& argv) {
  auto it = std::find(argv.begin(), argv.end(), "--break-match-filters");
  return it == argv.end() || it + 1 == argv.end() ? std::string{"(none)"} : *(it + 1);
}

} // namespace

TEST_CASE("a YouTube playlist is listed whole in its own order: old entries are skipped, not an "
          "end") {
  const std::string playlist =
      "https://www.youtube.com/playlist?list=PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU";
  replay_fixture fx;
  std::vector<std::string> lines{
      playlist_entry("old00000001", 400), // an old video first: the window must not end here
      playlist_entry("recent00001", 10),
      playlist_entry("old00000002", 700),
      playlist_entry("recent00002", 100),
      R"({"_type":"url","ie_key":"Youtube","id":"deleted0001","url":"https://www.youtube.com/watch?v=deleted0001","title":"[Deleted video]","duration":null,"timestamp":null,"live_status":null})",
      playlist_entry("upcoming001", 0, "is_upcoming")};
  fx.rec.tab(playlist, lines);
  fx.install();
  refresh_rig rig{fx.data, follow_config(true)};
  auto id = rig.follow(playlist, "youtube");
  auto first = rig.refresh(id);
  INFO(first.note);
  CHECK(first.ok);
  CHECK(first.enqueued == 2);
  CHECK(first.skipped == 4); // two too old, one deleted, one scheduled
  auto calls = fx.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].back() == playlist); // the playlist itself, not channel tabs
  CHECK(break_filter_of(calls[0]) == "(none)");

  // Added since: an old video (playlists gain old videos as readily as new ones) and a new one,
  // at the end. The refresh lists the playlist again; the queue knows the first two.
  lines.push_back(playlist_entry("added000001", 200));
  lines.push_back(playlist_entry("added000002", 1));
  fx.rec.tab(playlist, lines);
  fx.install();
  auto second = rig.refresh(id);
  INFO(second.note);
  CHECK(second.ok);
  CHECK(second.enqueued == 2);
  CHECK(second.duplicates == 2);
  calls = fx.calls();
  REQUIRE(calls.size() == 2);
  CHECK(break_filter_of(calls[1]) == "(none)");
  // The refresh cannot tell new entries from queued ones: it enqueues at backfill priority, so
  // that the backfill still queued is not promoted.
  std::set<std::string> refreshed;
  for (const auto& v : rig.jobs()) {
    CHECK(v.job.priority == priority_class::backfill);
    if (v.job.origin == job_origin::refresh)
      refreshed.insert(v.job.key.external_id);
  }
  CHECK(refreshed == std::set<std::string>{"added000001", "added000002"});
}

TEST_CASE("[auto_follow] tabs = videos, shorts: Shorts are enqueued, not taken for upcoming, and "
          "the Shorts tab keeps its own marker") {
  replay_fixture fx;
  auto days_ago = [](int d) { return (now_s() - d * day_s) / day_s * day_s; };
  fx.rec.tab(channel + "/videos", {lockup_entry("video000001", days_ago(2), 754.0, nullptr),
                                   lockup_entry("video000002", days_ago(40), 98.0, nullptr)});
  fx.rec.tab(channel + "/shorts", {shorts_entry("short000001"), shorts_entry("short000002")});
  // No /streams in the recording: listing it would fail the follow.
  fx.install();
  auto cfg = follow_config(true);
  cfg.auto_follow.tabs = {"videos", "shorts"};
  refresh_rig rig{fx.data, cfg};
  auto id = rig.follow(channel, "youtube");
  auto first = rig.refresh(id);
  INFO(first.note);
  CHECK(first.ok);
  CHECK(first.enqueued == 4);
  CHECK(first.skipped == 0);
  // Markers stay at each tab's place among videos, streams, shorts.
  CHECK(rig.registry->get(id)->newest_ids ==
        std::vector<std::string>{"video000001", "", "short000001"});
  auto calls = fx.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].back() == channel + "/videos");
  CHECK(calls[1].back() == channel + "/shorts");
  // Shorts have no date on the listing: the download checks it against the window.
  auto since = rig.registry->get(id)->since;
  for (const auto& v : rig.jobs()) {
    CHECK(v.job.upload_cutoff == since);
    if (v.job.key.external_id == "short000001")
      CHECK(v.job.url == "https://www.youtube.com/watch?v=short000001");
  }

  fx.rec.tab(channel + "/shorts", {shorts_entry("short000003"), shorts_entry("short000001"),
                                   shorts_entry("short000002")});
  fx.install();
  auto second = rig.refresh(id);
  INFO(second.note);
  CHECK(second.enqueued == 1);
  CHECK(second.listed == 1); // the Shorts tab stopped at its own marker
  calls = fx.calls();
  REQUIRE(calls.size() == 4);
  CHECK_THAT(break_filter_of(calls[3]), Catch::Contains("id!=?short000001"));
  CHECK(rig.registry->get(id)->newest_ids ==
        std::vector<std::string>{"video000001", "", "short000003"});
}

TEST_CASE("today's YouTube listings: a strict window, upcoming entries without live_status wait") {
  replay_fixture fx;
  auto days_ago = [](int d) { return (now_s() - d * day_s) / day_s * day_s; };
  fx.rec.tab(channel + "/videos",
             {// A premiere, as yt-dlp before 2026.07.04 lists it: no live_status at all.
              lockup_entry("premiere001", nullptr, nullptr, nullptr, false),
              // A scheduled stream as today's yt-dlp lists it.
              lockup_entry("upcoming001", nullptr, nullptr, "is_upcoming"),
              lockup_entry("recent00001", days_ago(2), 754.0, nullptr),
              lockup_entry("months00011", approximate_months_ago(11), 98.0, nullptr),
              // "1 year ago": 12 to 23 months old, outside the 12-month window, though its
              // approximate date is within half a day of the window's start.
              lockup_entry("year0000001", approximate_months_ago(12), 301.0, nullptr),
              lockup_entry("year0000002", approximate_months_ago(12), 302.0, nullptr),
              lockup_entry("year0000003", approximate_months_ago(12), 303.0, nullptr),
              lockup_entry("years000002", approximate_months_ago(24), 304.0, nullptr)});
  fx.rec.tab(channel + "/streams", {});
  fx.install();
  refresh_rig rig{fx.data, follow_config(true)};
  auto id = rig.follow(channel, "youtube");
  auto first = rig.refresh(id);
  INFO(first.note);
  CHECK(first.ok);
  CHECK(first.enqueued == 2);
  CHECK(first.listed == 2);
  CHECK(first.skipped == 2); // the premiere and the scheduled stream
  std::set<std::string> enqueued;
  for (const auto& v : rig.jobs())
    enqueued.insert(v.job.key.external_id);
  CHECK(enqueued == std::set<std::string>{"recent00001", "months00011"});
  // The marker is the newest finished upload: a refresh stopping at a premiere would never see
  // what is uploaded below it meanwhile.
  CHECK(rig.registry->get(id)->newest_ids.at(0) == "recent00001");
  // yt-dlp stopped at the first "1 year ago" entry: the filter has no margin below the window.
  auto calls = fx.calls();
  REQUIRE_FALSE(calls.empty());
  auto filter = std::find(calls.front().begin(), calls.front().end(), "--break-match-filters");
  REQUIRE(filter + 1 < calls.front().end());
  CHECK_THAT(*(filter + 1), Catch::StartsWith("timestamp>?"));
}

TEST_CASE("an uploads tab listed as empty with success is an error that says what to do") {
  replay_fixture fx;
  // What yt-dlp 2023.03.04 prints for a channel today: nothing, and exit 0.
  fx.rec.tab(channel + "/videos", {});
  fx.rec.tab(channel + "/streams", {});
  fx.install();
  refresh_rig rig{fx.data, follow_config(true)};
  auto id = rig.follow(channel, "youtube");
  auto old = rig.refresh(id);
  INFO(old.note);
  CHECK_FALSE(old.ok);
  CHECK_THAT(old.note, Catch::Contains("yt-dlp 2023.03.04") && Catch::Contains("too old") &&
                           Catch::Contains("2026.07.04") && Catch::Contains("vfb tools update"));
  auto f = rig.registry->get(id);
  CHECK(f->last_error == old.note);
  CHECK(f->last_listed_at == 0); // still the backfill: its window and cap stay
  CHECK(rig.jobs().empty());

  // A yt-dlp new enough for the pages that still lists nothing: the same error, another cause.
  test::temp_dir bin;
  auto cfg = follow_config(true);
  cfg.tools.ytdlp = test::ytdlp_replay_as(bin.path(), replay_program, "2026.08.19").string();
  refresh_rig current{fx.data / "current", cfg};
  auto id2 = current.follow(channel, "youtube");
  auto r = current.refresh(id2);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.note, Catch::Contains("yt-dlp 2026.08.19") && Catch::Contains("changed"));

  // Nothing printed because the newest upload is older than the window: a normal, empty listing.
  fx.rec.tab(channel + "/videos", {flat_entry(video_id(0), 400)});
  fx.install();
  auto older = rig.refresh(id);
  INFO(older.note);
  CHECK(older.ok);
  CHECK(older.enqueued == 0);
  CHECK(rig.registry->get(id)->last_error.empty());

  // Old yt-dlp may not even find the uploads tab on today's pages: not an empty channel either.
  fx.rec.tab(channel + "/videos", {}, 1,
             {"ERROR: [youtube:tab] " + channel_id + ": This channel does not have a videos tab"});
  fx.install();
  auto missing = rig.refresh(id);
  CHECK_FALSE(missing.ok);
  CHECK_THAT(missing.note, Catch::Contains("too old"));
}

TEST_CASE("a channel without a Live tab is listed from its other tabs, other failures fail") {
  replay_fixture fx;
  fx.rec.tab(channel + "/videos", {flat_entry(video_id(0), 1), flat_entry(video_id(1), 30)});
  fx.rec.tab(channel + "/streams", {}, 1,
             {"ERROR: [youtube:tab] " + channel_id + ": This channel does not have a streams tab"});
  fx.install();
  refresh_rig rig{fx.data, follow_config(true)};
  auto id = rig.follow(channel, "youtube");
  auto listed = rig.refresh(id);
  INFO(listed.note);
  CHECK(listed.ok);
  CHECK(listed.enqueued == 2);
  CHECK(rig.registry->get(id)->newest_ids == std::vector<std::string>{video_id(0), ""});

  fx.rec.tab(channel + "/streams", {}, 1,
             {"ERROR: [youtube:tab] " + channel_id + ": HTTP Error 500: Internal Server Error"});
  fx.install();
  auto failed = rig.refresh(id);
  CHECK_FALSE(failed.ok);
  CHECK_THAT(failed.note, Catch::Contains("HTTP Error 500"));
  CHECK(rig.registry->get(id)->last_error == failed.note);
}

namespace {

process_result vfb_cli(const fs::path& data, std::vector<std::string> args,
                       std::map<std::string, std::string> env = {}) {
  process_options o;
  o.argv = {VFB_BINARY, "--data-dir", data.string(), "--set", "sources.allow_loopback=true"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = std::move(env);
  return run_process(o);
}

} // namespace

TEST_CASE("vfb follow add, ls, pause, resume, rm and settings auto-follow") {
  feed_fixture feed;
  for (int64_t age : {400, 200, 100, 10})
    feed.add_item(age);
  test::temp_dir data;
  auto added = vfb_cli(data.path(), {"follow", "add", feed.feed(), "--tenant", "acme",
                                     "--workspace", "main", "--json"});
  INFO(added.out << added.err);
  REQUIRE(added.exit_code == 0);
  auto j = nlohmann::json::parse(added.out);
  CHECK(j["enqueued"] == 3);
  CHECK(j["follow"]["channel_url"] == feed.feed());
  auto id = j["follow"]["id"].get<uint64_t>();

  auto again = vfb_cli(data.path(),
                       {"follow", "add", feed.feed(), "--tenant", "acme", "--workspace", "main"});
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("already following"));
  CHECK_THAT(again.out, Catch::Contains("0 enqueued"));

  auto ls = [&] {
    auto r = vfb_cli(data.path(), {"follow", "ls", "--json"});
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
  };
  REQUIRE(ls().size() == 1);
  CHECK(ls()[0]["enqueued_total"] == 3);
  CHECK(vfb_cli(data.path(), {"follow", "pause", std::to_string(id)}).exit_code == 0);
  CHECK(ls()[0]["paused"] == true);
  CHECK(vfb_cli(data.path(), {"follow", "resume", std::to_string(id)}).exit_code == 0);
  CHECK(ls()[0]["paused"] == false);
  CHECK(vfb_cli(data.path(), {"follow", "rm", std::to_string(id)}).exit_code == 0);
  CHECK(ls().empty());
  CHECK(vfb_cli(data.path(), {"follow", "rm", std::to_string(id)}).exit_code == 1);

  auto video = vfb_cli(data.path(), {"follow", "add", "https://youtu.be/dQw4w9WgXcQ", "--tenant",
                                     "acme", "--workspace", "main"});
  CHECK(video.exit_code == 2);
  CHECK_THAT(video.err, Catch::Contains("is a video, not a channel"));
  CHECK_THAT(video.err,
             Catch::Contains("Follow a YouTube channel") && Catch::Contains("a YouTube playlist"));
  auto since = vfb_cli(data.path(), {"follow", "add", feed.feed(), "--tenant", "acme",
                                     "--workspace", "main", "--since", "last year"});
  CHECK(since.exit_code == 2);
  CHECK_THAT(since.err, Catch::Contains("--since"));

  // Read before anything is stored: the workspace inherits the node's flag (off here).
  auto read = vfb_cli(data.path(), {"settings", "auto-follow", "--tenant", "acme", "--workspace",
                                    "main", "--json"});
  CHECK(read.exit_code == 0);
  CHECK(nlohmann::json::parse(read.out) == nlohmann::json{{"tenant", "acme"},
                                                          {"workspace", "main"},
                                                          {"setting", "inherit"},
                                                          {"effective", false}});
  auto on = vfb_cli(data.path(),
                    {"settings", "auto-follow", "on", "--tenant", "acme", "--workspace", "main"});
  CHECK(on.exit_code == 0);
  CHECK_THAT(on.out, Catch::Contains("now on"));
  follow_registry reg{follows_options_for(vfb_config{}, data.path(), true)};
  CHECK(reg.setting("acme", "main") == auto_follow_setting::on);
  read =
      vfb_cli(data.path(), {"settings", "auto-follow", "--tenant", "acme", "--workspace", "main"});
  CHECK(read.exit_code == 0);
  CHECK(read.out == "auto-follow for acme/main: on (now on)\n");
  // Another workspace is not affected by acme/main's setting.
  read = vfb_cli(data.path(), {"settings", "auto-follow", "--tenant", "acme", "--workspace", "b"});
  CHECK(read.out == "auto-follow for acme/b: inherit (now off)\n");
  auto bogus = vfb_cli(
      data.path(), {"settings", "auto-follow", "maybe", "--tenant", "acme", "--workspace", "main"});
  CHECK(bogus.exit_code == 2);
}

TEST_CASE("an invalid AUTO_FOLLOW_MAX_VIDEOS is a one-line start-up error") {
  test::temp_dir data;
  for (const char* bad : {"lots", "-5", "1e9", ""}) {
    auto r = vfb_cli(data.path(), {"queue", "stats"}, {{"AUTO_FOLLOW_MAX_VIDEOS", bad}});
    if (std::string{bad}.empty())
      continue; // an empty value removes the variable (the process runner's convention)
    INFO(bad << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("AUTO_FOLLOW_MAX_VIDEOS"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("a throttled listing opens the source's breaker: no more listings or downloads") {
  replay_fixture f;
  f.rec.tab(channel + "/videos", {}, 1,
            {"WARNING: [youtube:tab] unable to download page",
             "ERROR: [youtube:tab] " + channel_id +
                 ": Sign in to confirm you're not a bot. This helps protect our community."});
  f.install();
  test::threaded_system ts;
  queue_options qo;
  qo.dir = f.data;
  auto sched = spawn_scheduler(*ts.sys, std::make_shared<job_queue>(qo));
  auto scheduler = caf::actor_cast<scheduler_actor>(sched);
  auto e = ts.sys->spawn<caf::detached>(channel_enumerator, scheduler,
                                        enumerator_options_from(follow_config(true)));
  caf::scoped_actor self{*ts.sys};
  backfill_plan plan;
  plan.channel_url = channel;
  plan.tenant = "acme";
  plan.workspace = "main";
  auto enumerate = [&] {
    enumeration_result out;
    self->request(e, caf::infinite, enumerate_atom::value, plan)
        .receive([&](enumeration_result& r) { out = std::move(r); },
                 [&](const caf::error& err) { FAIL(error_message(err)); });
    return out;
  };
  auto throttled = enumerate();
  CHECK_FALSE(throttled.ok);
  CHECK_THAT(throttled.note, Catch::Contains("not a bot"));
  CHECK(f.listings() == 1);
  // The breaker is open: the next listing does not even run yt-dlp ...
  auto waiting = enumerate();
  CHECK_FALSE(waiting.ok);
  CHECK_THAT(waiting.note, Catch::Contains("circuit breaker"));
  CHECK(f.listings() == 1);
  // ... and YouTube jobs are not leased meanwhile.
  ingest_job job;
  job.key = {"acme", "main", "youtube", "dQw4w9WgXcQ"};
  job.url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
  self->request(scheduler, caf::infinite, enqueue_atom::value, job, false)
      .receive([](const enqueue_result&) {},
               [&](const caf::error& err) { FAIL(error_message(err)); });
  self->request(scheduler, caf::infinite, lease_atom::value, std::string{"w"}, uint32_t{1},
                millis{60'000})
      .receive([](const std::vector<lease>& ls) { CHECK(ls.empty()); },
               [&](const caf::error& err) { FAIL(error_message(err)); });
  self->send_exit(e, caf::exit_reason::user_shutdown);
  self->send_exit(sched, caf::exit_reason::user_shutdown);
}

TEST_CASE("a backfill job whose video is older than its window ends skipped, not downloaded") {
  replay_fixture f;
  f.rec.video("oldvideo001", f.media); // uploaded 20 days ago (see recording::video)
  f.install();
  // A window that starts days after the upload (the day is enough), or a minute after it (only
  // the exact time tells).
  auto cutoff = GENERATE(now_s(), now_s() - 20 * day_s + 60);
  follow_node n{f, follow_config(false)};
  ingest_job job;
  job.key = {"acme", "main", "youtube", "oldvideo001"};
  job.url = "https://www.youtube.com/watch?v=oldvideo001";
  job.priority = priority_class::backfill;
  job.origin = job_origin::backfill;
  job.upload_cutoff = cutoff * 1000;
  uint64_t id = 0;
  n.self->send(n.node.pipeline, subscribe_atom::value,
               caf::actor_cast<pipeline_event_sink>(n.self));
  n.self->request(n.node.scheduler, caf::infinite, enqueue_atom::value, job, false)
      .receive([&](const enqueue_result& r) { id = r.job_id; },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  job_outcome outcome;
  bool ended = false;
  n.self->receive_while([&] { return !ended; })(
      [&](const pipeline_event& ev) {
        if (ev.job_id == id && ev.kind == progress_kind::ended) {
          outcome = ev.outcome;
          ended = true;
        }
      },
      [](const follow_result&) {},
      caf::after(std::chrono::minutes{2}) >> [&] { FAIL("the job never ended"); });
  CHECK(outcome.kind == outcome_kind::skipped);
  CHECK_THAT(outcome.reason, Catch::Contains("backfill window"));
  // yt-dlp was asked with --dateafter and the exact time, and wrote no media.
  auto calls = f.calls();
  REQUIRE(calls.size() == 1);
  CHECK(std::find(calls[0].begin(), calls[0].end(), "--dateafter") != calls[0].end());
  CHECK(std::find(calls[0].begin(), calls[0].end(), "--match-filters") != calls[0].end());
  size_t media_files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(f.data / "artifacts"))
    media_files += entry.path().filename().string().rfind("media.", 0) == 0;
  CHECK(media_files == 0);
}

TEST_CASE("vfb run with the flags on follows the uploader and waits for the backfill it caused") {
  replay_fixture f;
  f.channel_of(2); // two videos and a stream: three backfill jobs
  f.rec.video("submitted01", f.media);
  for (const auto& id : {video_id(0), video_id(1), std::string{"stream00001"}})
    f.rec.video(id, f.media);
  f.install();
  std::map<std::string, std::string> flags{{"ENABLE_AUTO_FOLLOW_UPLOADER", "1"},
                                           {"ENABLE_UPLOADER_BACKFILL", "1"}};
  auto args = [&](const std::string& video, bool wait) {
    std::vector<std::string> a{"--set",       "tools.ytdlp=" + replay_program,
                               "run",         "https://www.youtube.com/watch?v=" + video,
                               "--tenant",    "acme",
                               "--workspace", "main"};
    if (!wait)
      a.push_back("--no-wait-follow");
    return a;
  };
  auto run = vfb_cli(f.data, args("submitted01", true), flags);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("auto-follow: following " + channel));
  CHECK_THAT(run.out, Catch::Contains("3 enqueued"));
  CHECK_THAT(run.out, Catch::Contains("[3/3] job"));
  job_queue q{[&] {
    queue_options o;
    o.dir = f.data;
    o.read_only = true;
    return o;
  }()};
  CHECK(q.stats().by_state[static_cast<size_t>(job_state::done)] == 4);

  // Another workspace, without waiting: the backfill stays queued.
  auto other = args("submitted01", false);
  other[other.size() - 2] = "other";
  auto quick = vfb_cli(f.data, other, flags);
  INFO(quick.out << quick.err);
  REQUIRE(quick.exit_code == 0);
  CHECK_THAT(quick.out, Catch::Contains("3 jobs stay queued (--no-wait-follow)"));
}
