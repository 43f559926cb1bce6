// The auto-follow actor on its own: a stand-in channel enumerator, a real follow registry in a
// temporary directory, and the deterministic scheduler (each step runs when the test says so).
// What it records, what it asks the enumerator to list, and what its subscribers hear.
#include "actors/auto_follow.hpp"
#include "tests/support/follow_stand_ins.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>

using namespace vfb;

namespace {

const std::string channel_id = "UCsXVk37bltHxD1rDPwtNM8Q";
const std::string channel = "https://www.youtube.com/channel/" + channel_id;

download_completed youtube_download(uint64_t job_id, const std::string& video) {
  download_completed d;
  d.job.id = job_id;
  d.job.key = {"acme", "main", "youtube", video};
  d.download.extractor = "Youtube";
  d.download.uploader = "Sci";
  d.download.channel_id = channel_id;
  return d;
}

auto_follow_options options() {
  auto_follow_options o;
  o.enabled = true;
  o.max_videos = 30;
  o.window = 1'000'000;
  o.refresh.interval = 600'000;
  o.refresh.jitter_pct = 10;
  return o;
}

/// An auto-follow actor over a fresh registry, the test's actor subscribed to its results.
struct rig : test::stand_in_rig {
  auto_follow_actor actor;

  explicit rig(const auto_follow_options& o = options()) {
    script->listed(2, "vid0xxxxxxx", "listed 2 videos");
    script->answer.job_ids = {101, 102};
    actor = ds.sys->spawn(auto_follow, registry,
                          caf::actor_cast<channel_enumerator_actor>(enumerator), o);
    self->send(actor, subscribe_atom::value, caf::actor_cast<follow_result_sink>(self));
    ds.sched->run();
  }
  ~rig() { ds.stop(self, actor); }

  follow_result after(const download_completed& d) {
    self->send(actor, d);
    ds.sched->run();
    follow_result out;
    self->receive([&](const follow_result& r) { out = r; });
    return out;
  }
};

} // namespace

TEST_CASE("auto-follow: off for the workspace, nothing is followed or listed") {
  rig r;
  r.registry->set_setting("acme", "main", auto_follow_setting::off); // wins over the flag
  auto result = r.after(youtube_download(7, "dQw4w9WgXcQ"));
  CHECK(result.job_id == 7);
  CHECK_FALSE(result.enabled);
  CHECK(result.note == "auto-follow is off for acme/main");
  CHECK(result.follow_id == 0);
  CHECK(r.script->plans.empty());
  CHECK(r.registry->list().empty());
}

TEST_CASE("auto-follow: the uploader's channel is followed, its backfill listed and recorded") {
  rig r;
  auto before = now_millis();
  auto result = r.after(youtube_download(7, "dQw4w9WgXcQ"));
  auto after = now_millis();
  CHECK(result.enabled);
  CHECK(result.channel_url == channel);
  CHECK(result.enqueued == 2);
  CHECK(result.job_ids == std::vector<uint64_t>{101, 102});
  CHECK(result.note == "following " + channel + ": listed 2 videos");

  auto all = r.registry->list();
  REQUIRE(all.size() == 1);
  const auto& f = all.front();
  CHECK(result.follow_id == f.id);
  CHECK(f.channel_url == channel);
  CHECK(f.uploader == "Sci");
  CHECK(f.origin == job_origin::backfill);
  CHECK(f.created_from_job == 7);
  CHECK(f.limit == 30);
  CHECK(f.since >= before - 1'000'000);
  CHECK(f.since <= after - 1'000'000);
  // The listing is recorded, and the refresher's turn is one period (with jitter) after it.
  CHECK(f.enqueued_total == 2);
  CHECK(f.newest_id == "vid0xxxxxxx");
  CHECK(f.last_listed_at >= before);
  CHECK(f.next_refresh_at >= f.last_listed_at + 540'000);
  CHECK(f.next_refresh_at <= f.last_listed_at + 660'000);

  // The backfill plan: the follow's own cap and window, marked as auto-follow's.
  REQUIRE(r.script->plans.size() == 1);
  const auto& plan = r.script->plans.front();
  CHECK(plan.follow_id == f.id);
  CHECK(plan.channel_url == channel);
  CHECK(plan.automatic);
  CHECK(plan.limit == 30);
  CHECK(plan.since == f.since);
  CHECK(plan.priority == priority_class::backfill);
  CHECK(plan.tenant == "acme");
  CHECK(plan.workspace == "main");

  // Another video of the same channel: followed already, not listed again.
  auto again = r.after(youtube_download(8, "aaaaaaaaaaa"));
  CHECK(again.follow_id == f.id);
  CHECK(again.note == "already following " + channel + " (follow " + std::to_string(f.id) + ")");
  CHECK(again.enqueued == 0);
  CHECK(r.script->plans.size() == 1);
}

TEST_CASE("auto-follow: a failed backfill is reported and the follow waits for the refresher") {
  rig r;
  r.script->fail = true;
  auto before = now_millis();
  auto result = r.after(youtube_download(7, "dQw4w9WgXcQ"));
  CHECK(result.follow_id != 0);
  CHECK(result.note == "following " + channel + ", but its backfill failed: the enumerator broke");
  auto f = r.registry->get(result.follow_id);
  REQUIRE(f);
  CHECK(f->last_listed_at == 0); // never listed: its first refresh is still the backfill
  CHECK(f->next_refresh_at >= before + 540'000);
}

TEST_CASE("auto-follow: a download that is not a followable YouTube video follows nothing") {
  rig r;
  auto d = youtube_download(7, "dQw4w9WgXcQ");
  d.download.uploader.clear();
  auto anonymous = r.after(d);
  CHECK(anonymous.enabled);
  CHECK(anonymous.note == "the video names no uploader: auto-follow skipped");
  d = youtube_download(8, "dQw4w9WgXcQ");
  d.job.key.source = "generic";
  CHECK_THAT(r.after(d).note, Catch::StartsWith("not a YouTube video (Youtube)"));
  CHECK(r.script->plans.empty());
  CHECK(r.registry->list().empty());
}
