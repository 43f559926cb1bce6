// The scheduler across CAF's network layer: a client in another actor system (as a worker node
// would be) enqueues, leases and completes jobs, hears job events and gets vfb's errors. If a
// message type were not registered, or its inspect incomplete, a request here would fail or a
// field would come back empty.
// GCC 12 flags CAF 0.17's deserializer (data_processor::fill_range default-constructs an enum
// and fills it through apply()) as maybe-uninitialized once it is inlined into this TU; a false
// positive in a system header, silenced for this file only.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "actors/scheduler.hpp"
#include "messages/errors.hpp"
#include "messages/follow.hpp"
#include "messages/json.hpp"
#include "messages/register.hpp"
#include "storage/media_json.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>
#include <memory>

using namespace vfb;

namespace {

/// An actor system with the network layer loaded.
struct network_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  network_system() {
    register_message_types(cfg);
    cfg.load<caf::io::middleman>();
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

constexpr auto patience = std::chrono::seconds{30}; // a failure bound, not a timing assertion

} // namespace

TEST_CASE("a client in another actor system uses the scheduler over the network") {
  test::temp_dir dir;
  network_system server;
  queue_options qo;
  qo.dir = dir.path();
  auto sched = spawn_scheduler(*server.sys, std::make_shared<job_queue>(qo));
  auto port =
      server.sys->middleman().publish(caf::actor_cast<scheduler_actor>(sched), 0, "127.0.0.1");
  REQUIRE(port);
  {
    network_system client;
    auto remote = client.sys->middleman().remote_actor<scheduler_actor>("127.0.0.1", *port);
    REQUIRE(remote);
    caf::scoped_actor self{*client.sys};
    auto fail = [](const caf::error& e) { FAIL(error_message(e)); };
    self->send(*remote, subscribe_atom::value, caf::actor_cast<job_event_sink>(self));

    ingest_job j;
    j.key = {"acme", "main", "youtube", "dQw4w9WgXcQ"};
    j.url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
    j.tags = {"music", "remote"};
    j.visibility = "workspace";
    j.priority = priority_class::refresh;
    j.origin = job_origin::api;
    uint64_t id = 0;
    self->request(*remote, patience, enqueue_atom::value, j, false)
        .receive(
            [&](const enqueue_result& r) {
              CHECK(r.status == enqueue_status::created);
              id = r.job_id;
            },
            fail);
    REQUIRE(id != 0);
    self->request(*remote, patience, enqueue_atom::value, std::vector<ingest_job>{j}, false)
        .receive(
            [&](const std::vector<enqueue_result>& rs) {
              REQUIRE(rs.size() == 1);
              CHECK(rs[0].status == enqueue_status::duplicate);
              CHECK(rs[0].job_id == id);
            },
            fail);

    lease l;
    self->request(*remote, patience, lease_atom::value, std::string{"remote-worker"}, uint32_t{4},
                  millis{60'000})
        .receive(
            [&](const std::vector<lease>& ls) {
              REQUIRE(ls.size() == 1);
              l = ls[0];
            },
            fail);
    CHECK(l.job_id == id);
    CHECK(l.job.key == j.key);
    CHECK(l.job.url == j.url);
    CHECK(l.job.tags == j.tags);
    CHECK(l.job.visibility == "workspace");
    CHECK(l.job.priority == priority_class::refresh);
    CHECK(l.job.origin == job_origin::api);
    CHECK(l.deadline > 0);

    // vfb's errors cross too, with their category and text.
    self->request(*remote, patience, complete_atom::value, id, l.epoch + 1, job_outcome::done())
        .receive([&](job_state) { FAIL("a stale epoch was accepted"); },
                 [&](const caf::error& e) {
                   CHECK(e.category() == error_category);
                   CHECK(e.code() == static_cast<uint8_t>(errc::stale_lease));
                   CHECK(e.context().match_elements<std::string>());
                   CHECK_FALSE(error_message(e).empty());
                 });
    self->request(*remote, patience, complete_atom::value, id, l.epoch,
                  job_outcome::transient("network hiccup"))
        .receive([&](job_state s) { CHECK(s == job_state::retrying); }, fail);

    job_filter filter;
    filter.tenant = "acme";
    filter.states = {job_state::retrying};
    self->request(*remote, patience, list_atom::value, filter)
        .receive(
            [&](const std::vector<job_view>& views) {
              REQUIRE(views.size() == 1);
              CHECK(views[0].job.key == j.key);
              CHECK(views[0].worker.empty());
              CHECK(views[0].last_error == "network hiccup");
            },
            fail);
    self->request(*remote, patience, stats_atom::value)
        .receive(
            [&](const queue_stats& s) {
              CHECK(s.by_state[static_cast<size_t>(job_state::retrying)] == 1);
              REQUIRE(s.backlog.size() == 1);
              CHECK(s.backlog[0].tenant == "acme");
            },
            fail);

    // The events of each change, in order, at the remote subscriber.
    std::vector<job_state> seen;
    while (seen.size() < 3)
      self->receive(
          [&](const job_event& ev) {
            CHECK(ev.job_id == id);
            CHECK(ev.key == j.key);
            seen.push_back(ev.state);
          },
          caf::after(patience) >> [&] { FAIL("job events stopped arriving"); });
    CHECK(seen ==
          std::vector<job_state>{job_state::queued, job_state::leased, job_state::retrying});
  }
  REQUIRE(server.sys->middleman().unpublish(caf::actor_cast<scheduler_actor>(sched), *port));
  {
    caf::scoped_actor self{*server.sys};
    self->send_exit(sched, caf::exit_reason::user_shutdown);
    self->wait_for(sched);
  }
  // The scheduler's answers went out; what is left is CAF 0.17's teardown of a system whose
  // detached actor held a remote handle (the subscriber above): now and then ~actor_system
  // waits for ever for a detached thread whose actor is never released (gdb: private_thread::
  // await_self_destroyed). This test publishes the scheduler itself on purpose; a node
  // publishes its cluster gateway instead (actors/cluster_gateway.hpp), which avoids it. The
  // test binary exits right after; the system is left to it.
  (void)server.sys.release();
}

namespace {

/// `x` written and read back with CAF's binary serialization, as a remote message would be.
template <class T> T round_trip(caf::actor_system& sys, T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  REQUIRE_FALSE(sink(x));
  caf::binary_deserializer source{sys, buf};
  T y;
  REQUIRE_FALSE(source(y));
  return y;
}

} // namespace

TEST_CASE("the follow messages keep every field through CAF's serialization") {
  network_system ns;
  backfill_plan p;
  p.source_type = "generic";
  p.channel_url = "https://example.org/feed.xml";
  p.uploader_handle = "@someone";
  p.tenant = "acme";
  p.workspace = "main";
  p.since = -5;
  p.limit = 7;
  p.priority = priority_class::refresh;
  p.origin = job_origin::discord;
  p.stop_at_id = "abc";
  p.stop_at_ids = {"v1", "", "s1"};
  p.known_until = 1700000000;
  p.follow_id = 9;
  p.automatic = true;
  auto q = round_trip(*ns.sys, p);
  CHECK(q.source_type == p.source_type);
  CHECK(q.channel_url == p.channel_url);
  CHECK(q.uploader_handle == p.uploader_handle);
  CHECK(q.tenant == p.tenant);
  CHECK(q.workspace == p.workspace);
  CHECK(q.since == p.since);
  CHECK(q.limit == p.limit);
  CHECK(q.priority == p.priority);
  CHECK(q.origin == p.origin);
  CHECK(q.stop_at_id == p.stop_at_id);
  CHECK(q.stop_at_ids == p.stop_at_ids);
  CHECK(q.known_until == p.known_until);
  CHECK(q.follow_id == p.follow_id);
  CHECK(q.automatic == p.automatic);

  enumeration_result r;
  r.follow_id = 3;
  r.listed = 4;
  r.enqueued = 5;
  r.duplicates = 6;
  r.malformed = 7;
  r.skipped = 8;
  r.job_ids = {10, 11};
  r.newest_id = "n";
  r.newest_timestamp = 1700000001;
  r.newest_ids = {"a", "b"};
  r.ok = false;
  r.ran = true;
  r.note = "listed";
  auto s = round_trip(*ns.sys, r);
  CHECK(s.follow_id == r.follow_id);
  CHECK(s.listed == r.listed);
  CHECK(s.enqueued == r.enqueued);
  CHECK(s.duplicates == r.duplicates);
  CHECK(s.malformed == r.malformed);
  CHECK(s.skipped == r.skipped);
  CHECK(s.job_ids == r.job_ids);
  CHECK(s.newest_id == r.newest_id);
  CHECK(s.newest_timestamp == r.newest_timestamp);
  CHECK(s.newest_ids == r.newest_ids);
  CHECK(s.ok == r.ok);
  CHECK(s.ran == r.ran);
  CHECK(s.note == r.note);
}

namespace {

ingest_job every_field_job() {
  ingest_job j;
  j.id = 42;
  j.key = {"acme", "main", "youtube", "dQw4w9WgXcQ"};
  j.url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
  j.tags = {"a", "b"};
  j.visibility = "workspace";
  j.priority = priority_class::backfill;
  j.origin = job_origin::refresh;
  j.attempt = 3;
  j.not_before = 1700000000123;
  j.upload_cutoff = 1690000000456;
  return j;
}

void check_same(const ingest_job& a, const ingest_job& b) {
  CHECK(a.id == b.id);
  CHECK(a.key.tenant == b.key.tenant);
  CHECK(a.key.workspace == b.key.workspace);
  CHECK(a.key.source == b.key.source);
  CHECK(a.key.external_id == b.key.external_id);
  CHECK(a.url == b.url);
  CHECK(a.tags == b.tags);
  CHECK(a.visibility == b.visibility);
  CHECK(a.priority == b.priority);
  CHECK(a.origin == b.origin);
  CHECK(a.attempt == b.attempt);
  CHECK(a.not_before == b.not_before);
  CHECK(a.upload_cutoff == b.upload_cutoff);
}

void check_same(const job_outcome& a, const job_outcome& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.reason == b.reason);
  CHECK(a.source == b.source);
  CHECK(a.retry_after == b.retry_after);
}

} // namespace

TEST_CASE("what a worker and its node exchange keeps every field through CAF's serialization") {
  network_system ns;
  auto& sys = *ns.sys;

  lease l{7, 9, 1700000999000, every_field_job()};
  auto l2 = round_trip(sys, l);
  CHECK(l2.job_id == 7);
  CHECK(l2.epoch == 9);
  CHECK(l2.deadline == 1700000999000);
  check_same(l2.job, l.job);

  stage_request req{stage_kind::transcribe, every_field_job(), 41};
  auto req2 = round_trip(sys, req);
  CHECK(req2.stage == stage_kind::transcribe);
  check_same(req2.job, req.job);
  CHECK(req2.epoch == 41);

  stage_result res;
  res.stage = stage_kind::download;
  res.finished = true;
  res.outcome = job_outcome::throttled("youtube", 60000, "HTTP Error 429");
  res.note = "captions (en)";
  res.elapsed = 1234;
  auto& d = res.download;
  d = {"Youtube",
       "dQw4w9WgXcQ",
       "A title",
       "Uploader",
       "@handle",
       "https://www.youtube.com/@handle",
       "UC123",
       "https://www.youtube.com/channel/UC123",
       "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
       "20251129",
       1764374400,
       212.5,
       "not_live",
       "public",
       "/data/videos/x/media.webm",
       std::vector<std::string>{"/data/videos/x/en.vtt", "/data/videos/x/de.vtt"},
       "How lava flows.\n00:42 Ash",
       std::vector<std::string>{"volcano", "lava"},
       std::vector<std::string>{"Intro", "Ash"}};
  auto res2 = round_trip(sys, res);
  CHECK(res2.stage == res.stage);
  CHECK(res2.finished == res.finished);
  check_same(res2.outcome, res.outcome);
  CHECK(res2.note == res.note);
  CHECK(res2.elapsed == res.elapsed);
  // The download's fields, compared through its JSON form (a list of fields of its own).
  CHECK(nlohmann::json(res2.download) == nlohmann::json(res.download));

  pipeline_event ev;
  ev.job_id = 5;
  ev.key = {"acme", "main", "youtube", "x"};
  ev.kind = progress_kind::progress;
  ev.stage = stage_kind::analyze;
  ev.fraction = 0.25;
  ev.note = "half way";
  ev.elapsed = 77;
  ev.outcome = job_outcome::waiting(3600000, "Premieres in 1 hour");
  auto ev2 = round_trip(sys, ev);
  CHECK(ev2.job_id == ev.job_id);
  CHECK(ev2.key.external_id == ev.key.external_id);
  CHECK(ev2.kind == ev.kind);
  CHECK(ev2.stage == ev.stage);
  CHECK(ev2.fraction == ev.fraction);
  CHECK(ev2.note == ev.note);
  CHECK(ev2.elapsed == ev.elapsed);
  check_same(ev2.outcome, ev.outcome);

  transcript t{"speech", "en", {{0, 1500, "hello"}, {1500, 4000, "world"}}};
  CHECK(nlohmann::json(round_trip(sys, t)) == nlohmann::json(t));
  analysis a{{{"topic", 0.5}}, {{"key phrase", 2.25}}, {"A sentence.", "Another."}};
  CHECK(nlohmann::json(round_trip(sys, a)) == nlohmann::json(a));

  stage_checkpoint cp{stage_kind::transcribe, R"({"origin":"speech","segments":2})",
                      nlohmann::json(t).dump()};
  auto cp2 = round_trip(sys, cp);
  CHECK(cp2.stage == cp.stage);
  CHECK(cp2.json == cp.json);
  CHECK(cp2.transcript_json == cp.transcript_json);

  worker_info w{{"w1", "host-a (pid 12)", 3, 1200}, 1700000000123, 1700000005456, true};
  auto w2 = round_trip(sys, w);
  CHECK(to_json(w2) == to_json(w));
  CHECK(w2.last.in_flight == 3);
  CHECK(w2.last.done == 1200);

  corpus_counts c{42, {"volcano", "telescope"}, {3, 1}};
  auto c2 = round_trip(sys, c);
  CHECK(c2.documents == 42);
  CHECK(c2.terms == c.terms);
  CHECK(c2.frequencies == c.frequencies);
}
