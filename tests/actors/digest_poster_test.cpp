// The digest poster actor: on each tick it asks the scheduler which workspaces still have
// backfill or refresh jobs on their way, posts the digests of the others to their workspace's
// webhook (a loopback fake of Discord), and survives a scheduler that does not answer.
#include "actors/config_options.hpp"
#include "actors/digest_poster.hpp"
#include "actors/scheduler.hpp"
#include "storage/discord_store.hpp"
#include "storage/job_queue.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/fake_discord.hpp"
#include "tests/support/inline_scheduler.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

using namespace vfb;
using vfb::test::deterministic_system;

namespace {

/// A poster over a real scheduler and Discord store, run by the deterministic coordinator.
struct poster_rig {
  test::temp_dir dir;
  test::fake_discord discord;
  vfb_config config;
  deterministic_system ds;
  caf::scoped_actor self{*ds.sys};
  std::shared_ptr<job_queue> queue;
  std::shared_ptr<discord_store> store;
  scheduler_actor sched;
  digest_poster_actor poster;

  poster_rig() {
    config.discord.webhooks["acme/main"] = discord.webhook_url();
    queue = std::make_shared<job_queue>(queue_options_for(config, dir / "data", false));
    store = std::make_shared<discord_store>(discord_options_for(config, dir / "data", false));
    sched = ds.sys->spawn(scheduler, queue, test::inline_sync());
    poster = ds.sys->spawn(digest_poster, sched, store, config, digest_poster_options{});
    ds.sched->run();
  }
  ~poster_rig() {
    ds.stop(self, poster);
    ds.stop(self, sched);
  }

  void add_entry(uint64_t job_id, const std::string& title) {
    digest_entry e;
    e.tenant = "acme";
    e.workspace = "main";
    e.group = "https://www.youtube.com/channel/UCa";
    e.job_id = job_id;
    e.uploader = "Channel A";
    e.title = title;
    e.url = "https://www.youtube.com/watch?v=v" + std::to_string(job_id);
    e.added_at = now_millis();
    store->add_digest_entry(e);
  }

  uint64_t enqueue_backfill(const std::string& video) {
    ingest_job j;
    j.key = {"acme", "main", "youtube", video};
    j.url = "https://www.youtube.com/watch?v=" + video;
    j.priority = priority_class::backfill;
    self->send(sched, enqueue_atom::value, j, false);
    ds.sched->run();
    uint64_t id = 0;
    self->receive([&](const enqueue_result& r) { id = r.job_id; });
    return id;
  }

  void cancel(uint64_t id) {
    self->send(sched, cancel_atom::value, id);
    ds.sched->run();
    self->receive([](const job_view&) {});
  }

  /// One tick of the poster, run to its end (the scheduler's answer and the posts included).
  void tick() {
    self->send(poster, tick_atom::value);
    ds.sched->run();
  }
};

} // namespace

TEST_CASE("a digest waits while its workspace has backfill jobs on their way, then is posted") {
  poster_rig rig;
  rig.add_entry(1, "Talk one");
  rig.add_entry(2, "Talk two");
  auto pending = rig.enqueue_backfill("v3");

  rig.tick();
  CHECK(rig.discord.posts().empty()); // more of the follow's videos are coming
  CHECK(rig.store->digest_groups().size() == 1);

  rig.cancel(pending);
  rig.tick();
  REQUIRE(rig.discord.wait_for_posts(1));
  auto posts = rig.discord.posts();
  REQUIRE(posts.size() == 1);
  auto text = posts[0].dump();
  CHECK_THAT(text, Catch::Contains("Talk one"));
  CHECK_THAT(text, Catch::Contains("Talk two"));
  CHECK(rig.store->digest_groups().empty()); // posted entries are forgotten

  rig.tick(); // nothing left: nothing posted again
  CHECK(rig.discord.posts().size() == 1);
}

TEST_CASE("interactive jobs do not hold a digest back") {
  poster_rig rig;
  rig.add_entry(1, "Talk one");
  ingest_job j;
  j.key = {"acme", "main", "youtube", "asked"};
  j.url = "https://www.youtube.com/watch?v=asked";
  j.priority = priority_class::interactive;
  rig.self->send(rig.sched, enqueue_atom::value, j, false);
  rig.ds.sched->run();
  rig.self->receive([](const enqueue_result&) {});
  rig.tick();
  REQUIRE(rig.discord.wait_for_posts(1));
  CHECK(rig.store->digest_groups().empty());
}

TEST_CASE("a scheduler that does not answer leaves the digests waiting and the poster alive") {
  poster_rig rig;
  rig.add_entry(1, "Talk one");
  rig.self->monitor(rig.poster);
  rig.ds.stop(rig.self, rig.sched);
  rig.tick();
  CHECK(rig.discord.posts().empty());
  CHECK(rig.store->digest_groups().size() == 1); // nothing lost: the next tick tries again
  bool down = false;
  rig.self->receive([&](const caf::down_msg&) { down = true; },
                    caf::after(std::chrono::seconds{0}) >> [] {});
  CHECK_FALSE(down);
}
