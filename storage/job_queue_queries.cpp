// The job queue's reads: one job, a filtered list, the counters. Each reads a snapshot (the
// writer's open transaction in the writing process) and never blocks the writer.
#include "storage/job_queue_layout.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace vfb {

using namespace queue_layout;

namespace {

/// Puts the cursor on the last key that starts with the one-byte `prefix` (a state of the
/// by_state index); false when there is none.
bool last_with_prefix(lmdb::cursor& c, const std::string& prefix) {
  std::string after(1, static_cast<char>(prefix[0] + 1));
  bool ok = c.seek(after) ? c.prev() : c.last();
  return ok && !c.key().empty() && c.key()[0] == prefix[0];
}

} // namespace

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
      auto listable = [](job_state s) { return indexed_state(s) || s == job_state::leased; };
      if (states.empty() || !std::all_of(states.begin(), states.end(), listable)) {
        // Every job, or a state no index lists: scan the jobs table in id order.
        lmdb::cursor c{t, dbs_->jobs};
        auto step = [&] { return filter.newest_first ? c.prev() : c.next(); };
        for (bool ok = filter.newest_first ? c.last() : c.first(); ok && out.size() < limit;
             ok = step()) {
          auto v = decode_record(c.value()).view;
          if (matches(v) && (states.empty() || states.count(v.state) != 0))
            out.push_back(std::move(v));
        }
        return out;
      }
      // Per state, the by_state index gives ids in order; merge the states by id.
      for (auto s : states) {
        if (s == job_state::leased) {
          // The leases table holds every leased job (by deadline): a node's few in flight.
          lmdb::cursor c{t, dbs_->leases};
          for (bool ok = c.first(); ok; ok = c.next()) {
            auto raw = dbs_->jobs.get(t, c.key().substr(c.key().size() - 8));
            if (!raw)
              continue;
            auto v = decode_record(*raw).view;
            if (v.state == job_state::leased && matches(v))
              out.push_back(std::move(v));
          }
          continue;
        }
        lmdb::cursor c{t, dbs_->by_state};
        std::string prefix(1, static_cast<char>(s));
        size_t taken = 0;
        auto step = [&] { return filter.newest_first ? c.prev() : c.next(); };
        for (bool ok = filter.newest_first ? last_with_prefix(c, prefix) : c.seek_prefix(prefix);
             ok && taken < limit; ok = step()) {
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
      std::sort(out.begin(), out.end(), [&](const job_view& a, const job_view& b) {
        return filter.newest_first ? a.job.id > b.job.id : a.job.id < b.job.id;
      });
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
