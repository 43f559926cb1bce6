// The job queue's life and write path: opening (format check, recovery, rescue of leases from
// an earlier run), the long-lived write transaction and how a batch joins it, the log, map
// growth, checkpoints, and the one-operation conveniences. What a batch does: job_queue_batch.cpp
// and job_queue_transitions.cpp.
#include "storage/job_queue_layout.hpp"

#include <cerrno>
#include <sodium.h>

namespace vfb {

using namespace queue_layout;

namespace {

/// The layout version, in meta under "format". 2: by_state holds only the indexed states (a
/// format-1 queue has no "format" key and indexes every state).
constexpr uint64_t queue_format = 2;
constexpr const char* format_key = "format";

} // namespace

job_queue::job_queue(queue_options opts) : opts_(std::move(opts)) {
  if (sodium_init() < 0)
    throw storage_error(store_failure::io, "libsodium failed to initialise");
  auto where = opts_.dir.string();
  if (auto problem = lmdb::prepare_dir(opts_.dir, opts_.read_only, "queue"))
    throw storage_error(problem->kind, problem->message);
  rng_.seed(opts_.seed != 0 ? opts_.seed : std::random_device{}());
  try {
    lmdb::env_options eo;
    eo.dir = opts_.dir;
    eo.map_size = opts_.initial_map_size;
    eo.max_map_size = opts_.max_map_size;
    eo.read_only = opts_.read_only;
    env_ = std::make_unique<lmdb::env>(eo);
    dbs_ = std::make_unique<dbs>();
    lmdb::txn t{*env_, !opts_.read_only};
    uint8_t next_id = 0; // the order below names the databases in the log: never reorder
    auto open = [&](const char* name) { return lmdb::db{t, name, !opts_.read_only, next_id++}; };
    *dbs_ = dbs{open("jobs"),      open("dedupe"),   open("ready"),  open("rr_order"),
                open("rr_tenant"), open("delayed"),  open("leases"), open("by_state"),
                open("counts"),    open("breakers"), open("meta")};
    auto format = dbs_->meta.get(t, format_key);
    if (!format && dbs_->jobs.size(t) == 0 && !opts_.read_only)
      dbs_->meta.put(t, format_key, codec::be64(queue_format)); // a new queue
    else if (!format && dbs_->jobs.size(t) != 0)
      throw storage_error(store_failure::corrupt,
                          "queue at " + where +
                              " was written by an older vfb (format 1); move it away to start a "
                              "new queue");
    else if (format && codec::get_be64(*format) != queue_format)
      throw storage_error(store_failure::corrupt, "queue at " + where + " has format " +
                                                      std::to_string(codec::get_be64(*format)) +
                                                      "; this vfb reads format " +
                                                      std::to_string(queue_format));
    t.commit();
  } catch (const lmdb::error& e) {
    if (e.code() == MDB_NOTFOUND)
      throw storage_error(store_failure::corrupt,
                          "queue at " + where + " is not a vfb queue (tables missing)");
    rethrow(e);
  }
  if (!opts_.read_only) {
    try {
      log_ = std::make_unique<write_ahead_log>(opts_.dir / "queue.wal");
    } catch (const std::system_error& e) {
      rethrow(e);
    }
    recover(); // batches logged after the last checkpoint
    // Crash recovery: whoever held a lease before this open is gone. Whether it died of a
    // fault of its own, its crash marker says; the marker goes once the rescue is durable.
    auto marker = opts_.dir / crash_marker_name;
    std::error_code ec;
    bool crashed = crashed_before_open_ = std::filesystem::exists(marker, ec);
    rescued_at_open_ = write(now_millis(), [&](batch& b) { return b.rescue_earlier_run(crashed); });
    checkpoint(); // hand over a queue with no open transaction (it is tied to this thread)
    if (crashed)
      std::filesystem::remove(marker, ec);
  }
}

job_queue::~job_queue() {
  if (!open_)
    return;
  if (open_thread_ != std::this_thread::get_id()) {
    // The writing thread did not checkpoint. Its transaction can only be ended there; leave
    // it to the process's exit. Nothing is lost: every batch is in the log.
    (void)open_.release();
    return;
  }
  try {
    checkpoint();
  } catch (const std::exception&) {
    // The log keeps every batch; the next open replays it.
  }
}

lmdb::txn& job_queue::writable() {
  if (open_ && open_thread_ != std::this_thread::get_id())
    throw std::logic_error("job_queue used from a second thread without a checkpoint() by the "
                           "first (its open transaction belongs to the first)");
  if (needs_recovery_)
    recover();
  if (!open_) {
    open_ = std::make_unique<lmdb::txn>(*env_, true);
    open_thread_ = std::this_thread::get_id();
  }
  return *open_;
}

void job_queue::publish(lmdb::txn& t, const std::string& log, batch& b, bool sync) {
  t.record_into(nullptr);
  if (!log.empty()) {
    log_->append(seq_ + 1, log); // on failure the caller discards the batch and hears of it
    appended_seq_ = ++seq_;
  }
  events_ = b.take_events();
  if (log.empty())
    return; // nothing changed (reads, refused operations)
  try {
    if (sync)
      log_->sync();
  } catch (const std::system_error& e) {
    rethrow(e); // logged and applied; whether it reached the disk is unknown
  }
  if (log_->size() >= opts_.checkpoint_log_bytes) {
    try {
      checkpoint();
    } catch (const storage_error&) {
      // This batch is safe in the log, so its caller must not hear of a failure. The failed
      // checkpoint left a recovery pending: the next use replays the log, and reports the
      // problem if it persists.
    }
  }
}

void job_queue::discard_batch() {
  open_.reset();
  ring_members_.clear();
  counts_.clear();
  needs_recovery_ = true;
}

void job_queue::make_room(const lmdb::error& e, bool last_try) {
  if (!e.map_full() && e.code() != MDB_TXN_FULL)
    rethrow(e);
  // The map can only grow with no transaction open: commit what the open one holds first. That
  // alone may make room, as pages the commit frees become reusable: so without growth the
  // batch gets one more try.
  checkpoint();
  if (needs_recovery_)
    recover(); // the checkpoint itself did not fit: replay the log in smaller commits
  if (!env_->grow() && last_try)
    rethrow(e); // refused; everything acknowledged before stays, and the queue goes on
}

void job_queue::checkpoint() {
  if (!open_ || opts_.read_only)
    return;
  auto t = std::move(open_);
  try {
    dbs_->meta.put(*t, wal_seq_key, codec::be64(seq_));
    t->commit();
  } catch (const lmdb::error& e) {
    // The open transaction is gone, but its batches are in the log: the next use replays them.
    needs_recovery_ = true;
    if (e.map_full() || e.code() == MDB_TXN_FULL) {
      env_->grow(); // when allowed; recovery can also commit in smaller steps
      return;
    }
    rethrow(e);
  }
  checkpointed_seq_ = seq_;
  try {
    log_->reset();
  } catch (const std::system_error& e) {
    rethrow(e); // LMDB has everything; a stale log is skipped by sequence number
  }
  last_checkpoint_ = std::chrono::steady_clock::now();
}

uint64_t job_queue::logged_bytes() const {
  return log_ ? log_->appended_bytes() : 0;
}

uint64_t job_queue::sync_log() {
  auto covered = appended_seq_.load(); // appended before the fdatasync below starts
  try {
    log_->sync();
  } catch (const std::system_error& e) {
    rethrow(e);
  }
  return covered;
}

void job_queue::rethrow(const std::system_error& e) {
  auto code = e.code().value();
  if (code == ENOSPC || code == EFBIG || code == EDQUOT)
    throw storage_error(store_failure::disk_full, "disk full: cannot write the queue at " +
                                                      opts_.dir.string() + " (" + e.what() + ")");
  throw storage_error(store_failure::io,
                      "cannot write the queue at " + opts_.dir.string() + ": " + e.what());
}

void job_queue::rethrow(const lmdb::error& e) {
  auto problem =
      lmdb::describe(e, "queue", opts_.dir, opts_.max_map_size, "storage.max_map_size_mb");
  throw storage_error(problem.kind, problem.message);
}

enqueue_result job_queue::enqueue(const ingest_job& job, bool force, millis now) {
  return write(now, [&](batch& b) { return b.enqueue(job, force); });
}

std::vector<enqueue_result> job_queue::enqueue_bulk(const std::vector<ingest_job>& jobs, bool force,
                                                    millis now) {
  return write(now, [&](batch& b) {
    std::vector<enqueue_result> out;
    out.reserve(jobs.size());
    for (auto& j : jobs)
      out.push_back(b.enqueue(j, force));
    return out;
  });
}

std::vector<lease> job_queue::lease_jobs(const std::string& worker, uint32_t n, millis ttl,
                                         millis now) {
  return write(now, [&](batch& b) { return b.lease_jobs(worker, n, ttl); });
}

op_result<millis> job_queue::heartbeat(uint64_t id, uint64_t epoch, millis ttl, millis now) {
  return write(now, [&](batch& b) { return b.heartbeat(id, epoch, ttl); });
}

op_result<job_state> job_queue::complete(uint64_t id, uint64_t epoch, const job_outcome& outcome,
                                         millis now) {
  return write(now, [&](batch& b) { return b.complete(id, epoch, outcome); });
}

op_result<job_view> job_queue::retry(uint64_t id, millis now) {
  return write(now, [&](batch& b) { return b.retry(id); });
}

op_result<job_view> job_queue::cancel(uint64_t id, millis now) {
  return write(now, [&](batch& b) { return b.cancel(id); });
}

size_t job_queue::rescue_expired(millis now) {
  return write(now, [&](batch& b) { return b.rescue_expired(); });
}

void job_queue::sync() {
  if (opts_.read_only)
    return;
  try {
    if (opts_.sync == sync_mode::periodic)
      log_->sync();
  } catch (const std::system_error& e) {
    rethrow(e);
  }
  if (std::chrono::steady_clock::now() - last_checkpoint_ >= opts_.checkpoint_interval)
    checkpoint();
}

} // namespace vfb
