// Queue benchmark: prints one JSON object and exits non-zero when a figure misses its bound.
//
// Every bound is relative to something measured in the same run on the same disk, because
// absolute times on shared machines drift:
//   baseline  durable one-job-per-transaction enqueues (one fsync each): commits/s
//   (a)       enqueue_bulk in 200-job batches, durable            >= 50,000 jobs/s
//   (b)       64 clients enqueuing single jobs via the scheduler  >= 30 x baseline
//   (c)       64 workers doing lease + complete via the scheduler >= 10,000 cycles/s
//   (d)       lease + complete with 1M jobs queued vs 1k queued    <= 2 x
// (a) and (c) have absolute bounds from the issue; their ratio to the baseline is reported too.
#include "actors/scheduler.hpp"
#include "messages/register.hpp"
#include "storage/job_queue.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

using namespace vfb;
using clock_type = std::chrono::steady_clock;
using done_atom = caf::atom_constant<caf::atom("done")>;

namespace {

struct settings {
  bool quick = false;
  std::filesystem::path dir; // empty: a temp dir
  size_t bulk_jobs = 100'000;
  size_t client_jobs = 64 * 400;
  size_t worker_jobs = 64 * 400;
  size_t big_queue = 1'000'000;
  size_t lease_rounds = 3000;
};

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

millis now_ms() {
  return now_millis();
}

ingest_job job(size_t i, size_t tenants = 100) {
  ingest_job j;
  j.key = {"tenant" + std::to_string(i % tenants), "ws", "youtube", "video" + std::to_string(i)};
  j.url = "https://www.youtube.com/watch?v=video" + std::to_string(i);
  j.priority = static_cast<priority_class>(i % 3);
  return j;
}

std::shared_ptr<job_queue> open(const std::filesystem::path& dir, sync_mode sync) {
  queue_options o;
  o.dir = dir;
  o.sync = sync;
  o.initial_map_size = size_t{256} << 20;
  return std::make_shared<job_queue>(o);
}

void progress(const std::string& what) {
  std::cerr << "queue_bench: " << what << std::endl;
}

nlohmann::json figure(const std::string& name, double value, const std::string& unit, double bound,
                      const std::string& bound_source, bool higher_is_better) {
  bool pass = higher_is_better ? value >= bound : value <= bound;
  return {{"name", name},
          {"value", value},
          {"unit", unit},
          {"bound", bound},
          {"bound_source", bound_source},
          {"pass", pass}};
}

/// Durable single-job commits: what one fsync per transaction allows on this disk.
double baseline(const std::filesystem::path& dir) {
  auto q = open(dir, sync_mode::always);
  auto start = clock_type::now();
  size_t n = 0;
  while (n < 2000 && seconds_since(start) < 2.0)
    q->enqueue(job(n++), false, now_ms());
  return static_cast<double>(n) / seconds_since(start);
}

double bulk_rate(const std::filesystem::path& dir, size_t jobs) {
  auto q = open(dir, sync_mode::always);
  std::vector<ingest_job> batch;
  auto start = clock_type::now();
  for (size_t i = 0; i < jobs; i += 200) {
    batch.clear();
    for (size_t k = i; k < i + 200; ++k)
      batch.push_back(job(k));
    q->enqueue_bulk(batch, false, now_ms());
  }
  return static_cast<double>(jobs) / seconds_since(start);
}

/// A benchmark client: repeats a step (one request and its reply) until the step says stop.
struct client_state {
  uint64_t round = 0;
  std::function<void()> next; // owned by the actor, so no handler keeps the actor alive
};

/// Runs `clients` actors that each call `step(self, client_index, round, again)` once per
/// round; a step sends one request and, when its reply arrives, calls `again(true)` for the
/// next round or `again(false)` to finish. Returns once every client has finished.
template <class Step> void run_clients(caf::actor_system& sys, int clients, Step step) {
  caf::scoped_actor self{sys};
  auto waiter = caf::actor_cast<caf::actor>(self);
  for (int c = 0; c < clients; ++c)
    sys.spawn([=](caf::stateful_actor<client_state>* me) -> caf::behavior {
      me->state.next = [=] {
        step(me, c, me->state.round++, [=](bool more) {
          if (more) {
            me->state.next();
          } else {
            me->send(waiter, done_atom::value);
            me->quit();
          }
        });
      };
      me->state.next();
      return {[](int) {}}; // replies arrive through the requests' handlers
    });
  for (int c = 0; c < clients; ++c)
    self->receive([](done_atom) {});
}

struct actor_figures {
  double jobs_per_s = 0;
  double mean_batch = 0;
};

/// Stops the scheduler; returns the mean number of requests its batches carried.
double stop_and_measure_batches(caf::actor_system& sys, const scheduler_impl& sched) {
  double mean = 0;
  caf::scoped_actor self{sys};
  self->request(sched, caf::infinite, status_atom::value)
      .receive([&](uint64_t commits,
                   uint64_t requests) { mean = static_cast<double>(requests) / commits; },
               [](const caf::error&) {});
  self->send_exit(sched, caf::exit_reason::user_shutdown);
  self->wait_for(sched);
  return mean;
}

actor_figures group_commit_rate(caf::actor_system& sys, const std::filesystem::path& dir,
                                size_t jobs) {
  auto q = open(dir, sync_mode::always);
  auto sched = spawn_scheduler(sys, q);
  auto scheduler = caf::actor_cast<scheduler_actor>(sched);
  int clients = 64;
  size_t per_client = jobs / clients;
  auto start = clock_type::now();
  run_clients(
      sys, clients, [=](caf::stateful_actor<client_state>* client, int c, uint64_t i, auto again) {
        if (i == per_client)
          return again(false);
        client
            ->request(scheduler, caf::infinite, enqueue_atom::value, job(c * per_client + i), false)
            .then([=](const enqueue_result&) { again(true); });
      });
  actor_figures f;
  f.jobs_per_s = static_cast<double>(per_client * clients) / seconds_since(start);
  f.mean_batch = stop_and_measure_batches(sys, sched);
  return f;
}

actor_figures lease_complete_rate(caf::actor_system& sys, const std::filesystem::path& dir,
                                  size_t jobs) {
  auto q = open(dir, sync_mode::always);
  std::vector<ingest_job> batch;
  for (size_t i = 0; i < jobs; ++i)
    batch.push_back(job(i));
  q->enqueue_bulk(batch, false, now_ms());
  q->checkpoint(); // the scheduler's thread takes over the queue
  auto sched = spawn_scheduler(sys, q);
  auto scheduler = caf::actor_cast<scheduler_actor>(sched);
  auto start = clock_type::now();
  run_clients(sys, 64, [=](caf::stateful_actor<client_state>* worker, int c, uint64_t, auto again) {
    worker
        ->request(scheduler, caf::infinite, lease_atom::value, "worker" + std::to_string(c),
                  uint32_t{1}, millis{60'000})
        .then([=](const std::vector<lease>& ls) {
          if (ls.empty())
            return again(false);
          worker
              ->request(scheduler, caf::infinite, complete_atom::value, ls[0].job_id, ls[0].epoch,
                        job_outcome::done())
              .then([=](job_state) { again(true); });
        });
  });
  actor_figures f;
  f.jobs_per_s = static_cast<double>(jobs) / seconds_since(start);
  f.mean_batch = stop_and_measure_batches(sys, sched);
  auto done = q->stats().by_state[static_cast<size_t>(job_state::done)];
  if (done != jobs)
    throw std::runtime_error("lease+complete finished " + std::to_string(done) + " of " +
                             std::to_string(jobs) + " jobs");
  return f;
}

/// Microseconds per lease + complete (one transaction each, without fsync so that the figure is
/// the queue's own cost) in a queue holding `queued` jobs.
double lease_cost_us(const std::filesystem::path& dir, size_t queued, size_t rounds) {
  auto q = open(dir, sync_mode::periodic);
  std::vector<ingest_job> batch;
  for (size_t i = 0; i < queued; i += batch.size()) {
    batch.clear();
    for (size_t k = i; k < std::min(queued, i + 10'000); ++k)
      batch.push_back(job(k));
    q->enqueue_bulk(batch, false, now_ms());
    if (queued >= 100'000 && (i / 10'000) % 20 == 0)
      progress("  filled " + std::to_string(i) + " of " + std::to_string(queued));
  }
  q->checkpoint(); // start from a committed state, as a running node mostly is
  auto cycle = [&] {
    q->write(now_ms(), [&](job_queue::batch& b) {
      for (auto& l : b.lease_jobs("bench", 1, 60'000))
        b.complete(l.job_id, l.epoch, job_outcome::done());
    });
  };
  for (size_t i = 0; i < rounds / 10; ++i) // warm the page cache and the allocator
    cycle();
  auto start = clock_type::now();
  for (size_t i = 0; i < rounds; ++i)
    cycle();
  return seconds_since(start) * 1e6 / static_cast<double>(rounds);
}

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      s.quick = true;
      s.bulk_jobs = 20'000;
      s.client_jobs = 64 * 100;
      s.worker_jobs = 64 * 100;
      s.big_queue = 100'000;
      s.lease_rounds = 1000;
    } else if (a == "--dir" && i + 1 < argc) {
      s.dir = argv[++i];
    } else if (a == "--help" || a == "-h") {
      std::cout << "usage: queue_bench [--quick] [--dir DIR]\n"
                   "  --quick    smaller sizes (1M-job lease figure measured at 100k)\n"
                   "  --dir DIR  where the benchmark queues are created (default: $TMPDIR)\n";
      std::exit(0);
    } else {
      std::cerr << "queue_bench: unknown argument " << a << " (see --help)\n";
      std::exit(2);
    }
  }
  return s;
}

} // namespace

int main(int argc, char** argv) {
  auto s = parse(argc, argv);
  std::unique_ptr<test::temp_dir> tmp;
  if (s.dir.empty()) {
    tmp = std::make_unique<test::temp_dir>();
    s.dir = tmp->path();
  }
  auto sub = [&](const std::string& name) {
    auto d = s.dir / name;
    std::filesystem::remove_all(d);
    return d;
  };
  caf::actor_system_config cfg;
  register_message_types(cfg);
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};

  progress("baseline: durable single-job commits");
  auto base = baseline(sub("baseline"));
  progress("(a) enqueue_bulk, 200-job batches");
  auto bulk = bulk_rate(sub("bulk"), s.bulk_jobs);
  progress("(b) 64 clients through the scheduler");
  auto clients = group_commit_rate(sys, sub("clients"), s.client_jobs);
  progress("(c) 64 workers lease + complete through the scheduler");
  auto workers = lease_complete_rate(sys, sub("workers"), s.worker_jobs);
  progress("(d) lease + complete with 1k queued");
  auto small = lease_cost_us(sub("small"), 1000, s.lease_rounds);
  progress("(d) lease + complete with " + std::to_string(s.big_queue) + " queued");
  auto big = lease_cost_us(sub("big"), s.big_queue, s.lease_rounds);

  nlohmann::json out;
  out["benchmark"] = "queue";
  out["quick"] = s.quick;
  out["baseline_commits_per_s"] = base;
  out["figures"] = {
      figure("a_enqueue_bulk_200_durable", bulk, "jobs/s", 50'000, "issue: 50k jobs/s", true),
      figure("b_group_commit_64_clients", clients.jobs_per_s, "jobs/s", 30 * base, "30 x baseline",
             true),
      figure("c_lease_complete_64_workers", workers.jobs_per_s, "cycles/s", 10'000,
             "issue: 10k cycles/s", true),
      figure("d_lease_cost_ratio_" + std::to_string(s.big_queue) + "_vs_1000", big / small, "x",
             2.0, "issue: 2 x", false),
  };
  out["details"] = {
      {"a_vs_baseline", bulk / base},
      {"b_vs_baseline", clients.jobs_per_s / base},
      {"b_mean_requests_per_commit", clients.mean_batch},
      {"c_vs_baseline", workers.jobs_per_s / base},
      {"c_mean_requests_per_commit", workers.mean_batch},
      {"d_lease_us_at_1000", small},
      {"d_lease_us_at_" + std::to_string(s.big_queue), big},
  };
  bool pass = true;
  for (auto& f : out["figures"])
    pass = pass && f["pass"].get<bool>();
  out["pass"] = pass;
  std::cout << out.dump(2) << std::endl;
  return pass ? 0 : 1;
}
