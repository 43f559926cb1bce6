// The pipeline's counters, the sink actor feeding them and the Prometheus text (see metrics.hpp).
#include "frontends/metrics.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <sstream>
#include <string_view>

namespace vfb {

namespace {

/// A Prometheus label value: backslash, quote and newline escaped.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

} // namespace

void pipeline_counters::record(const pipeline_event& ev) {
  std::lock_guard<std::mutex> guard{mu};
  track(ev);
  if (ev.kind == progress_kind::ended) {
    ++ended[{ev.stage, ev.outcome.kind}];
  } else if (ev.kind == progress_kind::finished) {
    // Only stages that ended well carry their elapsed time.
    auto& h = latency[static_cast<size_t>(ev.stage)];
    double s = static_cast<double>(ev.elapsed) / 1000;
    for (size_t i = 0; i < latency_buckets.size(); ++i)
      if (s <= latency_buckets[i]) {
        ++h.buckets[i];
        break;
      }
    ++h.count;
    h.sum += s;
  }
}

void pipeline_counters::track(const pipeline_event& ev) {
  auto& p = jobs[ev.job_id];
  p.running = ev.kind != progress_kind::ended;
  p.stage = ev.stage;
  p.fraction = ev.kind == progress_kind::started ? 0 : ev.fraction;
  if (ev.kind == progress_kind::finished)
    p.elapsed[ev.stage] = ev.elapsed;
  if (jobs.size() > progress_kept)
    jobs.erase(jobs.begin());
}

nlohmann::json pipeline_counters::progress_of(uint64_t id) {
  std::lock_guard<std::mutex> guard{mu};
  auto it = jobs.find(id);
  if (it == jobs.end())
    return nullptr;
  const auto& p = it->second;
  auto elapsed = nlohmann::json::object();
  for (const auto& [stage, ms] : p.elapsed)
    elapsed[std::string{to_string(stage)}] = ms;
  nlohmann::json out{{"running", p.running}, {"elapsed_ms", elapsed}};
  if (p.running) {
    out["stage"] = to_string(p.stage);
    out["fraction"] = p.fraction;
  }
  return out;
}

pipeline_event_sink::behavior_type metrics_sink(pipeline_event_sink::pointer,
                                                std::shared_ptr<pipeline_counters> counters,
                                                std::function<void(const pipeline_event&)> heard) {
  return {[counters, heard](const pipeline_event& ev) {
    counters->record(ev);
    if (heard)
      heard(ev);
  }};
}

std::string media_cache_text(const media_cache& media) {
  std::ostringstream out;
  auto kept = media.kept();
  auto removed = media.removed();
  out << "# HELP vfb_media_cache_bytes Downloaded media kept in the artifacts cache.\n"
      << "# TYPE vfb_media_cache_bytes gauge\n"
      << "vfb_media_cache_bytes " << kept.bytes << '\n'
      << "# HELP vfb_media_cache_files Media files kept in the artifacts cache.\n"
      << "# TYPE vfb_media_cache_files gauge\n"
      << "vfb_media_cache_files " << kept.files << '\n'
      << "# HELP vfb_media_cache_limit_bytes The cache's bound ([storage] media_cache_mb; -1: "
         "none).\n"
      << "# TYPE vfb_media_cache_limit_bytes gauge\n"
      << "vfb_media_cache_limit_bytes " << media.max_bytes() << '\n'
      << "# HELP vfb_media_cache_removed_bytes_total Media removed to keep the bound.\n"
      << "# TYPE vfb_media_cache_removed_bytes_total counter\n"
      << "vfb_media_cache_removed_bytes_total " << removed.bytes << '\n'
      << "# HELP vfb_media_cache_removed_files_total Media files removed to keep the bound.\n"
      << "# TYPE vfb_media_cache_removed_files_total counter\n"
      << "vfb_media_cache_removed_files_total " << removed.files << '\n';
  return out.str();
}

std::string prometheus_text(const queue_stats& stats, pipeline_counters& counters,
                            const breaker_states& breakers, const std::optional<token_record>& who,
                            const std::vector<worker_info>& workers) {
  std::ostringstream out;
  out << "# HELP vfb_queue_jobs Jobs in the queue by state.\n"
      << "# TYPE vfb_queue_jobs gauge\n";
  for (int i = 0; i < job_state_count; ++i)
    out << "vfb_queue_jobs{state=\"" << to_string(static_cast<job_state>(i)) << "\"} "
        << stats.by_state[static_cast<size_t>(i)] << '\n';
  out << "# HELP vfb_workspace_jobs Jobs by tenant, workspace and state (the token's own).\n"
      << "# TYPE vfb_workspace_jobs gauge\n";
  for (const auto& b : stats.backlog)
    if (who && b.tenant == who->tenant && b.workspace == who->workspace)
      for (int i = 0; i < job_state_count; ++i)
        out << "vfb_workspace_jobs{tenant=\"" << label(b.tenant) << "\",workspace=\""
            << label(b.workspace) << "\",state=\"" << to_string(static_cast<job_state>(i)) << "\"} "
            << b.by_state[static_cast<size_t>(i)] << '\n';
  {
    std::lock_guard<std::mutex> guard{counters.mu};
    out << "# HELP vfb_jobs_finished_total Job runs ended since start, by the stage they "
           "ended in and outcome.\n"
        << "# TYPE vfb_jobs_finished_total counter\n";
    for (const auto& [k, n] : counters.ended)
      out << "vfb_jobs_finished_total{stage=\"" << to_string(k.first) << "\",outcome=\""
          << to_string(k.second) << "\"} " << n << '\n';
    out << "# HELP vfb_stage_duration_seconds Wall time of stages that ended well.\n"
        << "# TYPE vfb_stage_duration_seconds histogram\n";
    for (int s = 0; s < stage_count; ++s) {
      const auto& h = counters.latency[static_cast<size_t>(s)];
      auto stage = to_string(static_cast<stage_kind>(s));
      uint64_t cumulative = 0;
      for (size_t i = 0; i < latency_buckets.size(); ++i) {
        cumulative += h.buckets[i];
        out << "vfb_stage_duration_seconds_bucket{stage=\"" << stage << "\",le=\""
            << number(latency_buckets[i]) << "\"} " << cumulative << '\n';
      }
      out << "vfb_stage_duration_seconds_bucket{stage=\"" << stage << "\",le=\"+Inf\"} " << h.count
          << '\n'
          << "vfb_stage_duration_seconds_sum{stage=\"" << stage << "\"} " << number(h.sum) << '\n'
          << "vfb_stage_duration_seconds_count{stage=\"" << stage << "\"} " << h.count << '\n';
    }
  }
  out << "# HELP vfb_breaker_open Whether a source's circuit breaker is open (1) or closed.\n"
      << "# TYPE vfb_breaker_open gauge\n";
  for (const auto& [source, open] : breakers)
    out << "vfb_breaker_open{source=\"" << source << "\"} " << (open ? 1 : 0) << '\n';
  if (!workers.empty()) {
    auto series = [&](const char* name, const char* type, const char* help, auto value) {
      out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
      for (const auto& w : workers)
        out << name << "{worker=\"" << label(w.last.name) << "\"} " << value(w) << '\n';
    };
    series("vfb_cluster_worker_connected", "gauge",
           "Whether a worker is connected to this node (1) or was and left (0).",
           [](const worker_info& w) { return w.connected ? 1 : 0; });
    series("vfb_cluster_worker_last_heartbeat_seconds", "gauge",
           "When the worker's latest report arrived (Unix time).", [](const worker_info& w) {
             return number(static_cast<double>(w.last_heartbeat) / 1000);
           });
    series("vfb_cluster_worker_jobs_in_flight", "gauge", "Jobs the worker holds now.",
           [](const worker_info& w) { return w.last.in_flight; });
    series("vfb_cluster_worker_jobs_done_total", "counter",
           "Jobs the worker finished since it started.",
           [](const worker_info& w) { return w.last.done; });
  }
  return out.str();
}

} // namespace vfb
