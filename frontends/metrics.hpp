// What the node tells a monitoring system (GET /metrics, Prometheus text format 0.0.4) and what
// job views show of a run in progress: the pipeline's reports are counted by a sink actor into
// pipeline_counters (runs ended by stage and outcome, stage latency histograms, each job's
// latest progress), and prometheus_text() writes them out with the queue's counts and the
// sources' circuit breakers.
#pragma once

#include "messages/actors.hpp"
#include "messages/job.hpp"
#include "messages/pipeline.hpp"
#include "storage/media_cache.hpp"
#include "storage/token_store.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vfb {

/// Upper bounds of the stage latency buckets, seconds (stages take from milliseconds, a cached
/// download, to an hour, a long transcription).
constexpr std::array<double, 10> latency_buckets{0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600};

/// The sources whose circuit breakers /metrics reports.
constexpr std::array<const char*, 2> breaker_sources{"youtube", "generic"};

/// Where a job's latest run is, as the pipeline reported it (the queue keeps no stage timings).
struct job_progress {
  bool running = false;
  stage_kind stage = stage_kind::download;
  double fraction = 0;
  std::map<stage_kind, millis> elapsed; // stages that ended well
};

/// Jobs whose progress is kept; beyond it the oldest ids are forgotten (memory stays bounded
/// on a node that runs for months).
constexpr size_t progress_kept = 10'000;

/// What the pipeline reported since start. Filled by the sink actor on CAF's threads and read
/// by /metrics and job views on httplib's, hence the mutex (held for a few updates at a time).
struct pipeline_counters {
  struct histogram {
    std::array<uint64_t, latency_buckets.size()> buckets{}; // not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  std::mutex mu;
  std::map<std::pair<stage_kind, outcome_kind>, uint64_t> ended;
  std::array<histogram, stage_count> latency;
  std::map<uint64_t, job_progress> jobs;

  void record(const pipeline_event& ev);

  /// The job's progress as JSON; null when this node has not run it since it started.
  nlohmann::json progress_of(uint64_t id);

private:
  void track(const pipeline_event& ev);
};

/// The actor that counts the pipeline's reports; `heard` (may be empty) hears of every one too
/// (the event stream, and the Discord bridge when a run ends).
pipeline_event_sink::behavior_type metrics_sink(pipeline_event_sink::pointer,
                                                std::shared_ptr<pipeline_counters> counters,
                                                std::function<void(const pipeline_event&)> heard);

/// Whether a source's circuit breaker is open, by source (in breaker_sources' order).
using breaker_states = std::vector<std::pair<std::string, bool>>;

/// The Prometheus text. `who` (a token's holder, or nobody) decides the per-workspace series:
/// only its own workspace's, none without a token, so that an open endpoint names no tenant.
/// `workers`: the cluster's, as the gateway knows them (none without a cluster).
/// The media cache's series: its size, its bound and what it removed.
std::string media_cache_text(const media_cache& media);

std::string prometheus_text(const queue_stats& stats, pipeline_counters& counters,
                            const breaker_states& breakers, const std::optional<token_record>& who,
                            const std::vector<worker_info>& workers = {});

} // namespace vfb
