// Shared by the follow tests: a recorded-output replay of yt-dlp (tests/support/ytdlp_replay.py)
// with recordings built here as yt-dlp prints them, a node with auto-follow over a data dir, and
// a follow refresher rig that lists on request.
#pragma once

#include "actors/auto_follow.hpp"
#include "actors/channel_enumerator.hpp"
#include "actors/follow_refresher.hpp"
#include "actors/node.hpp"
#include "actors/scheduler.hpp"
#include "actors/stages.hpp"
#include "messages/errors.hpp"
#include "messages/time.hpp"
#include "storage/follow_registry.hpp"
#include "storage/job_queue.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/media.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

namespace vfb::test {

namespace fs = std::filesystem;

inline const std::string replay_program = VFB_SOURCE_DIR "/tests/support/ytdlp_replay.py";
inline const std::string channel_id = "UCsXVk37bltHxD1rDPwtNM8Q";
inline const std::string channel = "https://www.youtube.com/channel/" + channel_id;
inline constexpr int64_t day_s = 24 * 3600;

inline int64_t now_s() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

inline std::string video_id(int i) {
  auto s = "vid" + std::to_string(i);
  return s + std::string(11 - s.size(), 'x'); // 11 characters, like YouTube's ids
}

/// A flat tab entry as yt-dlp 2023.03.04 prints it with youtubetab:approximate_date.
inline std::string flat_entry(const std::string& id, int64_t age_days,
                              const std::string& title = "t",
                              const nlohmann::json& live_status = nullptr) {
  nlohmann::json j{{"_type", "url"},
                   {"ie_key", "Youtube"},
                   {"id", id},
                   {"url", "https://www.youtube.com/watch?v=" + id},
                   {"title", title},
                   {"description", nullptr},
                   {"duration", 321.0},
                   {"channel_id", nullptr},
                   {"timestamp", now_s() - age_days * day_s},
                   {"availability", nullptr},
                   {"live_status", live_status},
                   {"extractor", "youtube:tab"},
                   {"extractor_key", "YoutubeTab"},
                   {"playlist_index", 1}};
  return j.dump();
}

/// The approximate timestamp yt-dlp gives "N months ago" (a year is 12): the same day N
/// calendar months back (clamped to the month's end), rounded to the nearest UTC midnight.
inline int64_t approximate_months_ago(int months) {
  auto now = static_cast<std::time_t>(now_s());
  std::tm tm{};
  gmtime_r(&now, &tm);
  int total = tm.tm_year * 12 + tm.tm_mon - months;
  tm.tm_year = total / 12;
  tm.tm_mon = total % 12;
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int year = tm.tm_year + 1900;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  tm.tm_mday = std::min(tm.tm_mday, days[tm.tm_mon] + (tm.tm_mon == 1 && leap ? 1 : 0));
  auto t = timegm(&tm);
  return (t + day_s / 2) / day_s * day_s;
}

/// A flat /videos entry as yt-dlp 2026.07.04 and newer print it for YouTube's current channel
/// pages (lockupViewModel) with youtubetab:approximate_date: null fields stay in the JSON, a
/// finished upload has a duration and live_status null; an upcoming premiere or stream has
/// neither a duration nor a timestamp. `live_status_key` false: as releases between 2024.11
/// and 2026.07.04 print it, without live_status, availability or view_count at all.
inline std::string lockup_entry(const std::string& id, const nlohmann::json& timestamp,
                                const nlohmann::json& duration, const nlohmann::json& live_status,
                                bool live_status_key = true) {
  nlohmann::json j{{"_type", "url"},
                   {"ie_key", "Youtube"},
                   {"id", id},
                   {"url", "https://www.youtube.com/watch?v=" + id},
                   {"title", "Video " + id},
                   {"thumbnails", nlohmann::json::array()},
                   {"duration", duration},
                   {"timestamp", timestamp},
                   {"channel_url", nullptr},
                   {"uploader_url", nullptr},
                   {"extractor", "youtube:tab"},
                   {"extractor_key", "YoutubeTab"},
                   {"webpage_url", "https://www.youtube.com/watch?v=" + id},
                   {"playlist_index", 1}};
  if (live_status_key) {
    j["live_status"] = live_status;
    j["availability"] = nullptr;
    j["view_count"] = 1234;
  }
  return j.dump();
}

/// A playlist entry as yt-dlp prints it with --flat-playlist and youtubetab:approximate_date
/// (playlistVideoRenderer, `_extract_video`): an integer duration, the video's channel, an
/// approximate timestamp; live_status null for a finished video.
inline std::string playlist_entry(const std::string& id, int64_t age_days,
                                  const nlohmann::json& live_status = nullptr) {
  bool upcoming = live_status == "is_upcoming";
  nlohmann::json j{
      {"_type", "url"},
      {"ie_key", "Youtube"},
      {"id", id},
      {"url", "https://www.youtube.com/watch?v=" + id},
      {"title", "Listed " + id},
      {"description", nullptr},
      {"duration", upcoming ? nlohmann::json(nullptr) : nlohmann::json(612)},
      {"channel_id", "UCotherchannel000000000"},
      {"channel", "Other"},
      {"uploader_id", "@other"},
      {"thumbnails", nlohmann::json::array()},
      {"timestamp", upcoming ? nlohmann::json(nullptr)
                             : nlohmann::json((now_s() - age_days * day_s) / day_s * day_s)},
      {"release_timestamp", nullptr},
      {"availability", nullptr},
      {"view_count", 1000},
      {"live_status", live_status},
      {"extractor", "youtube:tab"},
      {"extractor_key", "YoutubeTab"},
      {"playlist_index", 1}};
  return j.dump();
}

/// A /shorts entry as yt-dlp prints it (shortsLockupViewModel): the Short's URL, a title and a
/// view count; no duration, no timestamp (even with approximate_date), no live_status.
inline std::string shorts_entry(const std::string& id) {
  nlohmann::json j{{"_type", "url"},
                   {"ie_key", "Youtube"},
                   {"id", id},
                   {"url", "https://www.youtube.com/shorts/" + id},
                   {"title", "Short " + id},
                   {"view_count", 5400},
                   {"thumbnails", nlohmann::json::array()},
                   {"extractor", "youtube:tab"},
                   {"extractor_key", "YoutubeTab"},
                   {"webpage_url", "https://www.youtube.com/shorts/" + id},
                   {"playlist_index", 1}};
  return j.dump();
}

/// The recording: a channel whose /videos tab lists `ages` (days, newest first) and whose
/// /streams tab lists one stream, plus the download of the submitted video.
struct recording {
  nlohmann::json doc{{"listings", nlohmann::json::object()},
                     {"downloads", nlohmann::json::object()}};

  void tab(const std::string& url, const std::vector<std::string>& lines, int exit = 0,
           const std::vector<std::string>& stderr_lines = {}) {
    doc["listings"][url] = {{"lines", lines}, {"exit", exit}, {"stderr", stderr_lines}};
  }
  void video(const std::string& id, const fs::path& media, const std::string& uploader = "Sci",
             const std::string& channel_of = channel_id) {
    doc["downloads"]["https://www.youtube.com/watch?v=" + id] = {
        {"media", media.string()},
        {"info",
         {{"id", id},
          {"title", "Submitted " + id},
          {"extractor", "youtube"},
          {"extractor_key", "Youtube"},
          {"uploader", uploader},
          {"uploader_id", "@sci"},
          {"uploader_url", "https://www.youtube.com/@sci"},
          {"channel_id", channel_of},
          {"channel_url", "https://www.youtube.com/channel/" + channel_of},
          {"webpage_url", "https://www.youtube.com/watch?v=" + id},
          {"upload_date", utc_date((now_s() - 20 * day_s) * 1000)},
          {"timestamp", now_s() - 20 * day_s},
          {"duration", 4.0},
          {"live_status", "not_live"},
          {"availability", "public"}}}};
  }
};

/// The replay's environment and log, a media file to hand out, a data dir.
struct replay_fixture {
  test::temp_dir dir;
  fs::path media = test::synth_video(dir.path(), "spoken", "The volcano erupted.");
  fs::path log = dir / "calls.jsonl";
  fs::path data = dir / "data";
  recording rec;

  void install() {
    std::ofstream(dir / "recording.json") << rec.doc.dump();
    ::setenv("VFB_REPLAY", (dir / "recording.json").c_str(), 1);
    ::setenv("VFB_REPLAY_LOG", log.c_str(), 1);
  }
  /// The calls the replay saw, as argv lists.
  std::vector<std::vector<std::string>> calls() const {
    std::vector<std::vector<std::string>> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);)
      out.push_back(nlohmann::json::parse(line).get<std::vector<std::string>>());
    return out;
  }
  size_t listings() const {
    size_t n = 0;
    for (auto& argv : calls())
      n += std::find(argv.begin(), argv.end(), "--flat-playlist") != argv.end();
    return n;
  }
  /// A channel with `n` videos on /videos, one a day, and one stream.
  void channel_of(size_t n, size_t garbage_lines = 0) {
    std::vector<std::string> lines;
    for (size_t i = 0; i < n; ++i)
      lines.push_back(flat_entry(video_id(static_cast<int>(i)), static_cast<int64_t>(i) * 30));
    for (size_t g = 0; g < garbage_lines; ++g)
      lines.insert(lines.begin() + 1, "{\"truncated\": ");
    rec.tab(channel + "/videos", lines);
    rec.tab(channel + "/streams", {flat_entry("stream00001", 3)});
  }
};

inline vfb_config follow_config(bool flags) {
  vfb_config c;
  c.tools.ytdlp = replay_program;
  c.auto_follow.enabled = flags;
  c.auto_follow.backfill = flags;
  c.rate_limits.listings_per_minute = 0; // unlimited: the tests are not about pacing
  c.pipeline.download_slots = 1;
  c.pipeline.transcribe_slots = 1;
  return c;
}

/// A node with auto-follow over the fixture's data dir; the test's actor hears every
/// follow result.
struct follow_node {
  test::threaded_system ts;
  std::shared_ptr<job_queue> queue;
  std::shared_ptr<follow_registry> follows;
  node_handles node;
  caf::scoped_actor self{*ts.sys};

  follow_node(const replay_fixture& f, const vfb_config& cfg) {
    queue_options qo;
    qo.dir = f.data;
    queue = std::make_shared<job_queue>(qo);
    follows = std::make_shared<follow_registry>(follows_options_for(cfg, f.data, false));
    node_setup setup;
    setup.config = cfg;
    setup.queue = queue;
    setup.follows = follows;
    setup.stages = real_stages(open_stage_environment(cfg, f.data));
    node = spawn_node(*ts.sys, setup);
    self->send(node.auto_follow, subscribe_atom::value, caf::actor_cast<follow_result_sink>(self));
    self->send(node.pipeline, subscribe_atom::value, caf::actor_cast<pipeline_event_sink>(self));
  }

  /// The stages job `id` finished, in order, until it ended; and how it ended.
  std::pair<std::vector<stage_kind>, outcome_kind> run_of(uint64_t id) {
    std::vector<stage_kind> stages;
    std::optional<outcome_kind> end;
    self->receive_while([&] { return !end; })(
        [&](const pipeline_event& ev) {
          if (ev.job_id != id)
            return;
          if (ev.kind == progress_kind::finished)
            stages.push_back(ev.stage);
          if (ev.kind == progress_kind::ended)
            end = ev.outcome.kind;
        },
        [](const follow_result&) {},
        caf::after(std::chrono::minutes{2}) >> [&] { FAIL("job " << id << " never ended"); });
    return {stages, *end};
  }
  ~follow_node() {
    stop_node(self, node);
    node = node_handles{};
  }

  uint64_t submit(const std::string& url) {
    submission s;
    s.url = url;
    s.tenant = "acme";
    s.workspace = "main";
    uint64_t id = 0;
    self->request(node.submission, caf::infinite, submit_atom::value, s)
        .receive([&](const enqueue_result& r) { id = r.job_id; },
                 [&](const caf::error& e) { FAIL(error_message(e)); });
    return id;
  }
  follow_result result_for(uint64_t job) {
    follow_result out;
    bool got = false;
    self->receive_while([&] { return !got; })(
        [&](const follow_result& r) {
          if (r.job_id == job) {
            out = r;
            got = true;
          }
        },
        caf::after(std::chrono::minutes{2}) >> [&] { FAIL("no follow result for " << job); });
    return out;
  }
  job_view view(uint64_t id) {
    job_view out;
    self->request(node.scheduler, caf::infinite, caf::get_atom::value, id)
        .receive([&](job_view& v) { out = std::move(v); },
                 [&](const caf::error& e) { FAIL(error_message(e)); });
    return out;
  }
  std::vector<job_view> jobs() {
    std::vector<job_view> out;
    job_filter all;
    all.limit = 10000;
    self->request(node.scheduler, caf::infinite, list_atom::value, all)
        .receive([&](std::vector<job_view>& v) { out = std::move(v); },
                 [&](const caf::error& e) { FAIL(error_message(e)); });
    return out;
  }
};

/// A scheduler, follow registry, enumerator and refresher over `data`, for tests that refresh
/// one follow at a time themselves.
struct refresh_rig {
  test::threaded_system ts;
  scheduler_impl sched;
  std::shared_ptr<follow_registry> registry;
  channel_enumerator_actor enumerator;
  follow_refresher_actor refresher;
  caf::scoped_actor self{*ts.sys};

  refresh_rig(const fs::path& data, const vfb_config& cfg) {
    queue_options qo;
    qo.dir = data;
    sched = spawn_scheduler(*ts.sys, std::make_shared<job_queue>(qo));
    registry = std::make_shared<follow_registry>(follows_options_for(cfg, data, false));
    enumerator = ts.sys->spawn<caf::detached>(
        channel_enumerator, caf::actor_cast<scheduler_actor>(sched), enumerator_options_from(cfg));
    refresher_options ro;
    ro.tick = 3'600'000; // the tests ask for each refresh themselves
    refresher = ts.sys->spawn<caf::detached>(follow_refresher, registry, enumerator, ro);
  }
  ~refresh_rig() {
    for (const auto& a :
         {caf::actor_cast<caf::actor>(refresher), caf::actor_cast<caf::actor>(enumerator),
          caf::actor_cast<caf::actor>(sched)})
      self->send_exit(a, caf::exit_reason::user_shutdown);
  }

  /// Follows `url` for acme/main with the 12-month window; never due by the timer.
  uint64_t follow(const std::string& url, const std::string& source) {
    follow_record f;
    f.tenant = "acme";
    f.workspace = "main";
    f.channel_url = url;
    f.source = source;
    f.since = (now_s() - 365 * day_s) * 1000;
    f.limit = 200;
    f.next_refresh_at = std::numeric_limits<millis>::max() / 2;
    return registry->add(f, now_s() * 1000).follow.id;
  }
  enumeration_result refresh(uint64_t id) {
    enumeration_result out;
    self->request(refresher, caf::infinite, refresh_atom::value, id)
        .receive([&](enumeration_result& r) { out = std::move(r); },
                 [&](const caf::error& e) { FAIL(error_message(e)); });
    return out;
  }
  std::vector<job_view> jobs() {
    std::vector<job_view> out;
    job_filter all;
    all.limit = 100;
    self->request(sched, caf::infinite, list_atom::value, all)
        .receive([&](std::vector<job_view>& v) { out = std::move(v); },
                 [&](const caf::error& e) { FAIL(error_message(e)); });
    return out;
  }
};

} // namespace vfb::test
