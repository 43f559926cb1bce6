// The pipeline coordinator's bookkeeping, kept free of CAF so it can be tested alone: which
// jobs wait for which stage, and which stage workers are idle.
//
// Jobs further down the pipeline go first: finishing a job frees its lease slot, and a video
// that is already transcribed should not wait behind new downloads. Within a stage: FIFO.
#pragma once

#include "messages/pipeline.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace vfb {

class stage_slots {
public:
  /// Work for a worker: run `stage` of `job` on worker number `worker` of that stage.
  struct assignment {
    uint64_t job = 0;
    stage_kind stage = stage_kind::download;
    size_t worker = 0;
  };

  /// `workers[s]` is how many workers stage s has (at least one each).
  explicit stage_slots(const std::array<size_t, stage_count>& workers);

  /// `job` is ready for `stage`.
  void enter(uint64_t job, stage_kind stage);
  /// The next job to start, if some stage has both a waiting job and an idle worker. The
  /// worker is busy from now until `release`.
  std::optional<assignment> next();
  /// The worker finished its stage and is idle again.
  void release(stage_kind stage, size_t worker);
  /// Forgets a waiting job (its lease was lost). A job that is running is unaffected.
  void drop(uint64_t job);

  size_t waiting(stage_kind stage) const { return waiting_[index(stage)].size(); }
  size_t busy(stage_kind stage) const;
  size_t workers(stage_kind stage) const { return idle_[index(stage)].size(); }

private:
  static size_t index(stage_kind s) { return static_cast<size_t>(s); }
  std::array<std::deque<uint64_t>, stage_count> waiting_;
  std::array<std::vector<bool>, stage_count> idle_;
};

} // namespace vfb
