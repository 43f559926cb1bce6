#include "storage/job_queue.hpp"

#include <algorithm>
#include <cerrno>
#include <set>
#include <sodium.h>
#include <tuple>

namespace vfb {

// -- layout -----------------------------------------------------------------------------------
//
// Named databases, one per concern. Times are big-endian milliseconds so keys sort by time.
//   jobs      id                                  -> record
//   dedupe    blake2b(tenant,workspace,source,id) -> job id (every job's key, any state)
//   ready     class | tenant | ready_seq          -> job id (queued and leasable now)
//   rr_order  class | vtime | tenant              -> ()     (tenants with ready jobs, in turn)
//   rr_tenant class | tenant                      -> vtime  (where a tenant stands in rr_order)
//   delayed   not_before | id                     -> ()     (queued or retrying, waiting)
//   leases    deadline | id                       -> ()
//   by_state  state | id                          -> ()     (only the states of indexed_state)
//   counts    state | tenant | workspace          -> count
//   breakers  source                              -> open until
//   meta      name                                -> counter; "format" -> queue_format

struct job_queue::dbs {
  lmdb::db jobs, dedupe, ready, rr_order, rr_tenant, delayed, leases, by_state, counts, breakers,
      meta;
};

template <class F> auto job_queue::read(F f) {
  if (opts_.read_only) {
    lmdb::txn t{*env_, false};
    return f(t);
  }
  return f(writable());
}

namespace {

constexpr uint8_t record_version = 1;
/// The layout version, in meta under "format". 2: by_state holds only the indexed states (a
/// format-1 queue has no "format" key and indexes every state).
constexpr uint64_t queue_format = 2;
constexpr const char* format_key = "format";
constexpr size_t max_name = 64;
constexpr size_t max_external_id = 2048;
constexpr size_t max_url = 8192;

std::string id_key(uint64_t id) {
  return codec::be64(id);
}

std::string time_key(millis t, uint64_t id) {
  std::string k;
  codec::put_be64(k, static_cast<uint64_t>(std::max<millis>(t, 0)));
  codec::put_be64(k, id);
  return k;
}

std::string dedupe_key(const job_key& key) {
  std::string plain;
  for (auto* part : {&key.tenant, &key.workspace, &key.source, &key.external_id}) {
    codec::put_lp16(plain, *part);
  }
  unsigned char hash[crypto_generichash_BYTES];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(plain.data()),
                     plain.size(), nullptr, 0);
  return std::string(reinterpret_cast<char*>(hash), sizeof hash);
}

std::string class_tenant(priority_class c, std::string_view tenant) {
  std::string k(1, static_cast<char>(c));
  codec::put_lp16(k, tenant);
  return k;
}

std::string ready_key(priority_class c, std::string_view tenant, uint64_t seq) {
  auto k = class_tenant(c, tenant);
  codec::put_be64(k, seq);
  return k;
}

std::string rr_order_key(priority_class c, uint64_t vtime, std::string_view tenant) {
  std::string k(1, static_cast<char>(c));
  codec::put_be64(k, vtime);
  k.append(tenant);
  return k;
}

/// Whether `by_state` holds jobs in state `s`: only the rare states an operator lists to find
/// trouble. The common ones (queued, leased, done) change on every enqueue, lease and
/// completion, where an index entry cost a put and a delete on the writer's thread; `list`
/// finds them by scanning the jobs table instead.
constexpr bool indexed_state(job_state s) {
  return s != job_state::queued && s != job_state::leased && s != job_state::done;
}

std::string state_key(job_state s, uint64_t id) {
  std::string k(1, static_cast<char>(s));
  codec::put_be64(k, id);
  return k;
}

std::string count_key(job_state s, std::string_view tenant, std::string_view workspace) {
  std::string k(1, static_cast<char>(s));
  codec::put_lp16(k, tenant);
  codec::put_lp16(k, workspace);
  return k;
}

std::tuple<job_state, std::string, std::string> parse_count_key(std::string_view k) {
  auto read_lp = [&](size_t& at) {
    if (k.size() < at + 2)
      throw codec::decode_error("truncated count key");
    size_t n = (static_cast<uint8_t>(k[at]) << 8) | static_cast<uint8_t>(k[at + 1]);
    if (k.size() < at + 2 + n)
      throw codec::decode_error("truncated count key");
    std::string s{k.substr(at + 2, n)};
    at += 2 + n;
    return s;
  };
  if (k.empty())
    throw codec::decode_error("empty count key");
  size_t at = 1;
  auto tenant = read_lp(at);
  auto workspace = read_lp(at);
  return {static_cast<job_state>(k[0]), tenant, workspace};
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > max_name)
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

/// Why a job cannot be queued at all, or empty.
std::string validate(const ingest_job& j) {
  if (!valid_name(j.key.tenant))
    return "tenant must be 1-64 characters of A-Z a-z 0-9 . _ -";
  if (!valid_name(j.key.workspace))
    return "workspace must be 1-64 characters of A-Z a-z 0-9 . _ -";
  if (!valid_name(j.key.source))
    return "source must be 1-64 characters of A-Z a-z 0-9 . _ -";
  if (j.key.external_id.empty() || j.key.external_id.size() > max_external_id)
    return "external id must be 1-2048 bytes";
  if (j.url.size() > max_url)
    return "url is longer than 8192 bytes";
  if (static_cast<int>(j.priority) >= priority_class_count)
    return "unknown priority class";
  return {};
}

} // namespace

// -- records ----------------------------------------------------------------------------------

/// A job as stored: what users see plus where the job sits in the indexes.
struct job_queue::batch::record {
  job_view view;
  uint64_t ready_seq = 0; // its ready key, while in `ready`
  bool delayed = false;   // in `delayed` (keyed by not_before) rather than `ready`

  uint64_t id() const { return view.job.id; }
  const ingest_job& job() const { return view.job; }
  ingest_job& job() { return view.job; }
};

namespace {

std::string encode(const job_view& v, uint64_t ready_seq, bool delayed) {
  codec::writer w;
  const auto& j = v.job;
  w.u8(record_version);
  w.varint(j.id);
  w.str(j.key.tenant);
  w.str(j.key.workspace);
  w.str(j.key.source);
  w.str(j.key.external_id);
  w.str(j.url);
  w.varint(j.tags.size());
  for (auto& t : j.tags)
    w.str(t);
  w.str(j.visibility);
  w.u8(static_cast<uint8_t>(j.priority));
  w.u8(static_cast<uint8_t>(j.origin));
  w.varint(j.attempt);
  w.svarint(j.not_before);
  w.svarint(j.upload_cutoff);
  w.u8(static_cast<uint8_t>(v.state));
  w.varint(v.rescues);
  w.varint(v.epoch);
  w.str(v.worker);
  w.svarint(v.lease_deadline);
  w.svarint(v.created_at);
  w.svarint(v.updated_at);
  w.str(v.last_error);
  w.varint(ready_seq);
  w.u8(delayed ? 1 : 0);
  return std::move(w.buffer());
}

template <class Record> Record decode(std::string_view bytes) {
  codec::reader r{bytes};
  if (r.u8() != record_version)
    throw codec::decode_error("unknown job record version");
  Record rec;
  auto& v = rec.view;
  auto& j = v.job;
  j.id = r.varint();
  j.key.tenant = r.str();
  j.key.workspace = r.str();
  j.key.source = r.str();
  j.key.external_id = r.str();
  j.url = r.str();
  auto tags = r.varint();
  if (tags > 10'000)
    throw codec::decode_error("implausible tag count");
  for (uint64_t i = 0; i < tags; ++i)
    j.tags.push_back(r.str());
  j.visibility = r.str();
  j.priority = static_cast<priority_class>(r.u8());
  j.origin = static_cast<job_origin>(r.u8());
  j.attempt = static_cast<uint32_t>(r.varint());
  j.not_before = r.svarint();
  j.upload_cutoff = r.svarint();
  v.state = static_cast<job_state>(r.u8());
  v.rescues = static_cast<uint32_t>(r.varint());
  v.epoch = r.varint();
  v.worker = r.str();
  v.lease_deadline = r.svarint();
  v.created_at = r.svarint();
  v.updated_at = r.svarint();
  v.last_error = r.str();
  rec.ready_seq = r.varint();
  rec.delayed = r.u8() != 0;
  if (!r.done() || static_cast<int>(v.state) >= job_state_count ||
      static_cast<int>(j.priority) >= priority_class_count)
    throw codec::decode_error("malformed job record");
  return rec;
}

} // namespace

// -- job_queue --------------------------------------------------------------------------------

job_queue::job_queue(queue_options opts) : opts_(std::move(opts)) {
  if (sodium_init() < 0)
    throw queue_error(queue_failure::io, "libsodium failed to initialise");
  auto where = opts_.dir.string();
  if (auto problem = lmdb::prepare_dir(opts_.dir, opts_.read_only, "queue"))
    throw queue_error(problem->kind, problem->message);
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
      throw queue_error(queue_failure::corrupt,
                        "queue at " + where +
                            " was written by an older vfb (format 1); move it away to start a "
                            "new queue");
    else if (format && codec::get_be64(*format) != queue_format)
      throw queue_error(queue_failure::corrupt, "queue at " + where + " has format " +
                                                    std::to_string(codec::get_be64(*format)) +
                                                    "; this vfb reads format " +
                                                    std::to_string(queue_format));
    t.commit();
  } catch (const lmdb::error& e) {
    if (e.code() == MDB_NOTFOUND)
      throw queue_error(queue_failure::corrupt,
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
    // Crash recovery: whoever held a lease before this open is gone.
    rescued_at_open_ = write(now_millis(), [](batch& b) { return b.rescue_expired(true); });
    checkpoint(); // hand over a queue with no open transaction (it is tied to this thread)
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

namespace {

constexpr const char* wal_seq_key = "wal_seq";

} // namespace

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
    } catch (const queue_error&) {
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

void job_queue::recover() {
  open_.reset();
  ring_members_.clear();
  counts_.clear();
  auto& d = *dbs_;
  const lmdb::db* by_id[] = {&d.jobs,      &d.dedupe,   &d.ready,  &d.rr_order,
                             &d.rr_tenant, &d.delayed,  &d.leases, &d.by_state,
                             &d.counts,    &d.breakers, &d.meta};
  auto lookup = [&](uint8_t id) -> const lmdb::db* {
    return id < std::size(by_id) ? by_id[id] : nullptr;
  };
  try {
    uint64_t applied = 0;
    {
      lmdb::txn t{*env_, false};
      auto raw = d.meta.get(t, wal_seq_key);
      applied = raw ? codec::get_be64(*raw) : 0;
    }
    std::vector<std::pair<uint64_t, std::string>> pending;
    log_->replay([&](uint64_t seq, std::string_view changes) {
      if (seq > applied) // else already in LMDB (a crash between checkpoint and emptying the log)
        pending.emplace_back(seq, std::string{changes});
    });
    // Replay in as few commits as fit: all at once, else halves, down to one batch per commit
    // (each batch once fitted on its own).
    size_t done = 0;
    size_t chunk = std::max<size_t>(pending.size(), 1);
    while (done < pending.size()) {
      auto end = std::min(pending.size(), done + chunk);
      try {
        lmdb::txn t{*env_, true};
        for (auto i = done; i < end; ++i)
          lmdb::apply_log(t, pending[i].second, lookup);
        d.meta.put(t, wal_seq_key, codec::be64(pending[end - 1].first));
        t.commit();
        done = end;
      } catch (const lmdb::error& e) {
        if (!(e.map_full() || e.code() == MDB_TXN_FULL))
          throw;
        if (!env_->grow()) {
          if (chunk == 1)
            throw;
          chunk = (chunk + 1) / 2;
        }
      }
    }
    log_->reset();
    seq_ = pending.empty() ? applied : pending.back().first;
    appended_seq_ = seq_;
    checkpointed_seq_ = seq_;
    needs_recovery_ = false;
    last_checkpoint_ = std::chrono::steady_clock::now();
  } catch (const lmdb::error& e) {
    rethrow(e);
  } catch (const std::system_error& e) {
    rethrow(e);
  } catch (const std::runtime_error& e) {
    throw queue_error(queue_failure::corrupt,
                      "the log of the queue at " + opts_.dir.string() + " is corrupt: " + e.what());
  }
}

void job_queue::rethrow(const std::system_error& e) {
  auto code = e.code().value();
  if (code == ENOSPC || code == EFBIG || code == EDQUOT)
    throw queue_error(queue_failure::disk_full, "disk full: cannot write the queue at " +
                                                    opts_.dir.string() + " (" + e.what() + ")");
  throw queue_error(queue_failure::io,
                    "cannot write the queue at " + opts_.dir.string() + ": " + e.what());
}

void job_queue::rethrow(const lmdb::error& e) {
  auto problem =
      lmdb::describe(e, "queue", opts_.dir, opts_.max_map_size, "storage.max_map_size_mb");
  throw queue_error(problem.kind, problem.message);
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

// -- reads ------------------------------------------------------------------------------------

std::optional<job_view> job_queue::get(uint64_t id) {
  try {
    return read([&](lmdb::txn& t) -> std::optional<job_view> {
      auto v = dbs_->jobs.get(t, id_key(id));
      if (!v)
        return std::nullopt;
      return decode<batch::record>(*v).view;
    });
  } catch (const lmdb::error& e) {
    rethrow(e);
  } catch (const codec::decode_error& e) {
    throw queue_error(queue_failure::corrupt, std::string{"corrupt job record: "} + e.what());
  }
}

std::vector<job_view> job_queue::list(const job_filter& filter) {
  std::vector<job_view> out;
  auto limit = filter.limit == 0 ? uint32_t{100} : filter.limit;
  auto matches = [&](const job_view& v) {
    return (filter.tenant.empty() || v.job.key.tenant == filter.tenant) &&
           (filter.workspace.empty() || v.job.key.workspace == filter.workspace);
  };
  try {
    return read([&](lmdb::txn& t) {
      std::set<job_state> states(filter.states.begin(), filter.states.end());
      if (states.empty() || !std::all_of(states.begin(), states.end(), indexed_state)) {
        // Every job, or a state by_state does not index: scan the jobs table in id order.
        lmdb::cursor c{t, dbs_->jobs};
        for (bool ok = c.first(); ok && out.size() < limit; ok = c.next()) {
          auto v = decode<batch::record>(c.value()).view;
          if (matches(v) && (states.empty() || states.count(v.state) != 0))
            out.push_back(std::move(v));
        }
        return out;
      }
      // Per state, the by_state index gives ids in order; merge the states by id.
      for (auto s : states) {
        lmdb::cursor c{t, dbs_->by_state};
        std::string prefix(1, static_cast<char>(s));
        size_t taken = 0;
        for (bool ok = c.seek_prefix(prefix); ok && taken < limit; ok = c.next()) {
          if (c.key()[0] != prefix[0])
            break;
          auto raw = dbs_->jobs.get(t, c.key().substr(1));
          if (!raw)
            continue;
          auto v = decode<batch::record>(*raw).view;
          if (matches(v)) {
            out.push_back(std::move(v));
            ++taken;
          }
        }
      }
      std::sort(out.begin(), out.end(),
                [](const job_view& a, const job_view& b) { return a.job.id < b.job.id; });
      if (out.size() > limit)
        out.resize(limit);
      return out;
    });
  } catch (const lmdb::error& e) {
    rethrow(e);
  } catch (const codec::decode_error& e) {
    throw queue_error(queue_failure::corrupt, std::string{"corrupt job record: "} + e.what());
  }
}

queue_stats job_queue::stats() {
  try {
    return read([&](lmdb::txn& t) {
      queue_stats out;
      lmdb::cursor c{t, dbs_->counts};
      std::map<std::pair<std::string, std::string>, std::vector<uint64_t>> backlog;
      for (bool ok = c.first(); ok; ok = c.next()) {
        auto [state, tenant, workspace] = parse_count_key(c.key());
        auto n = codec::get_be64(c.value());
        if (static_cast<int>(state) >= job_state_count)
          throw codec::decode_error("unknown state in counts");
        out.by_state[static_cast<size_t>(state)] += n;
        auto& row = backlog[{tenant, workspace}];
        row.resize(job_state_count, 0);
        row[static_cast<size_t>(state)] += n;
      }
      for (auto& [tw, row] : backlog)
        out.backlog.push_back({tw.first, tw.second, row});
      return out;
    });
  } catch (const lmdb::error& e) {
    rethrow(e);
  } catch (const codec::decode_error& e) {
    throw queue_error(queue_failure::corrupt, std::string{"corrupt counters: "} + e.what());
  }
}

std::vector<std::string> job_queue::check_invariants() {
  return read([&](lmdb::txn& t) {
    std::vector<std::string> problems;
    auto bad = [&](uint64_t id, const std::string& what) {
      problems.push_back("job " + std::to_string(id) + ": " + what);
    };
    auto& d = *dbs_;
    std::map<std::string, int64_t> counts;
    size_t live_ready = 0, live_delayed = 0, live_leased = 0, indexed = 0;
    std::set<std::string> ready_tenants; // class | tenant with at least one ready job
    lmdb::cursor c{t, d.jobs};
    for (bool ok = c.first(); ok; ok = c.next()) {
      auto id = codec::get_be64(c.key());
      auto rec = decode<batch::record>(c.value());
      const auto& j = rec.view.job;
      if (j.id != id)
        bad(id, "record carries id " + std::to_string(j.id));
      auto owner = d.dedupe.get(t, dedupe_key(j.key));
      if (!owner || codec::get_be64(*owner) != id)
        bad(id, "dedupe index does not point at the job");
      bool in_by_state = d.by_state.get(t, state_key(rec.view.state, id)).has_value();
      if (in_by_state != indexed_state(rec.view.state))
        bad(id,
            in_by_state ? "in by_state, which does not index its state" : "missing from by_state");
      indexed += in_by_state;
      ++counts[count_key(rec.view.state, j.key.tenant, j.key.workspace)];
      bool in_ready =
          !rec.delayed && d.ready.get(t, ready_key(j.priority, j.key.tenant, rec.ready_seq));
      bool in_delayed = rec.delayed && d.delayed.get(t, time_key(j.not_before, id));
      bool in_leases = d.leases.get(t, time_key(rec.view.lease_deadline, id)).has_value();
      auto s = rec.view.state;
      if (s == job_state::queued || s == job_state::retrying) {
        if (in_ready == in_delayed)
          bad(id, "waiting job must be in exactly one of ready/delayed");
        if (in_leases)
          bad(id, "waiting job is also leased");
        if (s == job_state::retrying && !in_delayed)
          bad(id, "retrying job is not delayed");
        live_ready += in_ready;
        live_delayed += in_delayed;
        if (in_ready)
          ready_tenants.insert(class_tenant(j.priority, j.key.tenant));
      } else if (s == job_state::leased) {
        if (!in_leases)
          bad(id, "leased job has no lease entry");
        if (in_ready || in_delayed)
          bad(id, "leased job is also ready");
        ++live_leased;
      } else if (in_ready || in_delayed || in_leases) {
        bad(id, "finished job (" + std::string{to_string(s)} + ") is still indexed");
      }
    }
    auto jobs_n = d.jobs.size(t);
    if (d.dedupe.size(t) != jobs_n)
      problems.push_back("dedupe has " + std::to_string(d.dedupe.size(t)) + " keys for " +
                         std::to_string(jobs_n) + " jobs");
    if (d.by_state.size(t) != indexed)
      problems.push_back("by_state has " + std::to_string(d.by_state.size(t)) + " entries for " +
                         std::to_string(indexed) + " jobs in indexed states");
    if (d.ready.size(t) != live_ready)
      problems.push_back("ready has stray entries");
    if (d.delayed.size(t) != live_delayed)
      problems.push_back("delayed has stray entries");
    if (d.leases.size(t) != live_leased)
      problems.push_back("leases has stray entries");
    lmdb::cursor cc{t, d.counts};
    std::map<std::string, int64_t> stored;
    for (bool ok = cc.first(); ok; ok = cc.next())
      stored[std::string{cc.key()}] = static_cast<int64_t>(codec::get_be64(cc.value()));
    if (stored != counts)
      problems.push_back("counters do not match the jobs table");
    std::set<std::string> ring;
    lmdb::cursor rc{t, d.rr_tenant};
    for (bool ok = rc.first(); ok; ok = rc.next()) {
      auto c_and_tenant = rc.key();
      auto cls = static_cast<priority_class>(c_and_tenant[0]);
      ring.insert(class_tenant(cls, c_and_tenant.substr(1)));
      if (!d.rr_order.get(t,
                          rr_order_key(cls, codec::get_be64(rc.value()), c_and_tenant.substr(1))))
        problems.push_back("round-robin order misses a tenant");
    }
    if (ring != ready_tenants)
      problems.push_back("round-robin ring does not match the tenants with ready jobs");
    if (d.rr_order.size(t) != d.rr_tenant.size(t))
      problems.push_back("round-robin order has stray entries");
    return problems;
  });
}

// -- batch ------------------------------------------------------------------------------------

job_queue::batch::batch(job_queue& q, lmdb::txn& t, millis now) : q_(q), t_(t), now_(now) {}

job_queue::batch::~batch() = default;

std::optional<job_queue::batch::record> job_queue::batch::load(uint64_t id) {
  auto raw = q_.dbs_->jobs.get(t_, id_key(id));
  if (!raw)
    return std::nullopt;
  return decode<record>(*raw);
}

void job_queue::batch::save(const record& r) {
  q_.dbs_->jobs.put(t_, id_key(r.id()), encode(r.view, r.ready_seq, r.delayed));
}

void job_queue::batch::unuse_counter(const char* name) {
  --counters_.at(name).second;
}

uint64_t job_queue::batch::next_counter(const char* name) {
  auto it = counters_.find(name);
  if (it == counters_.end()) {
    auto raw = q_.dbs_->meta.get(t_, name);
    auto stored = raw ? codec::get_be64(*raw) : 0;
    it = counters_.emplace(name, std::make_pair(stored, stored)).first;
  }
  return ++it->second.second;
}

void job_queue::batch::finish() {
  auto& d = *q_.dbs_;
  for (auto& [name, value] : counters_)
    if (value.second != value.first)
      d.meta.put(t_, name, codec::be64(value.second));
  for (auto& [key, delta] : count_deltas_) {
    if (delta == 0)
      continue;
    auto cached = q_.counts_.find(key);
    uint64_t had = 0;
    if (cached != q_.counts_.end()) {
      had = cached->second;
    } else if (auto raw = d.counts.get(t_, key)) {
      had = codec::get_be64(*raw);
    }
    auto n = static_cast<int64_t>(had) + delta;
    if (n <= 0) {
      d.counts.del(t_, key);
      q_.counts_.erase(key);
    } else {
      d.counts.put(t_, key, codec::be64(static_cast<uint64_t>(n)));
      q_.counts_[key] = static_cast<uint64_t>(n);
    }
  }
  for (auto& [source, until] : opened_)
    d.breakers.put(t_, source, codec::be64(static_cast<uint64_t>(until)));
}

void job_queue::batch::set_state(record& r, job_state s, std::string reason) {
  auto& d = *q_.dbs_;
  auto& v = r.view;
  if (v.created_at != 0) { // an existing job leaves its old state
    if (indexed_state(v.state))
      d.by_state.del(t_, state_key(v.state, r.id()));
    --count_deltas_[count_key(v.state, r.job().key.tenant, r.job().key.workspace)];
  } else {
    v.created_at = now_;
  }
  if (indexed_state(s))
    d.by_state.put(t_, state_key(s, r.id()), {});
  ++count_deltas_[count_key(s, r.job().key.tenant, r.job().key.workspace)];
  v.state = s;
  v.updated_at = now_;
  if (s == job_state::failed || s == job_state::dead || s == job_state::retrying ||
      s == job_state::skipped)
    v.last_error = reason;
  if (q_.record_events_)
    events_.push_back({r.id(), r.job().key, s, r.job().priority, std::move(reason)});
}

void job_queue::batch::rr_join(priority_class c, const std::string& tenant) {
  auto& d = *q_.dbs_;
  auto tk = std::string(1, static_cast<char>(c)) + tenant;
  if (q_.ring_members_.count(tk) != 0)
    return;
  if (!d.rr_tenant.get(t_, tk)) {
    auto v = next_counter("vtime");
    d.rr_tenant.put(t_, tk, codec::be64(v));
    d.rr_order.put(t_, rr_order_key(c, v, tenant), {});
  }
  q_.ring_members_.insert(std::move(tk));
}

void job_queue::batch::rr_leave_or_rotate(priority_class c, const std::string& tenant,
                                          bool rotate) {
  auto& d = *q_.dbs_;
  auto tk = std::string(1, static_cast<char>(c)) + tenant;
  auto raw = d.rr_tenant.get(t_, tk);
  if (!raw)
    return;
  auto old = codec::get_be64(*raw);
  lmdb::cursor more{t_, d.ready};
  bool has_more = more.seek_prefix(class_tenant(c, tenant));
  if (has_more && !rotate)
    return; // keeps its place in the ring
  d.rr_order.del(t_, rr_order_key(c, old, tenant));
  if (!has_more) {
    d.rr_tenant.del(t_, tk);
    q_.ring_members_.erase(tk);
    return;
  }
  auto v = next_counter("vtime"); // served: to the back of the ring
  d.rr_tenant.put(t_, tk, codec::be64(v));
  d.rr_order.put(t_, rr_order_key(c, v, tenant), {});
}

void job_queue::batch::make_ready(record& r) {
  auto& d = *q_.dbs_;
  auto& j = r.job();
  if (j.not_before > now_) {
    d.delayed.put(t_, time_key(j.not_before, r.id()), {});
    r.delayed = true;
    return;
  }
  r.delayed = false;
  r.ready_seq = next_counter("ready_seq");
  d.ready.put(t_, ready_key(j.priority, j.key.tenant, r.ready_seq), codec::be64(r.id()));
  rr_join(j.priority, j.key.tenant);
}

void job_queue::batch::unready(record& r) {
  auto& d = *q_.dbs_;
  auto& j = r.job();
  if (r.delayed) {
    d.delayed.del(t_, time_key(j.not_before, r.id()));
    r.delayed = false;
    return;
  }
  d.ready.del(t_, ready_key(j.priority, j.key.tenant, r.ready_seq));
  rr_leave_or_rotate(j.priority, j.key.tenant, false);
}

millis job_queue::batch::backoff(uint32_t attempt) {
  // Exponential with "equal jitter": half the delay is fixed, half random, so retries of many
  // jobs that failed together spread out.
  auto shift = std::min<uint32_t>(attempt > 0 ? attempt - 1 : 0, 30);
  auto d = std::min<millis>(q_.opts_.backoff_cap, q_.opts_.backoff_base << shift);
  std::uniform_int_distribution<millis> jitter(0, std::max<millis>(d / 2, 0));
  return d - d / 2 + jitter(q_.rng_);
}

millis job_queue::batch::open_breaker(const std::string& source, millis retry_after) {
  auto until = std::max(now_ + std::max<millis>(retry_after, 1), breaker_until(source));
  breakers_[source] = until;
  opened_[source] = until;
  return until;
}

millis job_queue::batch::breaker_until(const std::string& source) {
  auto it = breakers_.find(source);
  if (it != breakers_.end())
    return it->second;
  auto raw = q_.dbs_->breakers.get(t_, source);
  millis until = raw ? static_cast<millis>(codec::get_be64(*raw)) : 0;
  if (raw && until <= now_)
    q_.dbs_->breakers.del(t_, source); // closed again
  breakers_.emplace(source, until);
  return until;
}

enqueue_result job_queue::batch::enqueue(const ingest_job& job, bool force) {
  if (auto why = validate(job); !why.empty())
    return {0, enqueue_status::invalid, why};
  auto& d = *q_.dbs_;
  auto dk = dedupe_key(job.key);
  // Claims the key for a new id in one descent of the dedupe index; a known key gives the
  // id back.
  auto new_id = next_counter("next_id");
  if (auto owner = d.dedupe.put_if_absent(t_, dk, codec::be64(new_id))) {
    unuse_counter("next_id");
    auto id = codec::get_be64(*owner);
    auto rec = load(id);
    if (!rec)
      throw codec::decode_error("dedupe index points at missing job " + std::to_string(id));
    auto s = rec->view.state;
    if (is_live(s)) {
      // A user's submission must not wait behind the backfill copy of the same video.
      if (job.priority < rec->job().priority) {
        if (s == job_state::leased || rec->delayed) {
          rec->job().priority = job.priority;
        } else {
          unready(*rec);
          rec->job().priority = job.priority;
          make_ready(*rec);
        }
        save(*rec);
      }
      return {id, enqueue_status::duplicate, {}};
    }
    if (s == job_state::done && !force)
      return {id, enqueue_status::duplicate, {}};
    // A listing (backfill, refresh) never brings back a job that ended: a video the user
    // cancelled, or that failed for good or fell outside its window, stays as it is. Only a
    // person's request (or --force) runs it again.
    bool automatic = job.origin == job_origin::backfill || job.origin == job_origin::refresh;
    if (automatic && !force)
      return {id, enqueue_status::duplicate, {}};
    // The key's job has ended: run the same job again with the new request's parameters.
    auto& j = rec->job();
    j.url = job.url;
    j.tags = job.tags;
    j.visibility = job.visibility;
    j.priority = job.priority;
    j.origin = job.origin;
    j.upload_cutoff = job.upload_cutoff;
    j.not_before = job.not_before;
    j.attempt = 0;
    rec->view.rescues = 0;
    rec->view.last_error.clear();
    rec->view.worker.clear();
    set_state(*rec, job_state::queued, "requeued");
    make_ready(*rec);
    save(*rec);
    return {id, enqueue_status::requeued, {}};
  }
  record rec;
  rec.view.job = job;
  rec.view.job.id = new_id;
  rec.view.job.attempt = 0;
  set_state(rec, job_state::queued, {});
  make_ready(rec);
  save(rec);
  return {rec.id(), enqueue_status::created, {}};
}

size_t job_queue::batch::promote_due() {
  auto& d = *q_.dbs_;
  std::vector<std::string> due;
  lmdb::cursor c{t_, d.delayed};
  for (bool ok = c.first(); ok; ok = c.next()) {
    if (static_cast<millis>(codec::get_be64(c.key())) > now_)
      break;
    due.emplace_back(c.key());
  }
  for (auto& k : due) {
    d.delayed.del(t_, k);
    auto rec = load(codec::get_be64(k, 8));
    if (!rec)
      continue;
    rec->delayed = false;
    if (rec->view.state == job_state::retrying)
      set_state(*rec, job_state::queued, {});
    make_ready(*rec);
    save(*rec);
  }
  return due.size();
}

std::optional<job_queue::batch::record> job_queue::batch::pick(priority_class c) {
  auto& d = *q_.dbs_;
  for (;;) {
    lmdb::cursor turn{t_, d.rr_order};
    if (!turn.seek_prefix(std::string(1, static_cast<char>(c))))
      return std::nullopt;
    std::string tenant{turn.key().substr(9)};
    lmdb::cursor head{t_, d.ready};
    if (!head.seek_prefix(class_tenant(c, tenant))) {
      // Cannot happen while the invariants hold; heal rather than spin.
      rr_leave_or_rotate(c, tenant, false);
      continue;
    }
    auto id = codec::get_be64(head.value());
    head.del();
    rr_leave_or_rotate(c, tenant, true);
    auto rec = load(id);
    if (!rec)
      continue;
    return rec;
  }
}

std::vector<lease> job_queue::batch::lease_jobs(const std::string& worker, uint32_t n, millis ttl) {
  std::vector<lease> out;
  if (n == 0)
    return out;
  promote_due();
  auto& d = *q_.dbs_;
  for (int c = 0; c < priority_class_count && out.size() < n; ++c) {
    while (out.size() < n) {
      auto rec = pick(static_cast<priority_class>(c));
      if (!rec)
        break;
      auto until = breaker_until(rec->job().key.source);
      if (until > now_) { // its source pushes back: wait, without burning an attempt
        rec->job().not_before = until;
        make_ready(*rec);
        save(*rec);
        continue;
      }
      auto& v = rec->view;
      ++v.epoch;
      v.worker = worker;
      v.lease_deadline = now_ + ttl;
      set_state(*rec, job_state::leased, {});
      d.leases.put(t_, time_key(v.lease_deadline, rec->id()), {});
      save(*rec);
      out.push_back({rec->id(), v.epoch, v.lease_deadline, v.job});
    }
  }
  return out;
}

namespace {

template <class T, class Record>
std::optional<op_result<T>> check_lease(const std::optional<Record>& rec, uint64_t id,
                                        uint64_t epoch) {
  if (!rec)
    return op_result<T>::fail(queue_errc::not_found, "no job " + std::to_string(id));
  if (rec->view.state != job_state::leased || rec->view.epoch != epoch)
    return op_result<T>::fail(queue_errc::stale_lease,
                              "lease " + std::to_string(epoch) + " of job " + std::to_string(id) +
                                  " is no longer valid (job is " +
                                  std::string{to_string(rec->view.state)} + ", epoch " +
                                  std::to_string(rec->view.epoch) + ")");
  return std::nullopt;
}

} // namespace

op_result<millis> job_queue::batch::heartbeat(uint64_t id, uint64_t epoch, millis ttl) {
  auto rec = load(id);
  if (auto refused = check_lease<millis>(rec, id, epoch))
    return *refused;
  auto& d = *q_.dbs_;
  auto& v = rec->view;
  d.leases.del(t_, time_key(v.lease_deadline, id));
  v.lease_deadline = now_ + ttl;
  v.updated_at = now_;
  d.leases.put(t_, time_key(v.lease_deadline, id), {});
  save(*rec);
  return {queue_errc::ok, {}, v.lease_deadline};
}

op_result<job_state> job_queue::batch::complete(uint64_t id, uint64_t epoch,
                                                const job_outcome& outcome) {
  constexpr millis short_wait = 3'600'000;
  auto rec = load(id);
  if (auto refused = check_lease<job_state>(rec, id, epoch))
    return *refused;
  auto& d = *q_.dbs_;
  auto& v = rec->view;
  d.leases.del(t_, time_key(v.lease_deadline, id));
  v.worker.clear();
  switch (outcome.kind) {
  case outcome_kind::done:
    set_state(*rec, job_state::done, {});
    v.last_error.clear();
    break;
  case outcome_kind::skipped:
    set_state(*rec, job_state::skipped, outcome.reason);
    break;
  case outcome_kind::permanent_failure:
    set_state(*rec, job_state::failed, outcome.reason);
    break;
  case outcome_kind::transient_failure:
    if (++v.job.attempt >= q_.opts_.max_attempts) {
      set_state(*rec, job_state::dead,
                outcome.reason + " (gave up after " + std::to_string(v.job.attempt) + " attempts)");
    } else {
      v.job.not_before = now_ + backoff(v.job.attempt);
      set_state(*rec, job_state::retrying, outcome.reason);
      make_ready(*rec);
    }
    break;
  case outcome_kind::throttled: {
    auto until = open_breaker(outcome.source.empty() ? v.job.key.source : outcome.source,
                              outcome.retry_after);
    v.job.not_before = until;
    set_state(*rec, job_state::queued, outcome.reason);
    v.last_error = outcome.reason;
    make_ready(*rec);
    break;
  }
  case outcome_kind::waiting: // only this job waits: the source is fine
    // A wait of under an hour ("begins in a few moments") uses an attempt: a stream that is
    // announced and never starts must not be looked at every few minutes for ever.
    if (outcome.retry_after < short_wait && ++v.job.attempt >= q_.opts_.max_attempts) {
      set_state(*rec, job_state::dead,
                outcome.reason + " (gave up after " + std::to_string(v.job.attempt) + " attempts)");
      break;
    }
    v.job.not_before = now_ + std::max<millis>(0, outcome.retry_after);
    set_state(*rec, job_state::queued, outcome.reason);
    v.last_error = outcome.reason;
    make_ready(*rec);
    break;
  }
  save(*rec);
  return {queue_errc::ok, {}, v.state};
}

void job_queue::batch::rescue(record& r) {
  auto& d = *q_.dbs_;
  auto& v = r.view;
  d.leases.del(t_, time_key(v.lease_deadline, r.id()));
  ++v.rescues;
  ++v.job.attempt;
  auto who = v.worker.empty() ? std::string{"its worker"} : "worker " + v.worker;
  v.worker.clear();
  if (v.rescues > q_.opts_.max_rescues) {
    set_state(r, job_state::dead,
              "lease expired " + std::to_string(v.rescues) + " times (poison pill)");
  } else if (v.job.attempt >= q_.opts_.max_attempts) {
    set_state(r, job_state::dead,
              "gave up after " + std::to_string(v.job.attempt) + " attempts (last: " + who +
                  " lost its lease)");
  } else {
    v.job.not_before = 0;
    set_state(r, job_state::queued, who + " lost its lease");
    v.last_error = who + " lost its lease"; // shown by `queue ls` while it waits again
    make_ready(r);
  }
  save(r);
}

size_t job_queue::batch::rescue_expired(bool everything) {
  auto& d = *q_.dbs_;
  std::vector<uint64_t> expired;
  lmdb::cursor c{t_, d.leases};
  for (bool ok = c.first(); ok; ok = c.next()) {
    if (!everything && static_cast<millis>(codec::get_be64(c.key())) > now_)
      break;
    expired.push_back(codec::get_be64(c.key(), 8));
  }
  for (auto id : expired)
    if (auto rec = load(id); rec && rec->view.state == job_state::leased)
      rescue(*rec);
  return expired.size();
}

op_result<job_view> job_queue::batch::retry(uint64_t id) {
  auto rec = load(id);
  if (!rec)
    return op_result<job_view>::fail(queue_errc::not_found, "no job " + std::to_string(id));
  auto s = rec->view.state;
  if (s != job_state::failed && s != job_state::dead)
    return op_result<job_view>::fail(
        queue_errc::wrong_state, "job " + std::to_string(id) + " is " + std::string{to_string(s)} +
                                     "; only failed or dead jobs can be retried" +
                                     (s == job_state::done ? " (enqueue --force re-runs it)" : ""));
  rec->job().attempt = 0;
  rec->job().not_before = 0;
  rec->view.rescues = 0;
  set_state(*rec, job_state::queued, "retried");
  rec->view.last_error.clear();
  make_ready(*rec);
  save(*rec);
  return {queue_errc::ok, {}, rec->view};
}

op_result<job_state> job_queue::batch::release(uint64_t id, uint64_t epoch) {
  auto rec = load(id);
  if (auto refused = check_lease<job_state>(rec, id, epoch))
    return *refused;
  auto& v = rec->view;
  q_.dbs_->leases.del(t_, time_key(v.lease_deadline, id));
  // Not the job's fault: no attempt is counted, and it can be leased again at once.
  v.worker.clear();
  v.job.not_before = 0;
  set_state(*rec, job_state::queued, "released by a stopping node");
  make_ready(*rec);
  save(*rec);
  return {queue_errc::ok, {}, v.state};
}

op_result<job_view> job_queue::batch::cancel(uint64_t id) {
  auto rec = load(id);
  if (!rec)
    return op_result<job_view>::fail(queue_errc::not_found, "no job " + std::to_string(id));
  auto s = rec->view.state;
  if (s != job_state::queued && s != job_state::retrying)
    return op_result<job_view>::fail(
        queue_errc::wrong_state, "job " + std::to_string(id) + " is " + std::string{to_string(s)} +
                                     "; only queued or retrying jobs can be cancelled");
  unready(*rec);
  set_state(*rec, job_state::cancelled, "cancelled");
  save(*rec);
  return {queue_errc::ok, {}, rec->view};
}

} // namespace vfb
