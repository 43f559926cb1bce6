// job_queue::recover: rebuilds the open state from the last checkpoint plus the write-ahead log,
// at open and after a failed batch or checkpoint. Why a log at all: see job_queue.hpp.
#include "storage/job_queue_layout.hpp"

#include <algorithm>

namespace vfb {

using namespace queue_layout;

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
    throw storage_error(store_failure::corrupt, "the log of the queue at " + opts_.dir.string() +
                                                    " is corrupt: " + e.what());
  }
}

} // namespace vfb
