// The channel enumerator on its own: a stand-in scheduler (breaker, trip, enqueue) instead of the
// queue, the recorded-output replay of yt-dlp (tests/support/ytdlp_replay.py) for the listing,
// and the deterministic scheduler. The counts and notes it answers with, and what it asks the
// scheduler for.
#include "actors/channel_enumerator.hpp"
#include "messages/errors.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/follow_fixture.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <set>

using namespace vfb;
using namespace vfb::test;

namespace {

/// What the stand-in scheduler saw and how it answers.
struct scheduler_script {
  millis breaker_until = 0;              // when the source's breaker closes (0: closed)
  std::vector<std::string> breaker_asks; // sources asked about
  std::vector<std::pair<std::string, millis>> trips;
  std::vector<std::vector<ingest_job>> batches;
  std::set<std::string> known; // external ids answered as duplicates
  bool fail = false;           // enqueue answers with an error
};

caf::behavior stand_in_scheduler(caf::event_based_actor*, std::shared_ptr<scheduler_script> s) {
  return {
      [s](breaker_atom, const std::string& source) -> millis {
        s->breaker_asks.push_back(source);
        return s->breaker_until;
      },
      [s](trip_atom, const std::string& source, millis retry_after) -> millis {
        s->trips.emplace_back(source, retry_after);
        return retry_after;
      },
      [s](enqueue_atom, const std::vector<ingest_job>& jobs,
          bool) -> caf::result<std::vector<enqueue_result>> {
        s->batches.push_back(jobs);
        if (s->fail)
          return make_error(errc::storage_failure, "the disk is full");
        std::vector<enqueue_result> out;
        for (size_t i = 0; i < jobs.size(); ++i) {
          enqueue_result a;
          a.job_id = 100 + i;
          a.status = s->known.count(jobs[i].key.external_id) != 0 ? enqueue_status::duplicate
                                                                  : enqueue_status::created;
          out.push_back(a);
        }
        return out;
      },
  };
}

struct rig {
  temp_dir dir;
  recording rec;
  deterministic_system ds;
  std::shared_ptr<scheduler_script> script = std::make_shared<scheduler_script>();
  caf::actor scheduler;
  channel_enumerator_actor actor;
  caf::scoped_actor self{*ds.sys};

  /// A channel whose /videos tab lists three videos (1, 2 and 3 days old), /streams none.
  rig() {
    rec.tab(channel + "/videos",
            {flat_entry(video_id(0), 1), flat_entry(video_id(1), 2), flat_entry(video_id(2), 3)});
    rec.tab(channel + "/streams", {});
    scheduler = ds.sys->spawn(stand_in_scheduler, script);
  }
  ~rig() {
    if (actor)
      ds.stop(self, actor);
    ds.stop(self, scheduler);
  }
  /// Installs the recording and starts the enumerator with the backfill switch `enabled`.
  void start(bool enabled = true) {
    std::ofstream(dir / "recording.json") << rec.doc.dump();
    ::setenv("VFB_REPLAY", (dir / "recording.json").c_str(), 1);
    ::setenv("VFB_REPLAY_LOG", (dir / "calls.jsonl").c_str(), 1);
    actor = ds.sys->spawn(channel_enumerator, caf::actor_cast<scheduler_actor>(scheduler),
                          enumerator_options_from(follow_config(enabled)));
  }
  enumeration_result enumerate(const backfill_plan& plan) {
    auto h = self->request(actor, caf::infinite, enumerate_atom::value, plan);
    ds.sched->run();
    enumeration_result out;
    h.receive([&](enumeration_result& r) { out = std::move(r); },
              [&](const caf::error& e) { FAIL(error_message(e)); });
    return out;
  }
  /// How many listings yt-dlp ran.
  size_t listings() const {
    std::ifstream in(dir / "calls.jsonl");
    size_t n = 0;
    for (std::string line; std::getline(in, line);)
      n += line.find("--flat-playlist") != std::string::npos;
    return n;
  }
};

backfill_plan channel_plan() {
  backfill_plan p;
  p.channel_url = channel;
  p.uploader_handle = "Sci";
  p.tenant = "acme";
  p.workspace = "main";
  p.since = (now_s() - 365 * day_s) * 1000;
  p.follow_id = 4;
  return p;
}

} // namespace

TEST_CASE("enumerator: a listing is enqueued as one batch and counted from the answers") {
  rig r;
  r.script->known = {video_id(1)}; // queued for the workspace already
  r.start();
  auto res = r.enumerate(channel_plan());
  CHECK(res.ok);
  CHECK(res.ran);
  CHECK(res.follow_id == 4);
  CHECK(res.listed == 3);
  CHECK(res.enqueued == 2);
  CHECK(res.duplicates == 1);
  CHECK(res.job_ids == std::vector<uint64_t>{100, 102});
  CHECK(res.newest_id == video_id(0));
  CHECK(res.note == "listed 3 videos of Sci (" + channel + "): 2 enqueued, 1 already known");
  CHECK(r.script->breaker_asks == std::vector<std::string>{"youtube"});
  REQUIRE(r.script->batches.size() == 1);
  const auto& batch = r.script->batches.front();
  REQUIRE(batch.size() == 3);
  for (const auto& j : batch) {
    CHECK(j.key.tenant == "acme");
    CHECK(j.key.workspace == "main");
    CHECK(j.priority == priority_class::backfill);
    CHECK(j.origin == job_origin::backfill);
  }
  CHECK(r.script->trips.empty());
}

TEST_CASE("enumerator: an open breaker leaves the source alone, yt-dlp does not run") {
  rig r;
  r.script->breaker_until = now_millis() + 3'600'000;
  r.start();
  auto res = r.enumerate(channel_plan());
  CHECK_FALSE(res.ok);
  CHECK(res.follow_id == 4);
  CHECK(res.note ==
        "youtube is throttling us; listing " + channel + " waits until its circuit breaker closes");
  CHECK(r.listings() == 0);
  CHECK(r.script->batches.empty());
}

TEST_CASE("enumerator: a throttled listing trips the source's breaker and enqueues nothing") {
  rig r;
  r.rec.tab(channel + "/videos", {}, 1,
            {"ERROR: [youtube:tab] " + channel_id +
             ": Sign in to confirm you're not a bot. This helps protect our community."});
  r.start();
  auto res = r.enumerate(channel_plan());
  CHECK_FALSE(res.ok);
  CHECK_THAT(res.note, Catch::StartsWith("listing Sci (" + channel + ") failed: "));
  REQUIRE(r.script->trips.size() == 1);
  CHECK(r.script->trips.front().first == "youtube");
  CHECK(r.script->trips.front().second > 0);
  CHECK(r.script->batches.empty());
}

TEST_CASE("enumerator: a failed enqueue is a failed listing that says so") {
  rig r;
  r.script->fail = true;
  r.start();
  auto res = r.enumerate(channel_plan());
  CHECK_FALSE(res.ok);
  CHECK(res.note == "enqueueing the listing failed: the disk is full");
  CHECK(res.enqueued == 0);
  CHECK(r.script->batches.size() == 1);
}

TEST_CASE("enumerator: with backfill off, auto-follow's follows are not listed, people's are") {
  rig r;
  r.start(false);
  auto plan = channel_plan();
  plan.automatic = true;
  auto off = r.enumerate(plan);
  CHECK(off.ok);
  CHECK_FALSE(off.ran);
  CHECK_THAT(off.note, Catch::Contains("ENABLE_UPLOADER_BACKFILL"));
  CHECK(r.listings() == 0);
  CHECK(r.script->batches.empty());
  plan.automatic = false;
  auto asked = r.enumerate(plan);
  CHECK(asked.ran);
  CHECK(asked.enqueued == 3);
  CHECK(r.listings() >= 1);
}
