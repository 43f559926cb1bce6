// The scheduler actor: group commit, replies after commit, events, and the lease protocol.
#include "actors/scheduler.hpp"
#include "messages/errors.hpp"
#include "messages/register.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/inline_scheduler.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

using namespace vfb;
using vfb::test::deterministic_system;
using vfb::test::inline_sync;
using vfb::test::open_queue;
using vfb::test::threaded_system;

namespace {

ingest_job make_job(const std::string& tenant, const std::string& video,
                    priority_class prio = priority_class::interactive) {
  ingest_job j;
  j.key = {tenant, "ws", "youtube", video};
  j.url = "https://www.youtube.com/watch?v=" + video;
  j.priority = prio;
  return j;
}

} // namespace

TEST_CASE("requests that arrive together share one commit and are all answered") {
  test::temp_dir dir;
  deterministic_system ds;
  auto queue = open_queue(dir.path());
  auto sched = ds.sys->spawn(scheduler, queue, inline_sync());
  caf::scoped_actor self{*ds.sys};
  constexpr int n = 10;
  for (int i = 0; i < n; ++i)
    self->send(sched, enqueue_atom::value, make_job("t", "video" + std::to_string(i)), false);
  // The same video a second time, in the same batch: a duplicate of the first.
  self->send(sched, enqueue_atom::value, make_job("t", "video0"), false);
  ds.sched->run();
  std::vector<enqueue_result> results;
  for (int i = 0; i <= n; ++i)
    self->receive([&](const enqueue_result& r) { results.push_back(r); });
  REQUIRE(results.size() == n + 1);
  std::set<uint64_t> ids;
  for (int i = 0; i < n; ++i) {
    CHECK(results[i].status == enqueue_status::created);
    ids.insert(results[i].job_id);
  }
  CHECK(ids.size() == n);
  CHECK(results[n].status == enqueue_status::duplicate);
  CHECK(results[n].job_id == results[0].job_id);
  self->send(sched, status_atom::value);
  ds.sched->run();
  self->receive([&](uint64_t commits, uint64_t requests) {
    CHECK(commits == 1);
    CHECK(requests == n + 1);
  });
  CHECK(queue->stats().by_state[static_cast<size_t>(job_state::queued)] == n);
  ds.stop(self, sched);
}

TEST_CASE("a failed commit answers every request of the batch with an error, and stores none") {
  test::temp_dir dir;
  deterministic_system ds;
  // A map too small for the batch: growth is not allowed past max_map_size.
  auto queue = open_queue(dir.path(), size_t{256} << 10);
  auto sched = ds.sys->spawn(scheduler, queue, inline_sync());
  caf::scoped_actor self{*ds.sys};
  std::vector<ingest_job> big;
  for (int i = 0; i < 5000; ++i) {
    auto j = make_job("t", "bulk" + std::to_string(i));
    j.url += std::string(200, 'x');
    big.push_back(j);
  }
  self->send(sched, enqueue_atom::value, make_job("t", "single"), false);
  self->send(sched, enqueue_atom::value, big, false);
  ds.sched->run();
  int errors = 0;
  for (int i = 0; i < 2; ++i)
    self->receive(
        [&](const enqueue_result&) { FAIL("a request of a failed batch succeeded"); },
        [&](const std::vector<enqueue_result>&) { FAIL("a request of a failed batch succeeded"); },
        [&](const caf::error& e) {
          ++errors;
          CHECK(e.code() == static_cast<uint8_t>(errc::storage_failure));
          CHECK_THAT(error_message(e), Catch::Contains("full"));
        });
  CHECK(errors == 2);
  CHECK(queue->list({}).empty());
  CHECK(queue->check_invariants().empty());
  // The scheduler lives on: a later small request commits.
  self->send(sched, enqueue_atom::value, make_job("t", "after"), false);
  ds.sched->run();
  self->receive([&](const enqueue_result& r) { CHECK(r.status == enqueue_status::created); });
  ds.stop(self, sched);
}

TEST_CASE("subscribers receive job events after the commit") {
  test::temp_dir dir;
  deterministic_system ds;
  auto queue = open_queue(dir.path());
  auto sched = ds.sys->spawn(scheduler, queue, inline_sync());
  caf::scoped_actor self{*ds.sys};
  self->send(sched, subscribe_atom::value, caf::actor_cast<job_event_sink>(self));
  self->send(sched, enqueue_atom::value, make_job("t", "v1"), false);
  ds.sched->run();
  uint64_t id = 0;
  // The reply and the event both arrive; the event names the job and its new state.
  bool got_event = false, got_reply = false;
  for (int i = 0; i < 2; ++i)
    self->receive(
        [&](const enqueue_result& r) {
          got_reply = true;
          id = r.job_id;
        },
        [&](const job_event& ev) {
          got_event = true;
          CHECK(ev.state == job_state::queued);
          CHECK(ev.key.external_id == "v1");
        });
  REQUIRE(got_event);
  REQUIRE(got_reply);
  self->send(sched, lease_atom::value, std::string{"w1"}, uint32_t{1}, millis{60'000});
  ds.sched->run();
  std::vector<job_state> seen;
  lease l;
  for (int i = 0; i < 2; ++i)
    self->receive([&](const std::vector<lease>& ls) { l = ls.at(0); },
                  [&](const job_event& ev) { seen.push_back(ev.state); });
  CHECK(l.job_id == id);
  self->send(sched, complete_atom::value, l.job_id, l.epoch, job_outcome::done());
  ds.sched->run();
  for (int i = 0; i < 2; ++i)
    self->receive([&](job_state s) { CHECK(s == job_state::done); },
                  [&](const job_event& ev) { seen.push_back(ev.state); });
  CHECK(seen == std::vector<job_state>{job_state::leased, job_state::done});
  ds.stop(self, sched);
}

TEST_CASE("the lease protocol through the actor: heartbeat, stale epoch, retry, cancel") {
  test::temp_dir dir;
  threaded_system ts;
  auto queue = open_queue(dir.path());
  auto sched = spawn_scheduler(*ts.sys, queue);
  caf::scoped_actor self{*ts.sys};
  auto req = [&](auto... xs) { return self->request(sched, caf::infinite, xs...); };
  uint64_t id = 0;
  req(enqueue_atom::value, make_job("t", "a"), false)
      .receive([&](const enqueue_result& r) { id = r.job_id; },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  lease first;
  // A short lease that we let expire: the rescue makes its epoch stale.
  req(lease_atom::value, std::string{"w1"}, uint32_t{4}, millis{1})
      .receive([&](const std::vector<lease>& ls) { first = ls.at(0); },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  CHECK(first.job_id == id);
  // Wait until the wall clock has passed the deadline (a condition, not a sleep), then ask for
  // the rescue the actor's timer would otherwise trigger on its period.
  while (now_millis() <= first.deadline)
    std::this_thread::yield();
  self->send(caf::actor_cast<scheduler_impl>(sched), rescue_atom::value);
  // Same sender, so the rescue is handled (and batched) before this lease.
  lease second;
  req(lease_atom::value, std::string{"w2"}, uint32_t{1}, millis{60'000})
      .receive([&](const std::vector<lease>& ls) { second = ls.at(0); },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  CHECK(second.job_id == id);
  CHECK(second.epoch > first.epoch);
  CHECK(second.job.attempt == 1);
  req(complete_atom::value, id, first.epoch, job_outcome::done())
      .receive(
          [&](job_state) { FAIL("a stale epoch was accepted"); },
          [&](const caf::error& e) { CHECK(e.code() == static_cast<uint8_t>(errc::stale_lease)); });
  req(heartbeat_atom::value, id, second.epoch, millis{120'000})
      .receive([&](millis deadline) { CHECK(deadline > second.deadline); },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  req(complete_atom::value, id, second.epoch, job_outcome::permanent("video is private"))
      .receive([&](job_state s) { CHECK(s == job_state::failed); },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  req(caf::get_atom::value, id)
      .receive([&](const job_view& v) { CHECK(v.last_error == "video is private"); },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  req(retry_atom::value, id)
      .receive([&](const job_view& v) { CHECK(v.state == job_state::queued); },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  req(cancel_atom::value, id)
      .receive([&](const job_view& v) { CHECK(v.state == job_state::cancelled); },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  req(cancel_atom::value, id)
      .receive(
          [&](const job_view&) { FAIL("cancelled twice"); },
          [&](const caf::error& e) { CHECK(e.code() == static_cast<uint8_t>(errc::wrong_state)); });
  req(caf::get_atom::value, uint64_t{999})
      .receive(
          [&](const job_view&) { FAIL("found a job that does not exist"); },
          [&](const caf::error& e) { CHECK(e.code() == static_cast<uint8_t>(errc::not_found)); });
  req(stats_atom::value)
      .receive(
          [&](const queue_stats& s) {
            CHECK(s.by_state[static_cast<size_t>(job_state::cancelled)] == 1);
            REQUIRE(s.backlog.size() == 1);
            CHECK(s.backlog[0].tenant == "t");
          },
          [&](const caf::error& e) { FAIL(error_message(e)); });
  self->send_exit(sched, caf::exit_reason::user_shutdown);
}

TEST_CASE("the rescue timer returns expired leases and the scheduler keeps serving") {
  test::temp_dir dir;
  threaded_system ts;
  auto queue = open_queue(dir.path());
  scheduler_options o;
  o.rescue_interval = 10; // the scheduler's own timer, not a message from the test
  auto sched = spawn_scheduler(*ts.sys, queue, o);
  caf::scoped_actor self{*ts.sys};
  self->send(caf::actor_cast<scheduler_actor>(sched), subscribe_atom::value,
             caf::actor_cast<job_event_sink>(self));
  auto req = [&](auto... xs) { return self->request(sched, caf::infinite, xs...); };
  uint64_t id = 0;
  req(enqueue_atom::value, make_job("t", "a"), false)
      .receive([&](const enqueue_result& r) { id = r.job_id; },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  req(lease_atom::value, std::string{"w1"}, uint32_t{1}, millis{1})
      .receive([&](const std::vector<lease>& ls) { REQUIRE(ls.size() == 1); },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  // Several timer rounds pass until the expired lease is rescued; each must leave the
  // scheduler alive (a reply to its own timer message once killed it).
  bool rescued = false;
  self->receive_while([&] { return !rescued; })(
      [&](const job_event& ev) {
        rescued = ev.job_id == id && ev.state == job_state::queued && !ev.reason.empty();
      },
      caf::after(std::chrono::seconds{60}) >> [&] { FAIL("the lease was never rescued"); });
  req(lease_atom::value, std::string{"w2"}, uint32_t{1}, millis{60'000})
      .receive(
          [&](const std::vector<lease>& ls) {
            REQUIRE(ls.size() == 1);
            CHECK(ls[0].job.attempt == 1);
          },
          [&](const caf::error& e) { FAIL(error_message(e)); });
  self->send_exit(sched, caf::exit_reason::user_shutdown);
}

TEST_CASE("64 concurrent clients on the detached scheduler: every job stored exactly once") {
  test::temp_dir dir;
  threaded_system ts;
  auto queue = open_queue(dir.path());
  auto sched = spawn_scheduler(*ts.sys, queue);
  constexpr int clients = 64, per_client = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> ids(clients);
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      caf::scoped_actor self{*ts.sys};
      for (int i = 0; i < per_client; ++i) {
        // Every client also enqueues a video all others enqueue: one job results.
        auto video =
            i == 0 ? std::string{"shared"} : "c" + std::to_string(c) + "v" + std::to_string(i);
        self->request(sched, caf::infinite, enqueue_atom::value, make_job("t", video), false)
            .receive([&](const enqueue_result& r) { ids[c].push_back(r.job_id); },
                     [&](const caf::error&) { ++failures; });
      }
    });
  for (auto& t : threads)
    t.join();
  CHECK(failures == 0);
  std::set<uint64_t> distinct;
  for (auto& v : ids)
    distinct.insert(v.begin(), v.end());
  CHECK(distinct.size() == clients * (per_client - 1) + 1);
  caf::scoped_actor self{*ts.sys};
  self->request(caf::actor_cast<scheduler_impl>(sched), caf::infinite, status_atom::value)
      .receive(
          [&](uint64_t commits, uint64_t requests) {
            CHECK(requests >= clients * per_client);
            CHECK(commits <= requests);
            UNSCOPED_INFO("batch size " << double(requests) / double(commits));
          },
          [&](const caf::error& e) { FAIL(error_message(e)); });
  self->send_exit(sched, caf::exit_reason::user_shutdown);
  // The queue belongs to the scheduler's thread while it runs; look at it once it is gone.
  self->send_exit(sched, caf::exit_reason::user_shutdown);
  self->wait_for(sched);
  CHECK(queue->stats().by_state[static_cast<size_t>(job_state::queued)] == distinct.size());
  CHECK(queue->check_invariants().empty());
}
