// The job vocabulary: what a queued unit of work is, which states it moves through and how it
// ends. Plain value types; `inspect` lets CAF serialise them across nodes.
#pragma once

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// Milliseconds since the Unix epoch; the queue's only notion of time.
using millis = int64_t;

/// Wall-clock milliseconds since the Unix epoch.
millis now_millis();

/// Jobs are leased in this order; a lower class always goes first, so backfill can never starve
/// a user's submission.
enum class priority_class : uint8_t { interactive = 0, refresh = 1, backfill = 2 };
inline constexpr int priority_class_count = 3;

/// Where a job came from (for logs, stats and the pipeline's choices).
enum class job_origin : uint8_t { cli = 0, api = 1, discord = 2, backfill = 3, refresh = 4 };

/// Every state a job can be in. queued/leased/retrying are live; the rest are final until a
/// retry, a forced enqueue or (for failed/dead/cancelled/skipped) a new enqueue of the same key.
enum class job_state : uint8_t {
  queued = 0,
  leased = 1,
  retrying = 2,
  done = 3,
  skipped = 4,
  failed = 5,
  dead = 6,
  cancelled = 7,
};
inline constexpr int job_state_count = 8;

/// The dedupe identity of a job: one job per key and tenant/workspace.
struct job_key {
  std::string tenant;
  std::string workspace;
  std::string source;      // "youtube", "generic", ...
  std::string external_id; // the source's id for the video (or the normalised URL)

  friend bool operator==(const job_key& a, const job_key& b) {
    return a.tenant == b.tenant && a.workspace == b.workspace && a.source == b.source &&
           a.external_id == b.external_id;
  }
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, job_key& x) {
  return f(caf::meta::type_name("vfb.job_key"), x.tenant, x.workspace, x.source, x.external_id);
}

/// What is submitted: the original design's ingest job plus queue bookkeeping.
struct ingest_job {
  uint64_t id = 0; // assigned by the queue; ignored on enqueue
  job_key key;
  std::string url;
  std::vector<std::string> tags;
  std::string visibility = "private";
  priority_class priority = priority_class::interactive;
  job_origin origin = job_origin::cli;
  uint32_t attempt = 0;     // failed attempts so far (transient failures and expired leases)
  millis not_before = 0;    // not leased before this time
  millis upload_cutoff = 0; // backfill: videos uploaded before this are skipped (0: none)
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, ingest_job& x) {
  return f(caf::meta::type_name("vfb.ingest_job"), x.id, x.key, x.url, x.tags, x.visibility,
           x.priority, x.origin, x.attempt, x.not_before, x.upload_cutoff);
}

/// A worker's claim on a job. Every lease gets a new epoch; a heartbeat or completion that
/// carries an older epoch is rejected (fencing), so a worker that lost its lease can't clobber
/// the job's newer owner.
struct lease {
  uint64_t job_id = 0;
  uint64_t epoch = 0;
  millis deadline = 0;
  ingest_job job;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, lease& x) {
  return f(caf::meta::type_name("vfb.lease"), x.job_id, x.epoch, x.deadline, x.job);
}

/// How a leased job ended.
enum class outcome_kind : uint8_t {
  done = 0,
  skipped = 1,           // nothing to do (e.g. outside the backfill window)
  permanent_failure = 2, // private, deleted, unsupported: never retried
  transient_failure = 3, // retried with backoff until max attempts, then dead
  throttled = 4,         // the source pushes back: wait, no attempt burned
  waiting = 5,           // not out yet (a premiere, a scheduled stream): wait; under an hour
                         // uses an attempt (a stream that never starts ends dead)
};

/// Whether a job that ended so comes back to the queue by itself (its run is not the last).
inline bool runs_again(outcome_kind k) {
  return k == outcome_kind::transient_failure || k == outcome_kind::throttled ||
         k == outcome_kind::waiting;
}

struct job_outcome {
  outcome_kind kind = outcome_kind::done;
  std::string reason;
  std::string source;     // throttled: whose circuit breaker opens
  millis retry_after = 0; // throttled, waiting: how long to wait

  static job_outcome done() { return {}; }
  static job_outcome skipped(std::string why) {
    return {outcome_kind::skipped, std::move(why), {}, 0};
  }
  static job_outcome permanent(std::string why) {
    return {outcome_kind::permanent_failure, std::move(why), {}, 0};
  }
  static job_outcome transient(std::string why) {
    return {outcome_kind::transient_failure, std::move(why), {}, 0};
  }
  static job_outcome throttled(std::string source, millis retry_after, std::string why) {
    return {outcome_kind::throttled, std::move(why), std::move(source), retry_after};
  }
  static job_outcome waiting(millis wait, std::string why) {
    return {outcome_kind::waiting, std::move(why), {}, wait};
  }
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, job_outcome& x) {
  return f(caf::meta::type_name("vfb.job_outcome"), x.kind, x.reason, x.source, x.retry_after);
}

/// Everything the queue knows about a job, as shown by `queue ls` and the API.
struct job_view {
  ingest_job job;
  job_state state = job_state::queued;
  uint32_t rescues = 0; // leases that expired without a heartbeat
  uint64_t epoch = 0;
  std::string worker;
  millis lease_deadline = 0;
  millis created_at = 0;
  millis updated_at = 0;
  std::string last_error;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, job_view& x) {
  return f(caf::meta::type_name("vfb.job_view"), x.job, x.state, x.rescues, x.epoch, x.worker,
           x.lease_deadline, x.created_at, x.updated_at, x.last_error);
}

/// The answer to one enqueued job.
enum class enqueue_status : uint8_t {
  created = 0,   // a new job
  duplicate = 1, // the key is queued, leased, retrying or done: the existing job is kept
  requeued = 2,  // the key's job had ended (failed, dead, cancelled, skipped or forced done):
                 // the same job id runs again
  invalid = 3,   // rejected; `error` says why
};

struct enqueue_result {
  uint64_t job_id = 0;
  enqueue_status status = enqueue_status::created;
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, enqueue_result& x) {
  return f(caf::meta::type_name("vfb.enqueue_result"), x.job_id, x.status, x.error);
}

/// A filter for listing jobs; empty fields match everything.
struct job_filter {
  std::vector<job_state> states;
  std::string tenant;
  std::string workspace;
  uint32_t limit = 100;
  bool newest_first = false; // the newest `limit` jobs, newest first (else oldest, oldest first)
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, job_filter& x) {
  return f(caf::meta::type_name("vfb.job_filter"), x.states, x.tenant, x.workspace, x.limit,
           x.newest_first);
}

/// Live jobs of one tenant/workspace.
struct backlog_entry {
  std::string tenant;
  std::string workspace;
  std::vector<uint64_t> by_state; // indexed by job_state
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, backlog_entry& x) {
  return f(caf::meta::type_name("vfb.backlog_entry"), x.tenant, x.workspace, x.by_state);
}

struct queue_stats {
  std::vector<uint64_t> by_state = std::vector<uint64_t>(job_state_count, 0);
  std::vector<backlog_entry> backlog; // every tenant/workspace that has jobs
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, queue_stats& x) {
  return f(caf::meta::type_name("vfb.queue_stats"), x.by_state, x.backlog);
}

/// A job changed state; sent to the scheduler's subscribers after the change is durable.
struct job_event {
  uint64_t job_id = 0;
  job_key key;
  job_state state = job_state::queued;
  priority_class priority = priority_class::interactive;
  std::string reason;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, job_event& x) {
  return f(caf::meta::type_name("vfb.job_event"), x.job_id, x.key, x.state, x.priority, x.reason);
}

// Names used on the CLI, in JSON and in logs. `parse_*` return false for unknown names.
std::string_view to_string(job_state x);
std::string_view to_string(priority_class x);
std::string_view to_string(job_origin x);
std::string_view to_string(outcome_kind x);
std::string_view to_string(enqueue_status x);
bool parse(std::string_view name, job_state& out);
bool parse(std::string_view name, priority_class& out);
bool parse(std::string_view name, job_origin& out);

/// Live states hold their key: enqueuing the same key again is a duplicate.
inline bool is_live(job_state s) {
  return s == job_state::queued || s == job_state::leased || s == job_state::retrying;
}

} // namespace vfb
