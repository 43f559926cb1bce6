// The job queue's rules, one test case each: dedupe, lease order, fencing, outcomes, backoff,
// breakers, rescue, listing, stats, retry and cancel. Plain C++: no actors involved.
#include "storage/job_queue.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <deque>
#include <fstream>
#include <optional>
#include <set>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

constexpr millis t0 = 1'700'000'000'000; // an arbitrary "now"
constexpr millis ttl = 60'000;

ingest_job make_job(const std::string& tenant, const std::string& video,
                    priority_class prio = priority_class::interactive,
                    const std::string& source = "youtube") {
  ingest_job j;
  j.key = {tenant, "ws", source, video};
  j.url = "https://example.org/" + video;
  j.priority = prio;
  return j;
}

queue_options default_options() {
  queue_options o;
  o.sync = sync_mode::periodic; // the rules do not depend on fsync; keep the tests quick
  o.seed = 42;
  return o;
}

queue_options options_for(const test::temp_dir& dir) {
  auto o = default_options();
  o.dir = dir.path();
  return o;
}

/// The queue and a clock the test moves by hand.
struct fixture {
  test::temp_dir dir;
  std::unique_ptr<job_queue> q;
  millis now = t0;

  explicit fixture(queue_options o = default_options()) {
    o.dir = dir.path();
    q = std::make_unique<job_queue>(o);
  }

  uint64_t add(const ingest_job& j, bool force = false) {
    auto r = q->enqueue(j, force, now);
    REQUIRE(r.status != enqueue_status::invalid);
    return r.job_id;
  }
  std::vector<lease> take(uint32_t n, const std::string& worker = "w") {
    return q->lease_jobs(worker, n, ttl, now);
  }
  lease take_one() {
    auto ls = take(1);
    REQUIRE(ls.size() == 1);
    return ls.front();
  }
  job_view view(uint64_t id) {
    auto v = q->get(id);
    REQUIRE(v);
    return *v;
  }
  job_state finish(const lease& l, const job_outcome& o = job_outcome::done()) {
    auto r = q->complete(l.job_id, l.epoch, o, now);
    REQUIRE(r.ok());
    return r.value;
  }
  void sound() {
    auto problems = q->check_invariants();
    INFO((problems.empty() ? std::string{} : problems.front()));
    CHECK(problems.empty());
  }
};

std::vector<std::string> external_ids(const std::vector<lease>& ls) {
  std::vector<std::string> out;
  for (auto& l : ls)
    out.push_back(l.job.key.external_id);
  return out;
}

} // namespace

TEST_CASE("enqueue assigns increasing ids and stores the job as queued") {
  fixture f;
  auto a = f.q->enqueue(make_job("t1", "a"), false, f.now);
  auto b = f.q->enqueue(make_job("t1", "b"), false, f.now);
  CHECK(a.status == enqueue_status::created);
  CHECK(b.status == enqueue_status::created);
  CHECK(b.job_id > a.job_id);
  auto v = f.view(a.job_id);
  CHECK(v.state == job_state::queued);
  CHECK(v.job.key.external_id == "a");
  CHECK(v.job.url == "https://example.org/a");
  CHECK(v.created_at == f.now);
  CHECK(v.job.attempt == 0);
  f.sound();
}

TEST_CASE("invalid jobs are refused with a reason and nothing is stored") {
  fixture f;
  auto bad_tenant = make_job("bad tenant", "a");
  auto no_id = make_job("t1", "");
  auto bad_source = make_job("t1", "x", priority_class::interactive, "you/tube");
  auto long_url = make_job("t1", "y");
  long_url.url.assign(9000, 'u');
  for (auto& j : {bad_tenant, no_id, bad_source, long_url}) {
    auto r = f.q->enqueue(j, false, f.now);
    CHECK(r.status == enqueue_status::invalid);
    CHECK_FALSE(r.error.empty());
  }
  CHECK(f.q->list({}).empty());
  CHECK(f.q->stats().by_state[static_cast<size_t>(job_state::queued)] == 0);
  f.sound();
}

TEST_CASE("a key is deduplicated while queued, leased, retrying or done") {
  fixture f;
  auto id = f.add(make_job("t1", "v"));
  auto again = [&] { return f.q->enqueue(make_job("t1", "v"), false, f.now); };

  SECTION("queued") {
    auto logged = f.q->logged_seq();
    auto r = again();
    CHECK(r.status == enqueue_status::duplicate);
    CHECK(r.job_id == id);
    CHECK(f.q->logged_seq() == logged); // a duplicate changes nothing, so nothing is logged
  }
  SECTION("leased") {
    f.take_one();
    CHECK(again().status == enqueue_status::duplicate);
  }
  SECTION("retrying") {
    f.finish(f.take_one(), job_outcome::transient("network"));
    REQUIRE(f.view(id).state == job_state::retrying);
    CHECK(again().status == enqueue_status::duplicate);
  }
  SECTION("done, unless forced") {
    f.finish(f.take_one());
    CHECK(again().status == enqueue_status::duplicate);
    auto forced = f.q->enqueue(make_job("t1", "v"), true, f.now);
    CHECK(forced.status == enqueue_status::requeued);
    CHECK(forced.job_id == id);
    CHECK(f.view(id).state == job_state::queued);
  }
  CHECK(f.q->list({}).size() == 1);
  f.sound();
}

TEST_CASE("the same video in another tenant or workspace is a different job") {
  fixture f;
  auto a = f.add(make_job("t1", "v"));
  auto b = f.add(make_job("t2", "v"));
  auto other_ws = make_job("t1", "v");
  other_ws.key.workspace = "ws2";
  auto c = f.add(other_ws);
  CHECK(std::set<uint64_t>{a, b, c}.size() == 3);
}

TEST_CASE("an ended job's key runs again under the same id with the new parameters") {
  fixture f;
  auto id = f.add(make_job("t1", "v", priority_class::backfill));
  SECTION("failed") {
    f.finish(f.take_one(), job_outcome::permanent("private video"));
  }
  SECTION("skipped") {
    f.finish(f.take_one(), job_outcome::skipped("too old"));
  }
  SECTION("cancelled") {
    REQUIRE(f.q->cancel(id, f.now).ok());
  }
  auto again = make_job("t1", "v", priority_class::interactive);
  again.tags = {"news"};
  auto r = f.q->enqueue(again, false, f.now);
  CHECK(r.status == enqueue_status::requeued);
  CHECK(r.job_id == id);
  auto v = f.view(id);
  CHECK(v.state == job_state::queued);
  CHECK(v.job.priority == priority_class::interactive);
  CHECK(v.job.tags == std::vector<std::string>{"news"});
  CHECK(v.job.attempt == 0);
  CHECK(v.last_error.empty());
  f.sound();
}

TEST_CASE("a listing never brings back an ended job, a person's request does") {
  fixture f;
  auto id = f.add(make_job("t1", "v", priority_class::backfill));
  SECTION("failed") {
    f.finish(f.take_one(), job_outcome::permanent("members only"));
  }
  SECTION("skipped") {
    f.finish(f.take_one(), job_outcome::skipped("too old"));
  }
  SECTION("cancelled") {
    REQUIRE(f.q->cancel(id, f.now).ok());
  }
  auto state = f.view(id).state;
  for (auto origin : {job_origin::backfill, job_origin::refresh}) {
    auto listed = make_job("t1", "v", priority_class::refresh);
    listed.origin = origin;
    auto r = f.q->enqueue(listed, false, f.now);
    CHECK(r.status == enqueue_status::duplicate);
    CHECK(r.job_id == id);
    CHECK(f.view(id).state == state);
  }
  auto person = make_job("t1", "v", priority_class::interactive);
  person.origin = job_origin::cli;
  CHECK(f.q->enqueue(person, false, f.now).status == enqueue_status::requeued);
  f.sound();
}

TEST_CASE("a duplicate at a higher priority raises the queued job's priority") {
  fixture f;
  f.add(make_job("t1", "old", priority_class::refresh));
  auto id = f.add(make_job("t1", "v", priority_class::backfill));
  auto r = f.q->enqueue(make_job("t1", "v", priority_class::interactive), false, f.now);
  CHECK(r.status == enqueue_status::duplicate);
  CHECK(f.view(id).job.priority == priority_class::interactive);
  CHECK(f.take_one().job_id == id); // ahead of the refresh job now
  // A lower priority never demotes it.
  f.add(make_job("t1", "w", priority_class::interactive));
  f.q->enqueue(make_job("t1", "w", priority_class::backfill), false, f.now);
  CHECK(f.view(id + 1).job.priority == priority_class::interactive);
  f.sound();
}

TEST_CASE("enqueue_bulk answers per item in order, deduplicating within the batch") {
  fixture f;
  auto existing = f.add(make_job("t1", "a"));
  std::vector<ingest_job> batch{make_job("t1", "a"), make_job("t1", "b"), make_job("t1", ""),
                                make_job("t1", "b"), make_job("t2", "a")};
  auto rs = f.q->enqueue_bulk(batch, false, f.now);
  REQUIRE(rs.size() == batch.size());
  CHECK(rs[0].status == enqueue_status::duplicate);
  CHECK(rs[0].job_id == existing);
  CHECK(rs[1].status == enqueue_status::created);
  CHECK(rs[1].job_id == existing + 1); // the duplicate before it used up no id
  CHECK(rs[2].status == enqueue_status::invalid);
  CHECK(rs[3].status == enqueue_status::duplicate);
  CHECK(rs[3].job_id == rs[1].job_id);
  CHECK(rs[4].status == enqueue_status::created);
  CHECK(rs[4].job_id == rs[1].job_id + 1);
  CHECK(f.q->list({}).size() == 3);
  f.sound();
}

TEST_CASE("leases go by class, then round robin across tenants, then FIFO") {
  fixture f;
  f.add(make_job("alice", "b1", priority_class::backfill));
  f.add(make_job("alice", "a1"));
  f.add(make_job("alice", "a2"));
  f.add(make_job("alice", "a3"));
  f.add(make_job("bob", "b-1"));
  f.add(make_job("carol", "c-1", priority_class::refresh));
  f.add(make_job("bob", "b-2"));
  auto order = external_ids(f.take(10));
  CHECK(order == std::vector<std::string>{"a1", "b-1", "a2", "b-2", "a3", "c-1", "b1"});
  CHECK(f.take(1).empty());
  f.sound();
}

TEST_CASE("a tenant with a flood of jobs cannot starve another tenant") {
  fixture f;
  std::vector<ingest_job> flood;
  for (int i = 0; i < 500; ++i)
    flood.push_back(make_job("big", "v" + std::to_string(i), priority_class::backfill));
  f.q->enqueue_bulk(flood, false, f.now);
  f.add(make_job("small", "x", priority_class::backfill));
  auto first = external_ids(f.take(2));
  CHECK(std::count(first.begin(), first.end(), "x") == 1);
}

TEST_CASE("each lease carries a new fencing epoch, a deadline and the job") {
  fixture f;
  auto id = f.add(make_job("t1", "v"));
  auto l = f.take_one();
  CHECK(l.job_id == id);
  CHECK(l.epoch == 1);
  CHECK(l.deadline == f.now + ttl);
  CHECK(l.job.key.external_id == "v");
  auto v = f.view(id);
  CHECK(v.state == job_state::leased);
  CHECK(v.worker == "w");
  CHECK(v.lease_deadline == l.deadline);
  f.sound();
}

TEST_CASE("a stale epoch cannot heartbeat or complete") {
  fixture f;
  auto id = f.add(make_job("t1", "v"));
  auto first = f.take_one();
  f.now += ttl + 1;
  REQUIRE(f.q->rescue_expired(f.now) == 1);
  auto second = f.take_one();
  CHECK(second.epoch > first.epoch);
  auto hb = f.q->heartbeat(id, first.epoch, ttl, f.now);
  CHECK(hb.code == queue_errc::stale_lease);
  auto done = f.q->complete(id, first.epoch, job_outcome::done(), f.now);
  CHECK(done.code == queue_errc::stale_lease);
  CHECK_THAT(done.message, Catch::Contains("no longer valid"));
  CHECK(f.view(id).state == job_state::leased);
  CHECK(f.finish(second) == job_state::done);
  // Completing twice is stale too, and unknown jobs are not found.
  CHECK(f.q->complete(id, second.epoch, job_outcome::done(), f.now).code ==
        queue_errc::stale_lease);
  CHECK(f.q->complete(9999, 1, job_outcome::done(), f.now).code == queue_errc::not_found);
  f.sound();
}

TEST_CASE("a heartbeat extends the lease so it is not rescued") {
  fixture f;
  auto id = f.add(make_job("t1", "v"));
  auto l = f.take_one();
  f.now += ttl - 1;
  auto hb = f.q->heartbeat(id, l.epoch, ttl, f.now);
  REQUIRE(hb.ok());
  CHECK(hb.value == f.now + ttl);
  f.now += 2;
  CHECK(f.q->rescue_expired(f.now) == 0);
  CHECK(f.view(id).state == job_state::leased);
  f.sound();
}

TEST_CASE("jobs are not leased before their not-before time") {
  fixture f;
  auto later = make_job("t1", "later");
  later.not_before = f.now + 1000;
  auto id = f.add(later);
  f.add(make_job("t1", "now"));
  CHECK(external_ids(f.take(5)) == std::vector<std::string>{"now"});
  f.now += 1000;
  auto l = f.take(5);
  REQUIRE(l.size() == 1);
  CHECK(l[0].job_id == id);
  f.sound();
}

TEST_CASE("outcomes done, skipped and permanent failure end the job") {
  fixture f;
  auto a = f.add(make_job("t1", "a"));
  auto b = f.add(make_job("t1", "b"));
  auto c = f.add(make_job("t1", "c"));
  auto ls = f.take(3);
  REQUIRE(ls.size() == 3);
  CHECK(f.finish(ls[0]) == job_state::done);
  CHECK(f.finish(ls[1], job_outcome::skipped("uploaded before the cutoff")) == job_state::skipped);
  CHECK(f.finish(ls[2], job_outcome::permanent("video is private")) == job_state::failed);
  CHECK(f.view(a).last_error.empty());
  CHECK(f.view(b).last_error == "uploaded before the cutoff");
  CHECK(f.view(c).last_error == "video is private");
  CHECK(f.take(3).empty());
  f.sound();
}

TEST_CASE("transient failures back off exponentially with jitter, then the job is dead") {
  queue_options o = default_options();
  o.max_attempts = 4;
  o.backoff_base = 1000;
  o.backoff_cap = 3000;
  fixture f{o};
  auto id = f.add(make_job("t1", "v"));
  for (uint32_t attempt = 1; attempt < 4; ++attempt) {
    CHECK(f.finish(f.take_one(), job_outcome::transient("timeout")) == job_state::retrying);
    auto v = f.view(id);
    CHECK(v.job.attempt == attempt);
    CHECK(v.last_error == "timeout");
    // Equal jitter: between half and all of min(cap, base * 2^(attempt-1)).
    auto full = std::min<millis>(3000, 1000 << (attempt - 1));
    auto wait = v.job.not_before - f.now;
    CHECK(wait >= full - full / 2);
    CHECK(wait <= full);
    CHECK(f.take(1).empty()); // still waiting
    f.sound();
    f.now = v.job.not_before;
  }
  CHECK(f.finish(f.take_one(), job_outcome::transient("timeout")) == job_state::dead);
  auto v = f.view(id);
  CHECK(v.job.attempt == 4);
  CHECK_THAT(v.last_error, Catch::Contains("gave up after 4 attempts"));
  f.sound();
}

TEST_CASE("the jitter spreads jobs that failed together") {
  fixture f;
  std::set<millis> waits;
  for (int i = 0; i < 20; ++i)
    f.add(make_job("t1", "v" + std::to_string(i)));
  for (auto& l : f.take(20))
    f.finish(l, job_outcome::transient("boom"));
  for (auto& v : f.q->list({}))
    waits.insert(v.job.not_before);
  CHECK(waits.size() > 10);
}

TEST_CASE("a throttled job waits without burning an attempt, and its source's breaker opens") {
  fixture f;
  auto id = f.add(make_job("t1", "v"));
  f.add(make_job("t1", "same-source"));
  f.add(make_job("t1", "elsewhere", priority_class::interactive, "generic"));
  auto l = f.take_one();
  REQUIRE(l.job_id == id);
  CHECK(f.finish(l, job_outcome::throttled("youtube", 5000, "HTTP 429")) == job_state::queued);
  auto v = f.view(id);
  CHECK(v.job.attempt == 0);
  CHECK(v.job.not_before == f.now + 5000);
  CHECK(v.last_error == "HTTP 429");
  // The other youtube job waits for the breaker too; the generic one goes ahead.
  CHECK(external_ids(f.take(5)) == std::vector<std::string>{"elsewhere"});
  f.sound();
  f.now += 5000;
  auto after = f.take(5);
  CHECK(after.size() == 2);
  f.sound();
}

TEST_CASE("a premiere waits without an attempt, and a stream that never starts ends dead") {
  queue_options o = default_options();
  o.max_attempts = 3;
  fixture f{o};
  auto id = f.add(make_job("t1", "premiere"));
  f.add(make_job("t1", "other"));
  // Hours away: only this job waits (no breaker), and no attempt is used.
  CHECK(f.finish(f.take_one(), job_outcome::waiting(2 * 3'600'000, "Premieres in 2 hours")) ==
        job_state::queued);
  auto v = f.view(id);
  CHECK(v.job.attempt == 0);
  CHECK(v.job.not_before == f.now + 2 * 3'600'000);
  CHECK(v.last_error == "Premieres in 2 hours");
  CHECK(external_ids(f.take(5)) == std::vector<std::string>{"other"});
  f.sound();
  // "Begins in a few moments", again and again: each short wait uses an attempt.
  for (uint32_t round = 1; round <= 3; ++round) {
    f.now = f.view(id).job.not_before;
    auto state = f.finish(f.take_one(), job_outcome::waiting(300'000, "begin in a few moments"));
    CHECK(state == (round < 3 ? job_state::queued : job_state::dead));
  }
  CHECK_THAT(f.view(id).last_error, Catch::Contains("gave up after 3 attempts"));
  f.sound();
}

TEST_CASE("expired leases are rescued with an attempt counted, and a poison pill ends dead") {
  queue_options o = default_options();
  o.max_rescues = 2;
  fixture f{o};
  auto id = f.add(make_job("t1", "v"));
  for (uint32_t round = 1; round <= 2; ++round) {
    f.take_one();
    CHECK(f.q->rescue_expired(f.now + ttl - 1) == 0);
    f.now += ttl;
    CHECK(f.q->rescue_expired(f.now) == 1);
    auto v = f.view(id);
    CHECK(v.state == job_state::queued);
    CHECK(v.rescues == round);
    CHECK(v.job.attempt == round);
    CHECK_THAT(v.last_error, Catch::Contains("worker w lost its lease"));
    f.sound();
  }
  f.take_one();
  f.now += ttl;
  f.q->rescue_expired(f.now);
  auto v = f.view(id);
  CHECK(v.state == job_state::dead);
  CHECK_THAT(v.last_error, Catch::Contains("poison pill"));
  f.sound();
}

TEST_CASE("a rescued job that has used up its attempts is dead") {
  queue_options o = default_options();
  o.max_attempts = 2;
  fixture f{o};
  auto id = f.add(make_job("t1", "v"));
  f.finish(f.take_one(), job_outcome::transient("x"));
  f.now = f.view(id).job.not_before;
  f.take_one();
  f.now += ttl;
  f.q->rescue_expired(f.now);
  CHECK(f.view(id).state == job_state::dead);
  CHECK_THAT(f.view(id).last_error, Catch::Contains("gave up after 2 attempts"));
}

TEST_CASE("opening the queue rescues every lease of the previous run") {
  test::temp_dir dir;
  auto o = options_for(dir);
  uint64_t leased_id = 0, waiting_id = 0;
  {
    job_queue q{o};
    leased_id = q.enqueue(make_job("t1", "a"), false, t0).job_id;
    waiting_id = q.enqueue(make_job("t1", "b"), false, t0).job_id;
    REQUIRE(q.lease_jobs("crashed-worker", 1, 3'600'000, t0).size() == 1);
    q.sync();
  }
  job_queue q{o};
  CHECK(q.rescued_at_open() == 1);
  auto v = q.get(leased_id);
  REQUIRE(v);
  CHECK(v->state == job_state::queued);
  // Killed from outside (no crash marker): not the job's fault.
  CHECK(v->job.attempt == 0);
  CHECK(v->rescues == 0);
  CHECK_THAT(v->last_error, Catch::Contains("not counted against it"));
  CHECK(q.get(waiting_id)->state == job_state::queued);
  CHECK(q.check_invariants().empty());
  // Both are leasable again, the rescued one first (it was queued first).
  auto ls = q.lease_jobs("w", 5, ttl, t0);
  REQUIRE(ls.size() == 2);
}

/// Leaves the crash marker a fatal signal would (apps/service.cpp's crash marker).
void mark_crashed(const test::temp_dir& dir) {
  std::ofstream{dir.path() / crash_marker_name} << "signal 11\n";
}

TEST_CASE("a node killed from outside again and again holds nothing against its jobs") {
  test::temp_dir dir;
  auto o = options_for(dir);
  o.max_rescues = 2;
  std::vector<uint64_t> ids;
  for (int kill = 0; kill < 10; ++kill) { // far more kills than max_rescues
    job_queue q{o};
    if (ids.empty())
      for (const auto* v : {"a", "b", "c"})
        ids.push_back(q.enqueue(make_job("t1", v), false, t0).job_id);
    CHECK(q.rescued_at_open() == (kill == 0 ? 0 : 2));
    REQUIRE(q.lease_jobs("node-1", 2, ttl, t0 + kill).size() == 2);
  }
  job_queue q{o};
  for (auto id : ids) {
    auto v = q.get(id);
    REQUIRE(v);
    CHECK(v->state == job_state::queued);
    CHECK(v->rescues == 0);
    CHECK(v->job.attempt == 0);
  }
  CHECK(q.lease_jobs("node-1", 3, ttl, t0).size() == 3); // no suspects: leased together
  CHECK(q.check_invariants().empty());
}

TEST_CASE("after a crash its jobs run alone: a poison pill dies, the innocent ones complete") {
  test::temp_dir dir;
  auto o = options_for(dir);
  o.max_rescues = 2;
  uint64_t innocent = 0, pill = 0, later = 0;
  {
    job_queue q{o};
    innocent = q.enqueue(make_job("t1", "innocent", priority_class::backfill), false, t0).job_id;
    pill = q.enqueue(make_job("t1", "pill", priority_class::backfill), false, t0).job_id;
    REQUIRE(q.lease_jobs("node-1", 5, ttl, t0).size() == 2);
  }
  mark_crashed(dir); // the node died of a fault while both ran: either may be the cause
  {
    job_queue q{o};
    CHECK_FALSE(fs::exists(dir.path() / crash_marker_name)); // taken in
    for (auto id : {innocent, pill}) {
      auto v = q.get(id);
      CHECK(v->state == job_state::queued);
      CHECK(v->rescues == 0); // they ran together: neither is blamed yet
      CHECK_THAT(v->last_error, Catch::Contains("runs alone next"));
    }
    // A new user's video comes first (interactive) and is leased with company as usual.
    later = q.enqueue(make_job("t1", "later"), false, t0).job_id;
    auto first = q.lease_jobs("node-1", 5, ttl, t0);
    REQUIRE(first.size() == 1);
    CHECK(first[0].job_id == later);
    // The suspect next in line waits while this node holds another job.
    CHECK(q.lease_jobs("node-1", 5, ttl, t0).empty());
    CHECK(q.complete(later, first[0].epoch, job_outcome::done(), t0).ok());
    auto alone = q.lease_jobs("node-1", 5, ttl, t0);
    REQUIRE(alone.size() == 1);
    CHECK(alone[0].job_id == innocent);
    CHECK(q.lease_jobs("node-1", 5, ttl, t0).empty()); // nothing beside it
    CHECK(q.complete(innocent, alone[0].epoch, job_outcome::done(), t0).ok());
    auto next = q.lease_jobs("node-1", 5, ttl, t0);
    REQUIRE(next.size() == 1);
    CHECK(next[0].job_id == pill);
    CHECK(q.check_invariants().empty());
  }
  // The pill crashes the node each time it runs, alone: each crash counts against it.
  for (uint32_t crash = 1; crash <= 3; ++crash) {
    mark_crashed(dir);
    job_queue q{o};
    auto v = q.get(pill);
    CHECK(v->rescues == crash);
    if (crash <= o.max_rescues) {
      CHECK(v->state == job_state::queued);
      REQUIRE(q.lease_jobs("node-1", 5, ttl, t0).size() == 1);
    } else {
      CHECK(v->state == job_state::dead);
      CHECK_THAT(v->last_error, Catch::Contains("poison pill"));
    }
    CHECK(q.check_invariants().empty());
  }
  job_queue q{o};
  CHECK(q.get(innocent)->state == job_state::done);
  CHECK(q.get(later)->state == job_state::done);
}

TEST_CASE("a busy holder that comes to a suspect drains and then runs it, whatever other "
          "tenants queue") {
  test::temp_dir dir;
  auto o = options_for(dir);
  uint64_t suspect = 0;
  {
    job_queue q{o};
    suspect = q.enqueue(make_job("a", "s", priority_class::backfill), false, t0).job_id;
    REQUIRE(q.lease_jobs("node-1", 5, ttl, t0).size() == 1);
    // Tenant b's work queues meanwhile: b stands before a in the round robin from now on.
    for (int i = 0; i < 8; ++i)
      q.enqueue(make_job("b", "v" + std::to_string(i), priority_class::backfill), false, t0);
  }
  mark_crashed(dir); // it ran alone: counted, and a suspect
  job_queue q{o};
  // The node keeps two jobs in flight, completing the oldest each round: it never idles on
  // its own while tenant b has work.
  std::deque<lease> held;
  size_t round_of_suspect = 0, rounds = 0;
  while (rounds < 40 && (round_of_suspect == 0 || !held.empty())) {
    ++rounds;
    for (auto& l : q.lease_jobs("node-1", static_cast<uint32_t>(2 - held.size()), ttl, t0)) {
      if (l.job_id == suspect) {
        CHECK(held.empty()); // alone
        round_of_suspect = rounds;
      }
      held.push_back(l);
    }
    if (held.size() > 1)
      CHECK(std::none_of(held.begin(), held.end(),
                         [&](const lease& l) { return l.job_id == suspect; }));
    if (!held.empty()) {
      CHECK(q.complete(held.front().job_id, held.front().epoch, job_outcome::done(), t0).ok());
      held.pop_front();
    }
    CHECK(q.check_invariants().empty());
  }
  CHECK(round_of_suspect > 0);
  CHECK(round_of_suspect == 2); // it came up in round 1 and waited only for the node to drain
  CHECK(q.get(suspect)->state == job_state::done);
}

TEST_CASE("each holder runs its own suspect alone: a cluster worker's does not free the node") {
  test::temp_dir dir;
  auto o = options_for(dir);
  uint64_t s1 = 0, s2 = 0;
  {
    job_queue q{o};
    s1 = q.enqueue(make_job("t1", "a"), false, t0).job_id;
    s2 = q.enqueue(make_job("t1", "b"), false, t0).job_id;
    REQUIRE(q.lease_jobs("node-1", 5, ttl, t0).size() == 2);
  }
  mark_crashed(dir);
  job_queue q{o};
  q.enqueue(make_job("t1", "c"), false, t0);
  auto remote = std::string{remote_holder_prefix} + "w1";
  auto on_worker = q.lease_jobs(remote, 5, ttl, t0);
  REQUIRE(on_worker.size() == 1);
  CHECK(on_worker[0].job_id == s1);
  auto on_node = q.lease_jobs("node-1", 5, ttl, t0);
  REQUIRE(on_node.size() == 1);
  CHECK(on_node[0].job_id == s2);
  CHECK(q.lease_jobs("node-1", 5, ttl, t0).empty()); // still alone beside s2
  CHECK(q.lease_jobs(remote, 5, ttl, t0).empty());   // still alone beside s1
  CHECK(q.complete(s1, on_worker[0].epoch, job_outcome::done(), t0).ok());
  CHECK(q.lease_jobs("node-1", 5, ttl, t0).empty()); // the worker's end frees only the worker
  CHECK(q.lease_jobs(remote, 5, ttl, t0).size() == 1);
  CHECK(q.check_invariants().empty());
}

TEST_CASE("a cluster worker's lease outlives a restart of the node until its deadline") {
  test::temp_dir dir;
  auto o = options_for(dir);
  uint64_t remote_id = 0;
  lease held;
  auto now = now_millis();
  {
    job_queue q{o};
    remote_id = q.enqueue(make_job("t1", "a"), false, now).job_id;
    q.enqueue(make_job("t1", "b"), false, now);
    auto ls = q.lease_jobs(std::string{remote_holder_prefix} + "w1", 1, 60'000, now);
    REQUIRE(ls.size() == 1);
    held = ls[0];
    REQUIRE(q.lease_jobs("cli-123", 1, 60'000, now).size() == 1); // this process's own
    q.sync();
  }
  job_queue q{o};
  CHECK(q.rescued_at_open() == 1); // only the process's own
  auto v = q.get(remote_id);
  REQUIRE(v);
  CHECK(v->state == job_state::leased);
  CHECK(v->epoch == held.epoch);
  // The worker comes back and completes it with the lease it held.
  auto done = q.complete(remote_id, held.epoch, job_outcome::done(), now + 1000);
  CHECK(done.ok());
  // Past its deadline, a worker's lease is rescued like any other.
  auto again = q.enqueue(make_job("t1", "c"), false, now);
  REQUIRE(q.lease_jobs(std::string{remote_holder_prefix} + "w2", 5, 1000, now).size() >= 1);
  CHECK(q.rescue_expired(now + 2000) >= 1);
  CHECK(q.get(again.job_id)->state == job_state::queued);
  CHECK(q.check_invariants().empty());
}

TEST_CASE("list filters by state, tenant and workspace, oldest first, up to a limit") {
  fixture f;
  for (int i = 0; i < 5; ++i)
    f.add(make_job("t1", "a" + std::to_string(i)));
  auto other = make_job("t2", "b");
  other.key.workspace = "ws2";
  auto b = f.add(other);
  f.finish(f.take_one()); // a0 done

  auto all = f.q->list({});
  REQUIRE(all.size() == 6);
  CHECK(
      std::is_sorted(all.begin(), all.end(), [](auto& x, auto& y) { return x.job.id < y.job.id; }));
  job_filter by_tenant;
  by_tenant.tenant = "t2";
  auto t2 = f.q->list(by_tenant);
  REQUIRE(t2.size() == 1);
  CHECK(t2[0].job.id == b);
  job_filter by_ws;
  by_ws.workspace = "ws";
  CHECK(f.q->list(by_ws).size() == 5);
  job_filter done;
  done.states = {job_state::done};
  auto d = f.q->list(done);
  REQUIRE(d.size() == 1);
  CHECK(d[0].job.key.external_id == "a0");
  job_filter two_states;
  two_states.states = {job_state::queued, job_state::done};
  two_states.limit = 3;
  auto ts = f.q->list(two_states);
  REQUIRE(ts.size() == 3);
  CHECK(ts[0].job.key.external_id == "a0");
  CHECK(ts[1].job.key.external_id == "a1");
  // failed is indexed (by_state), queued is not (a scan): alone and mixed.
  f.finish(f.take_one(), job_outcome::permanent("gone"));
  job_filter failed;
  failed.states = {job_state::failed};
  auto fl = f.q->list(failed);
  REQUIRE(fl.size() == 1);
  job_filter failed_or_queued;
  failed_or_queued.states = {job_state::failed, job_state::queued};
  auto fq = f.q->list(failed_or_queued);
  REQUIRE(fq.size() == 5);
  CHECK(std::any_of(fq.begin(), fq.end(), [&](auto& v) { return v.job.id == fl[0].job.id; }));
  CHECK(std::is_sorted(fq.begin(), fq.end(), [](auto& x, auto& y) { return x.job.id < y.job.id; }));
  f.sound();
}

TEST_CASE("list newest first: indexed states merged, leased jobs from the leases table") {
  fixture f;
  auto ids = [](const std::vector<job_view>& vs) {
    std::vector<uint64_t> out;
    for (const auto& v : vs)
      out.push_back(v.job.id);
    return out;
  };
  // Two tenants' jobs interleaved, all failed: 1 a0, 2 b0, 3 a1, 4 b1, 5 a2, 6 a3.
  for (const char* name : {"a0", "b0", "a1", "b1", "a2", "a3"})
    f.add(make_job(name[0] == 'a' ? "t1" : "t2", name));
  for (int i = 0; i < 6; ++i)
    f.finish(f.take_one(), job_outcome::permanent("gone"));
  // 7 a4 and 9 b2 cancelled (the highest state), 8 a5 leased, 10 a6 queued.
  auto a4 = f.add(make_job("t1", "a4"));
  auto a5 = f.add(make_job("t1", "a5"));
  auto b2 = f.add(make_job("t2", "b2"));
  REQUIRE(f.q->cancel(a4, f.now).ok());
  REQUIRE(f.q->cancel(b2, f.now).ok());
  REQUIRE(f.take_one().job_id == a5);
  f.add(make_job("t1", "a6"));

  job_filter mine;
  mine.tenant = "t1";
  mine.states = {job_state::failed, job_state::cancelled, job_state::leased};
  mine.newest_first = true;
  mine.limit = 3;
  CHECK(ids(f.q->list(mine)) == std::vector<uint64_t>{8, 7, 6});
  mine.limit = 10;
  CHECK(ids(f.q->list(mine)) == std::vector<uint64_t>{8, 7, 6, 5, 3, 1});
  mine.newest_first = false;
  mine.limit = 2;
  CHECK(ids(f.q->list(mine)) == std::vector<uint64_t>{1, 3});
  job_filter cancelled;
  cancelled.states = {job_state::cancelled};
  cancelled.newest_first = true;
  CHECK(ids(f.q->list(cancelled)) == std::vector<uint64_t>{9, 7});
  job_filter leased;
  leased.states = {job_state::leased};
  CHECK(ids(f.q->list(leased)) == std::vector<uint64_t>{8});
  leased.tenant = "t2";
  CHECK(f.q->list(leased).empty());
  job_filter everything; // a scan, newest first
  everything.newest_first = true;
  everything.limit = 2;
  CHECK(ids(f.q->list(everything)) == std::vector<uint64_t>{10, 9});
  f.sound();
}

TEST_CASE("stats count jobs per state and per tenant/workspace") {
  fixture f;
  f.add(make_job("t1", "a"));
  f.add(make_job("t1", "b"));
  f.add(make_job("t2", "c"));
  f.finish(f.take_one()); // t1/a done
  auto s = f.q->stats();
  CHECK(s.by_state[static_cast<size_t>(job_state::queued)] == 2);
  CHECK(s.by_state[static_cast<size_t>(job_state::done)] == 1);
  REQUIRE(s.backlog.size() == 2);
  CHECK(s.backlog[0].tenant == "t1");
  CHECK(s.backlog[0].by_state[static_cast<size_t>(job_state::queued)] == 1);
  CHECK(s.backlog[0].by_state[static_cast<size_t>(job_state::done)] == 1);
  CHECK(s.backlog[1].tenant == "t2");
  CHECK(s.backlog[1].by_state[static_cast<size_t>(job_state::queued)] == 1);
}

TEST_CASE("retry puts a failed or dead job back, and other states are refused") {
  fixture f;
  auto id = f.add(make_job("t1", "v"));
  auto refused = f.q->retry(id, f.now);
  CHECK(refused.code == queue_errc::wrong_state);
  CHECK_THAT(refused.message, Catch::Contains("only failed or dead"));
  f.finish(f.take_one(), job_outcome::permanent("removed"));
  auto r = f.q->retry(id, f.now);
  REQUIRE(r.ok());
  CHECK(r.value.state == job_state::queued);
  CHECK(r.value.last_error.empty());
  CHECK(f.take_one().job_id == id);
  CHECK(f.q->retry(424242, f.now).code == queue_errc::not_found);
  f.sound();
}

TEST_CASE("cancel removes a queued or retrying job from the queue, and others are refused") {
  fixture f;
  auto a = f.add(make_job("t1", "a"));
  auto b = f.add(make_job("t1", "b"));
  REQUIRE(f.q->cancel(a, f.now).ok());
  CHECK(f.view(a).state == job_state::cancelled);
  auto l = f.take_one();
  CHECK(l.job_id == b);
  CHECK(f.q->cancel(b, f.now).code == queue_errc::wrong_state);
  f.finish(l, job_outcome::transient("flaky"));
  REQUIRE(f.q->cancel(b, f.now).ok()); // retrying
  f.now += 10 * 3'600'000;
  CHECK(f.take(5).empty());
  CHECK(f.q->cancel(777, f.now).code == queue_errc::not_found);
  f.sound();
}

TEST_CASE("each write reports the job events it caused") {
  fixture f;
  auto id = f.add(make_job("t1", "v"));
  auto ev = f.q->take_events();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].job_id == id);
  CHECK(ev[0].state == job_state::queued);
  CHECK(ev[0].key.external_id == "v");
  f.take_one();
  ev = f.q->take_events();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].state == job_state::leased);
  auto l = f.view(id);
  f.q->complete(id, l.epoch, job_outcome::permanent("gone"), f.now);
  ev = f.q->take_events();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].state == job_state::failed);
  CHECK(ev[0].reason == "gone");
  // A refused operation reports nothing.
  f.q->cancel(id, f.now);
  CHECK(f.q->take_events().empty());
}

TEST_CASE("many operations in one write share a transaction") {
  fixture f;
  auto results = f.q->write(f.now, [&](job_queue::batch& b) {
    auto r1 = b.enqueue(make_job("t1", "a"), false);
    auto r2 = b.enqueue(make_job("t1", "b"), false);
    auto ls = b.lease_jobs("w", 1, ttl);
    return std::make_tuple(r1, r2, ls);
  });
  auto& [r1, r2, ls] = results;
  CHECK(r1.status == enqueue_status::created);
  CHECK(r2.status == enqueue_status::created);
  REQUIRE(ls.size() == 1);
  CHECK(ls[0].job_id == r1.job_id);
  CHECK(f.q->take_events().size() == 3);
  f.sound();
}

TEST_CASE("the queue survives reopening with every job, index and counter intact") {
  test::temp_dir dir;
  auto o = options_for(dir);
  {
    job_queue q{o};
    for (int i = 0; i < 50; ++i)
      q.enqueue(make_job("t" + std::to_string(i % 3), "v" + std::to_string(i)), false, t0);
    for (auto& l : q.lease_jobs("w", 20, ttl, t0))
      q.complete(l.job_id, l.epoch, job_outcome::done(), t0);
  }
  job_queue q{o};
  CHECK(q.check_invariants().empty());
  auto s = q.stats();
  CHECK(s.by_state[static_cast<size_t>(job_state::done)] == 20);
  CHECK(s.by_state[static_cast<size_t>(job_state::queued)] == 30);
  CHECK(q.enqueue(make_job("t0", "v0"), false, t0).status == enqueue_status::duplicate);
  CHECK(q.lease_jobs("w", 100, ttl, t0).size() == 30);
}

TEST_CASE("a queue of another format is refused with a one-line reason") {
  test::temp_dir dir;
  auto o = options_for(dir);
  {
    job_queue q{o};
    q.enqueue(make_job("t", "v"), false, t0);
  }
  // Rewrites the layout version a queue recorded when it was created (nullopt: none, as
  // before versions were recorded).
  auto set_format = [&](std::optional<uint64_t> format) {
    lmdb::env_options eo;
    eo.dir = o.dir;
    lmdb::env e{eo};
    lmdb::txn t{e, true};
    lmdb::db meta{t, "meta", false};
    if (format)
      meta.put(t, "format", codec::be64(*format));
    else
      meta.del(t, "format");
    t.commit();
  };
  auto open_error = [&] {
    try {
      job_queue q{o};
    } catch (const storage_error& e) {
      CHECK(e.kind() == store_failure::corrupt);
      return std::string{e.what()};
    }
    return std::string{"opened"};
  };
  SECTION("format 1 (every state in by_state, no version recorded)") {
    set_format(std::nullopt);
    auto what = open_error();
    CHECK_THAT(what, Catch::Contains("older vfb"));
    CHECK(what.find('\n') == std::string::npos);
  }
  SECTION("a newer format") {
    set_format(99);
    CHECK_THAT(open_error(), Catch::Contains("has format 99"));
  }
}

TEST_CASE("a missing queue cannot be opened read-only") {
  test::temp_dir dir;
  auto o = options_for(dir);
  o.dir = dir / "nothing-here";
  o.read_only = true;
  try {
    job_queue q{o};
    FAIL("opened a missing queue");
  } catch (const storage_error& e) {
    CHECK(e.kind() == store_failure::missing);
  }
}
