// What every operation of a batch keeps in step with the job it changes: loading and saving the
// record, the state index and counters, the per-class round-robin ring of tenants, the ready and
// delayed indexes, the counters in meta (written once, at the batch's end), retry backoff and the
// sources' circuit breakers. The operations themselves: job_queue_transitions.cpp.
#include "storage/job_queue_layout.hpp"

#include <algorithm>

namespace vfb {

using namespace queue_layout;

job_queue::batch::batch(job_queue& q, lmdb::txn& t, millis now) : q_(q), t_(t), now_(now) {}

job_queue::batch::~batch() = default;

std::optional<job_queue::batch::record> job_queue::batch::load(uint64_t id) {
  auto raw = q_.dbs_->jobs.get(t_, id_key(id));
  if (!raw)
    return std::nullopt;
  return decode_record(*raw);
}

void job_queue::batch::save(const record& r) {
  q_.dbs_->jobs.put(t_, id_key(r.id()), encode_record(r));
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

} // namespace vfb
