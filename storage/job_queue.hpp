// The persistent job queue: priority classes, per-tenant round robin, dedupe, fenced leases,
// retries with backoff, source circuit breakers. Plain C++ over LMDB (no CAF): the scheduler
// actor owns one instance and batches its calls through `write`.
//
// Every write runs inside `write(f)`: `f` gets a `batch` whose operations run in a long-lived
// LMDB write transaction. Their changes are recorded and appended to a write-ahead log; with
// `sync = always` the log is fsynced before `write` returns. The long-lived transaction is
// committed (fully synced) at checkpoints, after which the log is emptied. A batch that fails
// half-way throws the open transaction away; the log brings back every batch it held. Why: on disks
// where an fsync costs per dirty page, a batch of random B-tree inserts costs many times a small
// sequential log append (see docs/PERFORMANCE.md).
//
// If the map fills up, the batch is thrown away, the map grows, and `f` runs again from
// scratch: `f` must only compute results, never keep side effects of an attempt.
//
// Threads: the long-lived transaction belongs to the thread that writes. Call `checkpoint()`
// from that thread before handing the queue to another one (the scheduler does on exit).
// Other processes read the state of the last checkpoint (at most a second or so behind).
//
// The implementation is split by concern; storage/job_queue_layout.hpp lists the files.
#pragma once

#include "messages/job.hpp"
#include "storage/codec.hpp"
#include "storage/lmdb.hpp"
#include "storage/store_error.hpp"
#include "storage/write_ahead_log.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace vfb {

/// How a lease holder's name marks a cluster worker (the cluster gateway leases for workers as
/// "worker:NAME"). Opening the queue rescues every lease of the process that had it open before
/// (its pipelines are gone), but a worker's lease lives on until its deadline: the worker still
/// runs the job and comes back to complete it.
inline constexpr std::string_view remote_holder_prefix = "worker:";

/// The file in the queue's directory that says the process which had the queue open died of a
/// fault of its own (a fatal signal: apps/service.cpp's crash marker writes it), not of an
/// outside kill. Opening the queue reads and removes it; see `job_queue`'s constructor.
inline constexpr const char* crash_marker_name = "crashed";

enum class sync_mode : uint8_t {
  always,   // every write is fsynced (in the log) before it is acknowledged
  periodic, // writes reach the OS at once (safe against a process crash); fsync on a timer
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
  /// A checkpoint (LMDB commit, log emptied) is due after this long or this much log.
  std::chrono::milliseconds checkpoint_interval{1000};
  uint64_t checkpoint_log_bytes = uint64_t{32} << 20;
};

/// Why an operation on one job was refused; the batch and its other operations go on.
enum class queue_errc : uint8_t { ok = 0, not_found, stale_lease, wrong_state };

template <class T> struct op_result {
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
  /// leased from an earlier run is rescued: its worker is gone. Such a rescue is not held
  /// against the job (a node killed from outside is not its jobs' fault) unless the earlier
  /// run crashed (crash_marker_name): then its jobs become suspects, run alone from then on
  /// until they end, and a crash while one ran alone counts against it (a poison pill dies
  /// after `max_rescues`). Throws `storage_error`.
  explicit job_queue(queue_options opts);
  ~job_queue();

  /// Runs `f(batch&)` in one write transaction at time `now` and commits it; see the file
  /// comment.
  template <class F> auto write(millis now, F&& f) {
    return write_impl(now, std::forward<F>(f), opts_.sync == sync_mode::always);
  }

  /// Like `write`, but never waits for the disk: the batch is logged (safe against a process
  /// crash) and durable only once `sync_log()` or a checkpoint covered `logged_seq()`. The
  /// scheduler uses this to fsync one batch while it already works on the next.
  template <class F> auto write_unsynced(millis now, F&& f) {
    return write_impl(now, std::forward<F>(f), false);
  }

  /// The sequence number of the last logged batch.
  uint64_t logged_seq() const { return seq_; }
  /// Bytes of log records written since open (0 without a log: read-only). For benchmarks.
  uint64_t logged_bytes() const;
  /// Makes every logged batch durable; returns the sequence number it covered. Unlike every
  /// other member, this may run on another thread than the writes.
  uint64_t sync_log();
  /// `logged_seq()` for other threads (the log syncer's).
  uint64_t appended_seq() const { return appended_seq_.load(); }
  /// Batches up to this sequence number are durable through a checkpoint.
  uint64_t checkpointed_seq() const { return checkpointed_seq_.load(); }

  /// The job events of the last committed `write`, oldest first.
  std::vector<job_event> take_events() { return std::move(events_); }
  /// Whether writes record job events (on by default). Each event copies the job's key, so the
  /// scheduler turns them off while nobody subscribes.
  void record_events(bool on) { record_events_ = on; }

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

  /// Flushes the log to disk (periodic mode) and checkpoints when one is due. The scheduler
  /// calls this on a timer.
  void sync();
  /// Commits everything to LMDB and empties the log; see the file comment about threads.
  void checkpoint();
  size_t rescued_at_open() const { return rescued_at_open_; }
  /// Whether the run before this open crashed (it left crash_marker_name).
  bool crashed_before_open() const { return crashed_before_open_; }
  const queue_options& options() const { return opts_; }
  size_t map_size() const { return env_->map_size(); }

private:
  struct dbs;
  [[noreturn]] void rethrow(const lmdb::error& e);
  [[noreturn]] void rethrow(const std::system_error& e);
  /// The long-lived write transaction, begun (after a recovery if one is pending) on demand.
  lmdb::txn& writable();
  /// Logs and joins a finished batch; see the file comment.
  void publish(lmdb::txn& t, const std::string& log, batch& b, bool sync);
  /// Throws away the open transaction after a batch failed half-way; the logged batches in it
  /// come back from the log before the next use.
  void discard_batch();
  /// After a failed write: makes room when the map was full, else rethrows. Rethrows too when
  /// the map cannot grow and this was the `last_try`.
  void make_room(const lmdb::error& e, bool last_try);
  /// Rebuilds the open state from the last checkpoint plus the log (at open, and after a
  /// failed checkpoint).
  void recover();
  /// Runs `f(txn)` in the writer's open transaction, or a read transaction.
  template <class F> auto write_impl(millis now, F&& f, bool sync);
  template <class F> auto read(F f);

  queue_options opts_;
  std::unique_ptr<lmdb::env> env_;
  std::unique_ptr<dbs> dbs_;
  std::unique_ptr<write_ahead_log> log_;
  std::unique_ptr<lmdb::txn> open_;
  std::thread::id open_thread_;
  uint64_t seq_ = 0;                          // the last batch in the log (or checkpointed)
  std::atomic<uint64_t> appended_seq_{0};     // seq_, for sync_log on another thread
  std::atomic<uint64_t> checkpointed_seq_{0}; // the last batch LMDB holds durably
  bool needs_recovery_ = false;
  std::chrono::steady_clock::time_point last_checkpoint_ = std::chrono::steady_clock::now();
  std::mt19937_64 rng_;
  std::vector<job_event> events_;
  bool record_events_ = true;
  // What the open transaction holds, kept so that batches need not look it up again (most
  // enqueues would otherwise read both): the tenants in the round-robin ring (class | tenant)
  // and the counts table. Cleared whenever the open transaction is thrown away.
  std::unordered_set<std::string> ring_members_;
  std::unordered_map<std::string, uint64_t> counts_;
  size_t rescued_at_open_ = 0;
  bool crashed_before_open_ = false;
};

/// The operations available inside one write transaction.
class job_queue::batch {
public:
  /// A job as stored: the view plus where it sits in the indexes (job_queue_layout.hpp).
  struct record;

  batch(job_queue& q, lmdb::txn& t, millis now);
  ~batch();

  enqueue_result enqueue(const ingest_job& job, bool force);
  std::vector<lease> lease_jobs(const std::string& worker, uint32_t n, millis ttl);
  op_result<millis> heartbeat(uint64_t id, uint64_t epoch, millis ttl);
  op_result<job_state> complete(uint64_t id, uint64_t epoch, const job_outcome& outcome);
  op_result<job_view> retry(uint64_t id);
  op_result<job_view> cancel(uint64_t id);
  /// Gives a leased job back (its node stops): queued again at once, no attempt counted. A
  /// stale epoch is refused like a completion's.
  op_result<job_state> release(uint64_t id, uint64_t epoch);
  /// Rescues leases whose deadline has passed, counting each against its job (rescues and
  /// attempts): its holder stopped answering.
  size_t rescue_expired();
  /// At open: rescues every lease of the earlier run (not a cluster worker's before its
  /// deadline) without counting it, unless `crashed` (see the constructor).
  size_t rescue_earlier_run(bool crashed);
  /// Opens (or extends) a source's circuit breaker for `retry_after` ms, as a throttled job
  /// does: its jobs are not leased until then. Returns when it closes.
  millis open_breaker(const std::string& source, millis retry_after);
  /// When a source's breaker closes (a time in the past, or 0: it is closed).
  millis breaker(const std::string& source) { return breaker_until(source); }
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
  /// Requeues a job whose lease ended without its holder, saying `why`; `charged`: counted
  /// against it.
  void rescue(record& r, bool charged, const std::string& why);
  /// Whether `worker` holds a lease now (a scan of the leases: only when a suspect is next).
  bool holds_lease(const std::string& worker);
  /// Whether `worker` runs a suspect alone now (see the constructor's comment).
  bool runs_suspect_alone(const std::string& worker);
  /// The suspect `worker` came to while busy, while it still waits for it.
  std::optional<record> reserved_suspect(const std::string& worker);
  std::optional<record> pick(priority_class c);
  void rr_join(priority_class c, const std::string& tenant);
  void rr_leave_or_rotate(priority_class c, const std::string& tenant, bool rotate);
  uint64_t next_counter(const char* name);
  /// Gives back the value the last `next_counter(name)` took (it was not used).
  void unuse_counter(const char* name);
  millis breaker_until(const std::string& source);
  millis backoff(uint32_t attempt);

  job_queue& q_;
  lmdb::txn& t_;
  millis now_;
  std::map<std::string, int64_t> count_deltas_;
  /// Counters this batch read: (value stored, value now). Only changed ones are written back,
  /// so a batch that changed nothing logs nothing.
  std::unordered_map<std::string, std::pair<uint64_t, uint64_t>> counters_;
  std::unordered_map<std::string, millis> breakers_; // read-through cache of `breakers`
  std::map<std::string, millis> opened_;             // breakers this batch opened or extended
  std::vector<job_event> events_;
};

template <class F> auto job_queue::write_impl(millis now, F&& f, bool sync) {
  using result_type = std::invoke_result_t<F&, batch&>;
  for (bool last_try = false;; last_try = true) {
    std::string log;
    try {
      auto& t = writable();
      t.record_into(&log);
      batch b{*this, t, now};
      if constexpr (std::is_void_v<result_type>) {
        f(b);
        b.finish();
        publish(t, log, b, sync);
        return;
      } else {
        auto result = f(b);
        b.finish();
        publish(t, log, b, sync);
        return result;
      }
    } catch (const lmdb::error& e) {
      discard_batch();
      make_room(e, last_try);
    } catch (const std::system_error& e) {
      discard_batch();
      rethrow(e);
    } catch (const codec::decode_error& e) {
      discard_batch();
      throw storage_error(store_failure::corrupt,
                          "queue at " + opts_.dir.string() + " is corrupt: " + e.what());
    } catch (const storage_error&) {
      throw; // from after the batch was logged: it counts
    } catch (...) {
      discard_batch();
      throw;
    }
  }
}

} // namespace vfb
