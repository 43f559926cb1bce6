// The follow refresher on its own: a stand-in channel enumerator that answers when the test
// releases it (tests/support/follow_stand_ins.hpp), a real follow registry in a temporary
// directory, and the deterministic scheduler. Which follows a tick lists, how a listing is
// recorded, and one listing per follow at a time.
#include "actors/follow_refresher.hpp"
#include "tests/support/follow_stand_ins.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>
#include <limits>

using namespace vfb;

namespace {

refresher_options options() {
  refresher_options o;
  o.interval = 600'000;
  o.jitter_pct = 10;
  o.tick = 60'000;
  o.refresh_limit = 25;
  return o;
}

constexpr millis never = std::numeric_limits<millis>::max() / 2;

struct rig : test::stand_in_rig {
  follow_refresher_actor actor;

  rig() {
    script->listed(1, "vid0xxxxxxx", "listed 1 video");
    script->answer.newest_timestamp = 1'700'000'000;
    script->hold = true; // each listing waits for the test's release()
  }
  ~rig() {
    if (actor)
      ds.stop(self, actor);
  }
  /// Starts the refresher: its first tick runs at once.
  void start() {
    actor = ds.sys->spawn(follow_refresher, registry,
                          caf::actor_cast<channel_enumerator_actor>(enumerator), options());
    ds.sched->run();
  }
  uint64_t follow(const std::string& handle, millis next_refresh_at) {
    follow_record f;
    f.tenant = "acme";
    f.workspace = "main";
    f.channel_url = "https://www.youtube.com/@" + handle;
    f.source = "youtube";
    f.limit = 40;
    f.next_refresh_at = next_refresh_at;
    return registry->add(f, now_millis()).follow.id;
  }
  void release() {
    self->send(enumerator, test::release_atom::value);
    ds.sched->run();
  }
};

} // namespace

TEST_CASE("refresher: a tick lists the due follows, not the paused or later ones") {
  rig r;
  auto due = r.follow("due", 1);
  auto later = r.follow("later", never);
  auto paused = r.follow("paused", 1);
  r.registry->modify(paused, [](follow_record& f) { f.paused = true; });
  r.start();
  REQUIRE(r.script->plans.size() == 1);
  CHECK(r.script->plans.front().follow_id == due);
  // Never listed: the backfill with the follow's own cap.
  CHECK(r.script->plans.front().limit == 40);
  CHECK(r.script->plans.front().priority == priority_class::backfill);
  r.release();
  auto f = r.registry->get(due);
  REQUIRE(f);
  CHECK(f->last_listed_at > 0);
  CHECK(f->enqueued_total == 1);
  CHECK(f->newest_id == "vid0xxxxxxx");
  CHECK(f->next_refresh_at >= f->last_listed_at + 540'000);
  CHECK(f->next_refresh_at <= f->last_listed_at + 660'000);
  CHECK(r.registry->due(f->last_listed_at).empty()); // listed: not due again until then
  CHECK(r.registry->get(later)->last_listed_at == 0);
  CHECK(r.registry->get(paused)->last_listed_at == 0);
}

TEST_CASE("refresher: a follow asked for is listed whether due or not, and refreshes from its "
          "newest video") {
  rig r;
  auto id = r.follow("sci", never);
  r.start();
  CHECK(r.script->plans.empty());
  auto first = r.self->request(r.actor, caf::infinite, refresh_atom::value, id);
  r.ds.sched->run();
  r.release();
  first.receive([&](const enumeration_result& res) { CHECK(res.note == "listed 1 video"); },
                [&](const caf::error& e) { FAIL(error_message(e)); });
  auto second = r.self->request(r.actor, caf::infinite, refresh_atom::value, id);
  r.ds.sched->run();
  r.release();
  second.receive([](const enumeration_result&) {},
                 [&](const caf::error& e) { FAIL(error_message(e)); });
  REQUIRE(r.script->plans.size() == 2);
  const auto& refresh = r.script->plans.back();
  CHECK(refresh.priority == priority_class::refresh);
  CHECK(refresh.origin == job_origin::refresh);
  CHECK(refresh.limit == 25); // the refresh cap, not the follow's
  CHECK(refresh.stop_at_id == "vid0xxxxxxx");
  CHECK(refresh.known_until == 1'700'000'000);
  CHECK(r.registry->get(id)->enqueued_total == 2);
}

TEST_CASE("refresher: one listing per follow at a time, a second ask hears so at once") {
  rig r;
  auto id = r.follow("sci", never);
  r.start();
  auto first = r.self->request(r.actor, caf::infinite, refresh_atom::value, id);
  r.ds.sched->run(); // the enumerator holds the first listing
  auto second = r.self->request(r.actor, caf::infinite, refresh_atom::value, id);
  r.ds.sched->run();
  second.receive(
      [&](const enumeration_result& res) {
        CHECK(res.follow_id == id);
        CHECK(res.note == "follow " + std::to_string(id) + " is being listed already");
        CHECK(res.enqueued == 0);
      },
      [&](const caf::error& e) { FAIL(error_message(e)); });
  CHECK(r.script->plans.size() == 1);
  r.release();
  first.receive([](const enumeration_result&) {},
                [&](const caf::error& e) { FAIL(error_message(e)); });
}

TEST_CASE("refresher: a failed listing is answered with its error and recorded nowhere") {
  rig r;
  auto id = r.follow("sci", never);
  r.start();
  r.script->fail = true;
  auto failed = r.self->request(r.actor, caf::infinite, refresh_atom::value, id);
  r.ds.sched->run();
  r.release();
  failed.receive([](const enumeration_result&) { FAIL("a failed listing succeeded"); },
                 [&](const caf::error& e) { CHECK(error_message(e) == "the enumerator broke"); });
  auto f = r.registry->get(id);
  CHECK(f->last_listed_at == 0);
  CHECK(f->next_refresh_at == never);
  // The follow is free again: the next ask lists it.
  r.script->fail = false;
  auto again = r.self->request(r.actor, caf::infinite, refresh_atom::value, id);
  r.ds.sched->run();
  r.release();
  again.receive([](const enumeration_result&) {},
                [&](const caf::error& e) { FAIL(error_message(e)); });
  CHECK(r.script->plans.size() == 2);
}

TEST_CASE("refresher: an unknown follow is an error") {
  rig r;
  r.start();
  auto unknown = r.self->request(r.actor, caf::infinite, refresh_atom::value, uint64_t{99});
  r.ds.sched->run();
  unknown.receive([](const enumeration_result&) { FAIL("an unknown follow was listed"); },
                  [&](const caf::error& e) {
                    CHECK(e.code() == static_cast<uint8_t>(errc::not_found));
                    CHECK(error_message(e) == "no follow 99");
                  });
}
