// The operations of a batch that move jobs between states: enqueue (with dedupe), lease (round
// robin over tenants, priority classes first), heartbeat, complete (retries, breakers, waits),
// rescue of expired leases, retry, release and cancel. Each refuses a stale lease or a wrong
// state with an op_result rather than an exception: the batch and its other operations go on.
#include "storage/job_queue_layout.hpp"

#include <algorithm>

namespace vfb {

using namespace queue_layout;

namespace {

constexpr size_t max_name = 64;
constexpr size_t max_external_id = 2048;
constexpr size_t max_url = 8192;

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

/// Why an operation on a lease is refused (no such job, or the lease is no longer the job's).
template <class T>
std::optional<op_result<T>> check_lease(const std::optional<record>& rec, uint64_t id,
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
  if (runs_suspect_alone(worker))
    return out;
  auto take = [&](record& rec) {
    auto& v = rec.view;
    ++v.epoch;
    v.worker = worker;
    v.lease_deadline = now_ + ttl;
    set_state(rec, job_state::leased, {});
    d.leases.put(t_, time_key(v.lease_deadline, rec.id()), {});
    save(rec);
    out.push_back({rec.id(), v.epoch, v.lease_deadline, v.job});
  };
  auto take_alone = [&](record& rec) {
    take(rec);
    d.meta.del(t_, holder_key(next_alone_prefix, worker));
    d.meta.put(t_, holder_key(alone_prefix, worker), codec::be64(rec.id()));
  };
  // A suspect this holder came to while busy: nothing else until its jobs end, then it alone.
  if (auto next = reserved_suspect(worker)) {
    if (holds_lease(worker))
      return out;
    unready(*next);
    take_alone(*next);
    return out;
  }
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
      if (!rec->suspect) {
        take(*rec);
        continue;
      }
      if (out.empty() && !holds_lease(worker)) {
        take_alone(*rec);
        return out;
      }
      // The suspect stays ready where it was and is this holder's next job (other holders
      // may still take it); the holder drains meanwhile.
      auto& j = rec->job();
      d.ready.put(t_, ready_key(j.priority, j.key.tenant, rec->ready_seq), codec::be64(rec->id()));
      rr_join(j.priority, j.key.tenant);
      d.meta.put(t_, holder_key(next_alone_prefix, worker), codec::be64(rec->id()));
      return out;
    }
  }
  return out;
}

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
  rec->suspect = false; // it ended without taking its node down
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

void job_queue::batch::rescue(record& r, bool charged, const std::string& why) {
  auto& d = *q_.dbs_;
  auto& v = r.view;
  d.leases.del(t_, time_key(v.lease_deadline, r.id()));
  auto who = v.worker.empty() ? std::string{"its worker"} : "worker " + v.worker;
  v.worker.clear();
  if (charged) {
    ++v.rescues;
    ++v.job.attempt;
  }
  if (v.rescues > q_.opts_.max_rescues) {
    set_state(r, job_state::dead,
              (r.suspect ? "crashed its node while it ran alone, or lost its lease, "
                         : "lease expired ") +
                  std::to_string(v.rescues) + " times (poison pill)");
  } else if (v.job.attempt >= q_.opts_.max_attempts) {
    set_state(r, job_state::dead,
              "gave up after " + std::to_string(v.job.attempt) + " attempts (last: " + why + ")");
  } else {
    v.job.not_before = 0;
    set_state(r, job_state::queued, why);
    v.last_error = why; // shown by `queue ls` while it waits again
    make_ready(r);
  }
  save(r);
}

size_t job_queue::batch::rescue_expired() {
  auto& d = *q_.dbs_;
  std::vector<uint64_t> expired;
  lmdb::cursor c{t_, d.leases};
  for (bool ok = c.first(); ok; ok = c.next()) {
    if (static_cast<millis>(codec::get_be64(c.key())) > now_)
      break;
    expired.push_back(codec::get_be64(c.key(), 8));
  }
  size_t rescued = 0;
  for (auto id : expired) {
    auto rec = load(id);
    if (!rec || rec->view.state != job_state::leased)
      continue;
    auto who = rec->view.worker.empty() ? std::string{"its worker"} : "worker " + rec->view.worker;
    rescue(*rec, true, who + " lost its lease");
    ++rescued;
  }
  return rescued;
}

namespace {

bool is_remote(const std::string& holder) {
  return holder.rfind(remote_holder_prefix, 0) == 0;
}

} // namespace

size_t job_queue::batch::rescue_earlier_run(bool crashed) {
  auto& d = *q_.dbs_;
  std::vector<record> held;
  lmdb::cursor c{t_, d.leases};
  for (bool ok = c.first(); ok; ok = c.next()) {
    auto rec = load(codec::get_be64(c.key(), 8));
    if (!rec || rec->view.state != job_state::leased)
      continue;
    if (is_remote(rec->view.worker) && rec->view.lease_deadline > now_)
      continue; // a cluster worker's lease: it may still complete
    held.push_back(std::move(*rec));
  }
  // The crash is the job's fault only when nothing else ran beside it on this node (a cluster
  // worker's job ran elsewhere); with company, each job only becomes a suspect, to run alone
  // next.
  auto local = std::count_if(held.begin(), held.end(),
                             [](const record& r) { return !is_remote(r.view.worker); });
  for (auto& rec : held) {
    if (is_remote(rec.view.worker)) { // its deadline passed while the node was down
      rescue(rec, false, rec.view.worker + " lost its lease while the node was down (not counted)");
      continue;
    }
    if (!crashed) {
      rescue(rec, false, "its node stopped while it ran (not counted against it)");
      continue;
    }
    rec.suspect = true;
    bool alone = local == 1;
    rescue(rec, alone,
           alone ? "its node crashed while it ran alone (counted); it runs alone next"
                 : "its node crashed while it ran; it runs alone next");
  }
  // The local holders' places beside their suspects are over (a cluster worker's stay).
  for (const auto* prefix : {alone_prefix, next_alone_prefix}) {
    std::vector<std::string> gone;
    lmdb::cursor m{t_, d.meta};
    for (bool ok = m.seek_prefix(prefix); ok && m.key().rfind(prefix, 0) == 0; ok = m.next())
      if (!is_remote(std::string{m.key().substr(std::char_traits<char>::length(prefix))}))
        gone.emplace_back(m.key());
    for (const auto& k : gone)
      d.meta.del(t_, k);
  }
  return held.size();
}

bool job_queue::batch::holds_lease(const std::string& worker) {
  auto& d = *q_.dbs_;
  lmdb::cursor c{t_, d.leases};
  for (bool ok = c.first(); ok; ok = c.next())
    if (auto rec = load(codec::get_be64(c.key(), 8)); rec && rec->view.worker == worker)
      return true;
  return false;
}

bool job_queue::batch::runs_suspect_alone(const std::string& worker) {
  auto& d = *q_.dbs_;
  auto key = holder_key(alone_prefix, worker);
  auto alone = d.meta.get(t_, key);
  if (!alone)
    return false;
  auto rec = load(codec::get_be64(*alone));
  if (rec && rec->suspect && rec->view.state == job_state::leased && rec->view.worker == worker)
    return true;
  d.meta.del(t_, key); // it ended
  return false;
}

std::optional<job_queue::batch::record>
job_queue::batch::reserved_suspect(const std::string& worker) {
  auto& d = *q_.dbs_;
  auto key = holder_key(next_alone_prefix, worker);
  auto next = d.meta.get(t_, key);
  if (!next)
    return std::nullopt;
  auto rec = load(codec::get_be64(*next));
  if (rec && rec->suspect && rec->view.state == job_state::queued && !rec->delayed &&
      breaker_until(rec->job().key.source) <= now_)
    return rec;
  d.meta.del(t_, key); // taken by another holder, ended, or waiting for its source
  return std::nullopt;
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
