// The persistent job queue: priority classes, per-tenant round robin, dedupe, fenced leases,
// retries with backoff, source circuit breakers. Plain C++ over LMDB (no CAF): the scheduler
// actor owns one instance and batches its calls through `write`.
//
// Every write runs inside `write(f)`: `f` gets a `batch` whose operations share one LMDB write
// transaction, committed when `f` returns. If the map fills up, the transaction is thrown away,
// the map grows, and `f` runs again from scratch: `f` must only compute results, never keep
// side effects of an attempt.
#pragma once

#include "messages/job.hpp"
#include "storage/codec.hpp"
#include "storage/lmdb.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace vfb {

enum class sync_mode : uint8_t {
  always,   // every commit is fsynced before it is acknowledged
  periodic, // commits reach the OS at once (safe against a process crash); fsync on a timer
};

struct queue_options {
  std::filesystem::path dir;
  sync_mode sync = sync_mode::always;
  bool read_only = false;
  size_t initial_map_size = size_t{64} << 20;
  size_t max_map_size = 0; // 0: grow until the disk is full
  uint32_t max_attempts = 8;
  uint32_t max_rescues = 5;
  millis backoff_base = 30'000;
  millis backoff_cap = 3'600'000;
  uint64_t seed = 0; // jitter; 0 picks a random seed
};

/// Why the queue as a whole could not do what was asked.
enum class queue_failure : uint8_t { missing, corrupt, disk_full, io };

class queue_error : public std::runtime_error {
public:
  queue_error(queue_failure kind, const std::string& what)
    : std::runtime_error(what), kind_(kind) {}
  queue_failure kind() const { return kind_; }

private:
  queue_failure kind_;
};

/// Why an operation on one job was refused; the batch and its other operations go on.
enum class queue_errc : uint8_t { ok = 0, not_found, stale_lease, wrong_state };

template <class T>
struct op_result {
  queue_errc code = queue_errc::ok;
  std::string message;
  T value{};
  bool ok() const { return code == queue_errc::ok; }
  static op_result fail(queue_errc c, std::string msg) { return {c, std::move(msg), T{}}; }
};

class job_queue {
public:
  class batch;

  /// Opens (and in write mode creates) the queue in `opts.dir`. In write mode every job still
  /// leased from an earlier run is rescued: its worker is gone. Throws `queue_error`.
  explicit job_queue(queue_options opts);
  ~job_queue();

  /// Runs `f(batch&)` in one write transaction at time `now` and commits it; see the file
  /// comment.
  template <class F>
  auto write(millis now, F&& f);

  /// The job events of the last committed `write`, oldest first.
  std::vector<job_event> take_events() { return std::move(events_); }

  // One-operation conveniences, each its own transaction.
  enqueue_result enqueue(const ingest_job& job, bool force, millis now);
  std::vector<enqueue_result> enqueue_bulk(const std::vector<ingest_job>& jobs, bool force,
                                           millis now);
  std::vector<lease> lease_jobs(const std::string& worker, uint32_t n, millis ttl, millis now);
  op_result<millis> heartbeat(uint64_t id, uint64_t epoch, millis ttl, millis now);
  op_result<job_state> complete(uint64_t id, uint64_t epoch, const job_outcome& outcome,
                                millis now);
  op_result<job_view> retry(uint64_t id, millis now);
  op_result<job_view> cancel(uint64_t id, millis now);
  size_t rescue_expired(millis now);

  // Reads (a snapshot; never blocks writers).
  std::optional<job_view> get(uint64_t id);
  std::vector<job_view> list(const job_filter& filter);
  queue_stats stats();
  /// Checks every index against the jobs table; returns one line per violation (empty: sound).
  std::vector<std::string> check_invariants();

  /// Flushes commits to disk (the periodic sync mode's timer calls this).
  void sync();
  size_t rescued_at_open() const { return rescued_at_open_; }
  const queue_options& options() const { return opts_; }
  size_t map_size() const { return env_->map_size(); }

private:
  struct dbs;
  [[noreturn]] void rethrow(const lmdb::error& e);

  queue_options opts_;
  std::unique_ptr<lmdb::env> env_;
  std::unique_ptr<dbs> dbs_;
  std::mt19937_64 rng_;
  std::vector<job_event> events_;
  size_t rescued_at_open_ = 0;
};

/// The operations available inside one write transaction.
class job_queue::batch {
public:
  /// A job as stored: the view plus where it sits in the indexes (defined in the .cpp).
  struct record;

  batch(job_queue& q, lmdb::txn& t, millis now);
  ~batch();

  enqueue_result enqueue(const ingest_job& job, bool force);
  std::vector<lease> lease_jobs(const std::string& worker, uint32_t n, millis ttl);
  op_result<millis> heartbeat(uint64_t id, uint64_t epoch, millis ttl);
  op_result<job_state> complete(uint64_t id, uint64_t epoch, const job_outcome& outcome);
  op_result<job_view> retry(uint64_t id);
  op_result<job_view> cancel(uint64_t id);
  /// Rescues leases whose deadline has passed (all leases with `everything`).
  size_t rescue_expired(bool everything = false);
  /// Moves jobs whose wait is over from the delayed index to the ready index.
  size_t promote_due();

  /// Writes counters; called by `write` right before the commit.
  void finish();
  std::vector<job_event> take_events() { return std::move(events_); }

private:
  std::optional<record> load(uint64_t id);
  void save(const record& r);
  void set_state(record& r, job_state s, std::string reason);
  void make_ready(record& r);
  void unready(record& r);
  void rescue(record& r);
  std::optional<record> pick(priority_class c);
  void rr_join(priority_class c, const std::string& tenant);
  void rr_leave_or_rotate(priority_class c, const std::string& tenant, bool rotate);
  uint64_t next_counter(const char* name);
  millis breaker_until(const std::string& source);
  millis backoff(uint32_t attempt);

  job_queue& q_;
  lmdb::txn& t_;
  millis now_;
  std::map<std::string, int64_t> count_deltas_;
  std::unordered_map<std::string, uint64_t> counters_;
  std::unordered_map<std::string, millis> breakers_; // read-through cache of `breakers`
  std::map<std::string, millis> opened_;             // breakers this batch opened or extended
  std::vector<job_event> events_;
};

template <class F>
auto job_queue::write(millis now, F&& f) {
  for (;;) {
    try {
      lmdb::txn t{*env_, true};
      batch b{*this, t, now};
      if constexpr (std::is_void_v<std::invoke_result_t<F&, batch&>>) {
        f(b);
        b.finish();
        t.commit();
        events_ = b.take_events();
        return;
      } else {
        auto result = f(b);
        b.finish();
        t.commit();
        events_ = b.take_events();
        return result;
      }
    } catch (const lmdb::error& e) {
      // The transaction is gone (destructor or failed commit); now the map may be resized.
      if (!e.map_full() || !env_->grow())
        rethrow(e);
    } catch (const codec::decode_error& e) {
      throw queue_error(queue_failure::corrupt,
                        "queue at " + opts_.dir.string() + " is corrupt: " + e.what());
    }
  }
}

} // namespace vfb
