// job_queue::check_invariants: every index checked against the jobs table, one line per
// violation. The tests run it after every step; an operator can run it on a suspect queue.
#include "storage/job_queue_layout.hpp"

#include <map>
#include <set>

namespace vfb {

using namespace queue_layout;

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
      auto rec = decode_record(c.value());
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

} // namespace vfb
