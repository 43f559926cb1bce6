// The job queue's reads: one job, a filtered list, the counters. Each reads a snapshot (the
// writer's open transaction in the writing process) and never blocks the writer.
#include "storage/job_queue_layout.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace vfb {

using namespace queue_layout;

std::optional<job_view> job_queue::get(uint64_t id) {
  try {
    return read([&](lmdb::txn& t) -> std::optional<job_view> {
      auto v = dbs_->jobs.get(t, id_key(id));
      if (!v)
        return std::nullopt;
      return decode_record(*v).view;
    });
  } catch (const lmdb::error& e) {
    rethrow(e);
  } catch (const codec::decode_error& e) {
    throw storage_error(store_failure::corrupt, std::string{"corrupt job record: "} + e.what());
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
          auto v = decode_record(c.value()).view;
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
          auto v = decode_record(*raw).view;
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
    throw storage_error(store_failure::corrupt, std::string{"corrupt job record: "} + e.what());
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
    throw storage_error(store_failure::corrupt, std::string{"corrupt counters: "} + e.what());
  }
}

} // namespace vfb
