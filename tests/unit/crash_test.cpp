// Crash safety: a child process enqueues, leases and completes jobs without pause and is
// SIGKILLed at a random point, 25 times. The child reports each commit on a pipe once the
// commit has returned ("A id external_id" for an accepted job, "D id" for a job done), so the
// parent knows what was acknowledged. After every kill the parent reopens the queue and checks:
// no acknowledged job is lost, no job done is undone, and every index matches the jobs table
// (which includes "no job both ready and leased"). Finally every job must drain to done.
#include "storage/job_queue.hpp"
#include "tests/support/child.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace vfb;

namespace {

constexpr int rounds = 25;

queue_options crash_options(const std::filesystem::path& dir, int round) {
  queue_options o;
  o.dir = dir;
  // Both modes must survive a process crash: `periodic` leaves the fsync to a timer, but its
  // commits are in the page cache, which outlives the process.
  o.sync = round % 2 == 0 ? sync_mode::always : sync_mode::periodic;
  o.initial_map_size = size_t{256} << 10; // grow often, to crash during growth as well
  o.backoff_base = 1;
  o.backoff_cap = 4;
  // Jobs leased at a kill are rescued every round; they must not die of it here.
  o.max_attempts = 10'000;
  o.max_rescues = 10'000;
  return o;
}

ingest_job job_for(const std::string& external_id) {
  ingest_job j;
  j.key = {"tenant-" + std::to_string(external_id.size() % 3), "ws", "generic", external_id};
  j.url = "https://example.org/v/" + external_id;
  return j;
}

/// The child: works until it is killed.
[[noreturn]] void work(const std::filesystem::path& dir, int round, int fd) {
  try {
    job_queue q{crash_options(dir, round)};
    std::mt19937 rng(static_cast<unsigned>(round));
    for (uint64_t i = 0;; ++i) {
      // New jobs, sometimes in bulk, plus one duplicate of an earlier key.
      std::vector<ingest_job> batch;
      auto n = rng() % 3 == 0 ? 1 + rng() % 40 : 1;
      for (size_t k = 0; k < n; ++k)
        batch.push_back(job_for("r" + std::to_string(round) + "-" + std::to_string(i) + "-" +
                                std::to_string(k)));
      batch.push_back(job_for("r" + std::to_string(round) + "-" + std::to_string(i / 2) + "-0"));
      auto results = q.enqueue_bulk(batch, false, now_millis());
      for (size_t k = 0; k < results.size(); ++k)
        if (results[k].status == enqueue_status::created)
          test::write_line(fd, "A " + std::to_string(results[k].job_id) + " " +
                                   batch[k].key.external_id);
      // Lease a few; finish most, fail some transiently, abandon some (rescued later).
      for (auto& l :
           q.lease_jobs("child-" + std::to_string(round), 1 + rng() % 4, 600'000, now_millis())) {
        auto dice = rng() % 10;
        if (dice < 7) {
          if (q.complete(l.job_id, l.epoch, job_outcome::done(), now_millis()).ok())
            test::write_line(fd, "D " + std::to_string(l.job_id));
        } else if (dice < 9) {
          q.complete(l.job_id, l.epoch, job_outcome::transient("flaky"), now_millis());
        }
      }
    }
  } catch (const std::exception& e) {
    test::write_line(fd, std::string{"E "} + e.what());
  }
  _exit(1);
}

/// What the parent has seen acknowledged so far.
struct ledger {
  std::map<uint64_t, std::string> accepted; // job id -> external id
  std::set<uint64_t> done;
  std::vector<std::string> errors;

  void read(const std::string& line) {
    std::istringstream in{line};
    std::string tag;
    in >> tag;
    if (tag == "A") {
      uint64_t id;
      std::string ext;
      in >> id >> ext;
      accepted[id] = ext;
    } else if (tag == "D") {
      uint64_t id;
      in >> id;
      done.insert(id);
    } else {
      errors.push_back(line);
    }
  }
};

/// Runs one child, kills it after it has reported `kill_after` lines, and records what it
/// acknowledged before dying (a torn last line is not an acknowledgement).
void crash_round(const std::filesystem::path& dir, int round, size_t kill_after, ledger& book) {
  test::child worker{[&](int fd) { work(dir, round, fd); }};
  size_t lines = 0;
  auto status = worker.read_lines([&](const std::string& line) {
    book.read(line);
    if (++lines == kill_after)
      kill(worker.pid(), SIGKILL);
  });
  INFO("round " << round << ": child errors: "
                << (book.errors.empty() ? std::string{"none"} : book.errors.front()));
  REQUIRE(book.errors.empty());
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
}

void check_after_reopen(job_queue& q, const ledger& book, int round) {
  INFO("after the kill in round " << round);
  auto problems = q.check_invariants();
  INFO((problems.empty() ? std::string{} : problems.front()));
  REQUIRE(problems.empty());
  for (auto& [id, ext] : book.accepted) {
    auto v = q.get(id);
    INFO("accepted job " << id << " (" << ext << ")");
    REQUIRE(v);
    REQUIRE(v->job.key.external_id == ext);
    REQUIRE(v->state != job_state::leased); // every lease was rescued at open
  }
  for (auto id : book.done)
    REQUIRE(q.get(id)->state == job_state::done);
}

} // namespace

TEST_CASE("the queue survives repeated SIGKILLs with nothing lost") {
  test::temp_dir dir;
  auto where = dir / "queue";
  std::mt19937 rng(20261124);
  ledger book;
  size_t rescued = 0;
  for (int round = 1; round <= rounds; ++round) {
    crash_round(where, round, 5 + rng() % 600, book);
    job_queue q{crash_options(where, round)};
    rescued += q.rescued_at_open();
    check_after_reopen(q, book, round);
  }
  CHECK(book.accepted.size() > static_cast<size_t>(rounds) * 5);
  CHECK(rescued > 0); // some kills did land while jobs were leased

  // Drain: everything accepted, acknowledged or not, ends done.
  job_queue q{crash_options(where, 0)};
  for (;;) {
    auto later = now_millis() + 1000; // past every retry's short backoff
    auto ls = q.lease_jobs("drain", 500, 60'000, later);
    if (ls.empty())
      break;
    for (auto& l : ls)
      REQUIRE(q.complete(l.job_id, l.epoch, job_outcome::done(), later).ok());
  }
  auto stats = q.stats();
  auto total = q.list({{}, {}, {}, 1'000'000}).size();
  CHECK(total >= book.accepted.size());
  CHECK(stats.by_state[static_cast<size_t>(job_state::done)] == total);
  CHECK(q.check_invariants().empty());
}
