// The pipeline coordinator's protocol, with a real scheduler and queue and stage functions the
// test controls: stage order, events, slot limits, failures and their outcomes in the queue.
// The real stage work (yt-dlp, ffmpeg, speech) is tested end to end in tests/e2e.
#include "actors/pipeline.hpp"
#include "actors/scheduler.hpp"
#include "actors/submission.hpp"
#include "messages/errors.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

using namespace vfb;
using vfb::test::threaded_system;

namespace {

/// What the test's stage functions saw, shared across worker threads.
struct stage_log {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<uint64_t, stage_kind>> runs;
  std::array<int, stage_count> running{};
  std::array<int, stage_count> most_at_once{};
  bool gate_open = true; // while false, downloads wait (to pile up concurrent work)

  void open_gate() {
    std::lock_guard<std::mutex> guard{mu};
    gate_open = true;
    cv.notify_all();
  }
  /// Waits until `n` stages of kind `s` are running at the same time.
  void await_running(stage_kind s, int n) {
    std::unique_lock<std::mutex> lock{mu};
    cv.wait(lock, [&] { return running[static_cast<size_t>(s)] >= n; });
  }
};

/// A stage function that records its run and then applies `decide` to produce the result.
stage_function_factory recording(std::shared_ptr<stage_log> log,
                                 std::function<stage_result(const stage_request&)> decide) {
  return [=](stage_kind) -> stage_function {
    return [=](const stage_request& req, const progress_fn& progress) {
      auto i = static_cast<size_t>(req.stage);
      {
        std::unique_lock<std::mutex> lock{log->mu};
        log->runs.emplace_back(req.job.id, req.stage);
        ++log->running[i];
        log->most_at_once[i] = std::max(log->most_at_once[i], log->running[i]);
        log->cv.notify_all();
        if (req.stage == stage_kind::download)
          log->cv.wait(lock, [&] { return log->gate_open; });
      }
      progress(0.5, "halfway");
      auto result = decide(req);
      std::lock_guard<std::mutex> guard{log->mu};
      --log->running[i];
      return result;
    };
  };
}

stage_result ok(const stage_request& req) {
  stage_result r;
  r.note = std::string{to_string(req.stage)} + " ok";
  if (req.stage == stage_kind::download)
    r.download.title = "title of " + req.job.key.external_id;
  return r;
}

ingest_job make_job(const std::string& video) {
  ingest_job j;
  j.key = {"t", "ws", "generic", video};
  j.url = "https://example.org/" + video;
  return j;
}

pipeline_options fast_options(std::array<size_t, stage_count> slots = {1, 1, 1, 1, 1}) {
  pipeline_options o;
  o.slots = slots;
  o.poll_interval = 20;
  return o;
}

struct node {
  test::temp_dir dir;
  threaded_system ts;
  std::shared_ptr<job_queue> queue;
  scheduler_impl sched;
  caf::scoped_actor self;

  node() : self(make_system()) {
    queue_options o;
    o.dir = dir.path();
    o.sync = sync_mode::periodic;
    queue = std::make_shared<job_queue>(o);
    sched = spawn_scheduler(*ts.sys, queue);
  }
  caf::actor_system& make_system() { return *ts.sys; }
  ~node() {
    self->send_exit(sched, caf::exit_reason::user_shutdown);
    self->wait_for(sched);
  }

  uint64_t enqueue(const ingest_job& j) {
    uint64_t id = 0;
    self->request(sched, caf::infinite, enqueue_atom::value, j, false)
        .receive([&](const enqueue_result& r) { id = r.job_id; },
                 [&](const caf::error& e) { FAIL(error_message(e)); });
    return id;
  }
  /// A job as the scheduler sees it (the queue itself belongs to the scheduler's thread).
  job_view view(uint64_t id) {
    job_view out;
    self->request(sched, caf::infinite, caf::get_atom::value, id)
        .receive([&](const job_view& v) { out = v; },
                 [&](const caf::error& e) { FAIL(error_message(e)); });
    return out;
  }
  uint64_t count(job_state s) {
    uint64_t n = 0;
    self->request(sched, caf::infinite, stats_atom::value)
        .receive([&](const queue_stats& st) { n = st.by_state[static_cast<size_t>(s)]; },
                 [&](const caf::error& e) { FAIL(error_message(e)); });
    return n;
  }
  /// Enqueues in one commit, so the pipeline leases all of them at once.
  std::vector<uint64_t> enqueue_all(const std::vector<ingest_job>& jobs) {
    std::vector<uint64_t> ids;
    self->request(sched, caf::infinite, enqueue_atom::value, jobs, false)
        .receive(
            [&](const std::vector<enqueue_result>& rs) {
              for (auto& r : rs)
                ids.push_back(r.job_id);
            },
            [&](const caf::error& e) { FAIL(error_message(e)); });
    return ids;
  }
  /// Spawns a pipeline and subscribes to its events before any job is enqueued, so no event
  /// can be missed: leases happen only after the enqueue, behind the subscriptions.
  pipeline_impl start(stage_function_factory stages, pipeline_options o) {
    auto p =
        ts.sys->spawn(pipeline, caf::actor_cast<lease_source_actor>(sched), std::move(stages), o);
    self->send(p, subscribe_atom::value, caf::actor_cast<pipeline_event_sink>(self));
    self->send(p, subscribe_atom::value, caf::actor_cast<download_sink>(self));
    return p;
  }
  /// Collects pipeline events until `jobs` jobs have ended.
  std::vector<pipeline_event> await_ended(size_t jobs,
                                          std::vector<download_completed>* downloads = nullptr) {
    std::vector<pipeline_event> events;
    size_t ended = 0;
    while (ended < jobs)
      self->receive(
          [&](const pipeline_event& ev) {
            events.push_back(ev);
            ended += ev.kind == progress_kind::ended;
          },
          [&](const download_completed& d) {
            if (downloads != nullptr)
              downloads->push_back(d);
          });
    return events;
  }
  template <class Handle> void stop(const Handle& h) {
    self->send_exit(h, caf::exit_reason::user_shutdown);
    self->wait_for(h);
  }
};

} // namespace

TEST_CASE("a job passes every stage in order and ends done in the queue") {
  node n;
  auto log = std::make_shared<stage_log>();
  auto p = n.start(recording(log, ok), fast_options());
  auto id = n.enqueue(make_job("v1"));
  std::vector<download_completed> downloads;
  auto events = n.await_ended(1, &downloads);
  std::vector<stage_kind> started;
  for (auto& ev : events) {
    CHECK(ev.job_id == id);
    if (ev.kind == progress_kind::started)
      started.push_back(ev.stage);
  }
  CHECK(started == std::vector<stage_kind>{stage_kind::download, stage_kind::transcribe,
                                           stage_kind::analyze, stage_kind::memory,
                                           stage_kind::post});
  CHECK(std::any_of(events.begin(), events.end(), [](auto& ev) {
    return ev.kind == progress_kind::progress && ev.note == "halfway";
  }));
  CHECK(events.back().outcome.kind == outcome_kind::done);
  REQUIRE(downloads.size() == 1);
  CHECK(downloads[0].job.id == id);
  CHECK(downloads[0].download.title == "title of v1");
  CHECK(n.view(id).state == job_state::done);
  n.stop(p);
}

TEST_CASE("a failing stage ends the job with its outcome and skips the later stages") {
  node n;
  auto log = std::make_shared<stage_log>();
  auto decide = [&](const stage_request& req) {
    stage_result r = ok(req);
    if (req.job.key.external_id == "private" && req.stage == stage_kind::download) {
      r.finished = true;
      r.outcome = job_outcome::permanent("video is private");
    }
    if (req.job.key.external_id == "flaky" && req.stage == stage_kind::transcribe)
      throw std::runtime_error("decoder crashed");
    return r;
  };
  auto p = n.start(recording(log, decide), fast_options());
  auto ids = n.enqueue_all({make_job("private"), make_job("flaky")});
  auto gone = ids[0], flaky = ids[1];
  std::vector<download_completed> downloads;
  n.await_ended(2, &downloads);
  // Only the download that succeeded is announced.
  REQUIRE(downloads.size() == 1);
  CHECK(downloads[0].job.id == flaky);
  auto a = n.view(gone);
  CHECK(a.state == job_state::failed);
  CHECK(a.last_error == "video is private");
  auto b = n.view(flaky);
  CHECK(b.state == job_state::retrying);
  CHECK_THAT(b.last_error, Catch::Contains("decoder crashed"));
  std::lock_guard<std::mutex> guard{log->mu};
  for (auto& [job, stage] : log->runs) {
    if (job == gone)
      CHECK(stage == stage_kind::download);
    if (job == flaky)
      CHECK(static_cast<int>(stage) <= static_cast<int>(stage_kind::transcribe));
  }
  n.stop(p);
}

TEST_CASE("each stage runs at most as many jobs at once as it has slots") {
  node n;
  auto log = std::make_shared<stage_log>();
  log->gate_open = false;
  auto p = n.start(recording(log, ok), fast_options({2, 1, 1, 1, 1}));
  std::vector<ingest_job> jobs;
  for (int i = 0; i < 6; ++i)
    jobs.push_back(make_job("v" + std::to_string(i)));
  n.enqueue_all(jobs);
  log->await_running(stage_kind::download, 2); // both download slots are taken...
  // ...and the coordinator holds leases for more jobs than it runs.
  uint64_t in_flight = 0;
  n.self->request(p, caf::infinite, status_atom::value)
      .receive([&](uint64_t held, uint64_t) { in_flight = held; },
               [&](const caf::error& e) { FAIL(error_message(e)); });
  CHECK(in_flight == 6);
  log->open_gate();
  n.await_ended(6);
  CHECK(n.count(job_state::done) == 6);
  std::lock_guard<std::mutex> guard{log->mu};
  CHECK(log->most_at_once[static_cast<size_t>(stage_kind::download)] == 2);
  CHECK(log->most_at_once[static_cast<size_t>(stage_kind::transcribe)] == 1);
  CHECK(log->runs.size() == 6 * stage_count);
  n.stop(p);
}

TEST_CASE("the submission actor canonicalises, enqueues at interactive priority, refuses bad "
          "URLs") {
  node n;
  url_policy policy;
  policy.allow_loopback = true;
  auto sub = n.ts.sys->spawn(submission_handler, caf::actor_cast<scheduler_actor>(n.sched), policy);
  submission s;
  s.url = "https://youtu.be/dQw4w9WgXcQ?t=42";
  s.tenant = "acme";
  s.workspace = "main";
  uint64_t id = 0;
  n.self->request(sub, caf::infinite, submit_atom::value, s)
      .receive(
          [&](const enqueue_result& r) {
            CHECK(r.status == enqueue_status::created);
            id = r.job_id;
          },
          [&](const caf::error& e) { FAIL(error_message(e)); });
  auto v = n.view(id);
  CHECK(v.job.key.source == "youtube");
  CHECK(v.job.key.external_id == "dQw4w9WgXcQ");
  CHECK(v.job.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
  CHECK(v.job.priority == priority_class::interactive);
  // The same video in another form is a duplicate.
  s.url = "https://www.youtube.com/shorts/dQw4w9WgXcQ";
  n.self->request(sub, caf::infinite, submit_atom::value, s)
      .receive(
          [&](const enqueue_result& r) {
            CHECK(r.status == enqueue_status::duplicate);
            CHECK(r.job_id == id);
          },
          [&](const caf::error& e) { FAIL(error_message(e)); });
  for (auto bad : {"ftp://example.org/v.mp4", "https://user:pw@example.org/v", "not a url"}) {
    s.url = bad;
    n.self->request(sub, caf::infinite, submit_atom::value, s)
        .receive([&](const enqueue_result&) { FAIL("accepted " << bad); },
                 [&](const caf::error& e) {
                   CHECK(e.code() == static_cast<uint8_t>(errc::invalid));
                   CHECK_FALSE(error_message(e).empty());
                 });
  }
  s.url = "https://example.org/v.mp4";
  s.tenant = "bad tenant!";
  n.self->request(sub, caf::infinite, submit_atom::value, s)
      .receive(
          [&](const enqueue_result&) { FAIL("accepted a bad tenant"); },
          [&](const caf::error& e) { CHECK_THAT(error_message(e), Catch::Contains("tenant")); });
  CHECK(n.count(job_state::queued) == 1);
  n.stop(sub);
}
