// The submission actor: URLs are checked and canonicalised before anything reaches the queue,
// accepted submissions become interactive jobs carrying what was asked, and refusals (the URL's
// or the scheduler's) come back as vfb errors with the reason.
#include "actors/scheduler.hpp"
#include "actors/submission.hpp"
#include "messages/errors.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/inline_scheduler.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>
#include <variant>

using namespace vfb;
using vfb::test::deterministic_system;

namespace {

/// A node's scheduler over a fresh queue and a submission actor in front of it, run by the
/// deterministic coordinator.
struct submission_fixture {
  test::temp_dir dir;
  deterministic_system ds;
  std::shared_ptr<job_queue> queue;
  scheduler_actor sched;
  submission_actor sub;
  caf::scoped_actor self{*ds.sys};

  explicit submission_fixture(url_policy policy = {}) {
    queue = test::open_queue(dir.path());
    sched = ds.sys->spawn(scheduler, queue, test::inline_sync());
    sub = ds.sys->spawn(submission_handler, sched, std::move(policy));
  }
  ~submission_fixture() {
    ds.stop(self, sub);
    ds.stop(self, sched);
  }

  /// Submits and returns the answer: the enqueue result, or the error.
  std::variant<enqueue_result, caf::error> submit(const submission& s) {
    self->send(sub, submit_atom::value, s);
    ds.sched->run();
    std::variant<enqueue_result, caf::error> out;
    self->receive([&](const enqueue_result& r) { out = r; }, [&](const caf::error& e) { out = e; });
    return out;
  }

  job_view get(uint64_t id) {
    self->send(sched, caf::get_atom::value, id);
    ds.sched->run();
    job_view v;
    self->receive([&](const job_view& x) { v = x; });
    return v;
  }

  uint64_t jobs() {
    self->send(sched, stats_atom::value);
    ds.sched->run();
    uint64_t n = 0;
    self->receive([&](const queue_stats& s) {
      for (auto c : s.by_state)
        n += c;
    });
    return n;
  }
};

submission make_submission(std::string url) {
  submission s;
  s.url = std::move(url);
  s.tenant = "acme";
  s.workspace = "main";
  return s;
}

} // namespace

TEST_CASE("an accepted submission becomes an interactive job with the canonical URL") {
  submission_fixture f;
  auto s = make_submission("https://youtu.be/dQw4w9WgXcQ?t=42");
  s.origin = job_origin::api;
  s.tags = {"music", "classic"};
  s.visibility = "workspace";
  auto answer = f.submit(s);
  REQUIRE(std::holds_alternative<enqueue_result>(answer));
  auto r = std::get<enqueue_result>(answer);
  CHECK(r.status == enqueue_status::created);
  REQUIRE(r.job_id != 0);
  auto v = f.get(r.job_id);
  CHECK(v.state == job_state::queued);
  CHECK(v.job.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
  CHECK(v.job.key.tenant == "acme");
  CHECK(v.job.key.workspace == "main");
  CHECK(v.job.key.source == "youtube");
  CHECK(v.job.key.external_id == "dQw4w9WgXcQ");
  CHECK(v.job.priority == priority_class::interactive);
  CHECK(v.job.origin == job_origin::api);
  CHECK(v.job.tags == std::vector<std::string>{"music", "classic"});
  CHECK(v.job.visibility == "workspace");
}

TEST_CASE("another spelling of a queued video is a duplicate of its job") {
  submission_fixture f;
  auto first = std::get<enqueue_result>(f.submit(make_submission("https://youtu.be/dQw4w9WgXcQ")));
  auto again = f.submit(make_submission("https://www.youtube.com/shorts/dQw4w9WgXcQ"));
  REQUIRE(std::holds_alternative<enqueue_result>(again));
  CHECK(std::get<enqueue_result>(again).status == enqueue_status::duplicate);
  CHECK(std::get<enqueue_result>(again).job_id == first.job_id);
  // Another workspace is another job.
  auto other = make_submission("https://youtu.be/dQw4w9WgXcQ");
  other.workspace = "other";
  auto third = std::get<enqueue_result>(f.submit(other));
  CHECK(third.status == enqueue_status::created);
  CHECK(third.job_id != first.job_id);
  CHECK(f.jobs() == 2);
}

TEST_CASE("a refused URL is an invalid error with the reason and enqueues nothing") {
  submission_fixture f;
  for (const char* url : {"ftp://example.com/video", "http://127.0.0.1/watch?v=x",
                          "https://user:pw@www.youtube.com/watch?v=dQw4w9WgXcQ", "not a url"}) {
    INFO(url);
    auto answer = f.submit(make_submission(url));
    REQUIRE(std::holds_alternative<caf::error>(answer));
    auto e = std::get<caf::error>(answer);
    CHECK(e.category() == error_category);
    CHECK(e.code() == static_cast<uint8_t>(errc::invalid));
    CHECK_FALSE(error_message(e).empty());
  }
  CHECK(f.jobs() == 0);
}

TEST_CASE("the host policy of the node decides which sources are accepted") {
  url_policy only_vimeo;
  only_vimeo.allowed_hosts = {"vimeo.com"};
  submission_fixture f{only_vimeo};
  auto refused = f.submit(make_submission("https://www.youtube.com/watch?v=dQw4w9WgXcQ"));
  REQUIRE(std::holds_alternative<caf::error>(refused));
  CHECK(error_message(std::get<caf::error>(refused)).find("youtube.com") != std::string::npos);
  auto accepted = f.submit(make_submission("https://vimeo.com/76979871"));
  REQUIRE(std::holds_alternative<enqueue_result>(accepted));
  CHECK(std::get<enqueue_result>(accepted).status == enqueue_status::created);
  CHECK(f.jobs() == 1);
}

TEST_CASE("a scheduler that is gone is an error for the submitter, not a hang") {
  submission_fixture f;
  f.ds.stop(f.self, f.sched);
  auto answer = f.submit(make_submission("https://youtu.be/dQw4w9WgXcQ"));
  REQUIRE(std::holds_alternative<caf::error>(answer));
  CHECK(std::get<caf::error>(answer) != caf::none);
}
