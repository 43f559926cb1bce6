// The job queue's on-disk layout, shared by the files that implement job_queue (private to
// storage/: nothing outside includes it): its tables, the keys of each, the stored job record,
// and the read transaction that queries and the invariant check use.
//
// Files: job_queue.cpp (open, the write path, checkpoints), job_queue_recovery.cpp (the log
// replayed after a crash), job_queue_batch.cpp (what every operation keeps in step: indexes,
// counters, the round-robin ring, breakers), job_queue_transitions.cpp (the operations that move
// a job between states), job_queue_queries.cpp, job_queue_invariants.cpp.
#pragma once

#include "storage/job_queue.hpp"

#include <cstdint>
#include <string>
#include <string_view>
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
//   meta      name                                -> counter; "format" -> queue_format;
//                                                     "alone|HOLDER", "next_alone|HOLDER"
//                                                     -> a suspect (see alone_prefix)

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

/// A job as stored: what users see plus where the job sits in the indexes.
struct job_queue::batch::record {
  job_view view;
  uint64_t ready_seq = 0; // its ready key, while in `ready`
  bool delayed = false;   // in `delayed` (keyed by not_before) rather than `ready`
  bool suspect = false;   // in flight when its node crashed: leased alone until it ends

  uint64_t id() const { return view.job.id; }
  const ingest_job& job() const { return view.job; }
  ingest_job& job() { return view.job; }
};

namespace queue_layout {

using record = job_queue::batch::record;

/// In meta: the sequence number of the last logged batch that LMDB holds.
constexpr const char* wal_seq_key = "wal_seq";
/// In meta, per holder: the suspect it runs alone ("alone|HOLDER": it leases nothing else
/// meanwhile), and the suspect it came to while busy ("next_alone|HOLDER": it drains, then
/// takes that one alone).
constexpr const char* alone_prefix = "alone|";
constexpr const char* next_alone_prefix = "next_alone|";
inline std::string holder_key(const char* prefix, const std::string& holder) {
  return prefix + holder;
}

/// Whether `by_state` holds jobs in state `s`: only the rare states an operator lists to find
/// trouble. The common ones (queued, leased, done) change on every enqueue, lease and
/// completion, where an index entry cost a put and a delete on the writer's thread; `list`
/// finds them by scanning the jobs table instead.
constexpr bool indexed_state(job_state s) {
  return s != job_state::queued && s != job_state::leased && s != job_state::done;
}

// Keys (see the layout above).
std::string id_key(uint64_t id);
/// A time then an id: the `delayed` and `leases` keys.
std::string time_key(millis t, uint64_t id);
std::string dedupe_key(const job_key& key);
std::string class_tenant(priority_class c, std::string_view tenant);
std::string ready_key(priority_class c, std::string_view tenant, uint64_t seq);
std::string rr_order_key(priority_class c, uint64_t vtime, std::string_view tenant);
std::string state_key(job_state s, uint64_t id);
std::string count_key(job_state s, std::string_view tenant, std::string_view workspace);
std::tuple<job_state, std::string, std::string> parse_count_key(std::string_view k);

/// The stored job record. decode throws codec::decode_error when the bytes are not one.
std::string encode_record(const record& r);
record decode_record(std::string_view bytes);

} // namespace queue_layout

} // namespace vfb
