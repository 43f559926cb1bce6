#include "messages/register.hpp"

#include "messages/actors.hpp"
#include "messages/errors.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/message.hpp>

namespace vfb {

std::string error_message(const caf::error& e) {
  if (e.category() == error_category && e.context().match_elements<std::string>())
    return e.context().get_as<std::string>(0);
  return caf::to_string(e);
}

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<job_state>("vfb.job_state");
  cfg.add_message_type<priority_class>("vfb.priority_class");
  cfg.add_message_type<job_key>("vfb.job_key");
  cfg.add_message_type<ingest_job>("vfb.ingest_job");
  cfg.add_message_type<std::vector<ingest_job>>("vfb.ingest_jobs");
  cfg.add_message_type<lease>("vfb.lease");
  cfg.add_message_type<std::vector<lease>>("vfb.leases");
  cfg.add_message_type<job_outcome>("vfb.job_outcome");
  cfg.add_message_type<job_view>("vfb.job_view");
  cfg.add_message_type<std::vector<job_view>>("vfb.job_views");
  cfg.add_message_type<enqueue_result>("vfb.enqueue_result");
  cfg.add_message_type<std::vector<enqueue_result>>("vfb.enqueue_results");
  cfg.add_message_type<job_filter>("vfb.job_filter");
  cfg.add_message_type<queue_stats>("vfb.queue_stats");
  cfg.add_message_type<job_event>("vfb.job_event");
  cfg.add_message_type<job_event_sink>("vfb.job_event_sink");
  cfg.add_message_type<job_origin>("vfb.job_origin");
  cfg.add_message_type<outcome_kind>("vfb.outcome_kind");
  cfg.add_message_type<enqueue_status>("vfb.enqueue_status");
  cfg.add_message_type<submission>("vfb.submission");
  cfg.add_message_type<stage_kind>("vfb.stage_kind");
  cfg.add_message_type<progress_kind>("vfb.progress_kind");
  cfg.add_message_type<stage_request>("vfb.stage_request");
  cfg.add_message_type<stage_result>("vfb.stage_result");
  cfg.add_message_type<pipeline_event>("vfb.pipeline_event");
  cfg.add_message_type<download_result>("vfb.download_result");
  cfg.add_message_type<download_completed>("vfb.download_completed");
  cfg.add_message_type<transcript_segment>("vfb.transcript_segment");
  cfg.add_message_type<transcript>("vfb.transcript");
  cfg.add_message_type<weighted_term>("vfb.weighted_term");
  cfg.add_message_type<analysis>("vfb.analysis");
  cfg.add_message_type<memory_hit>("vfb.memory_hit");
  cfg.add_message_type<std::vector<memory_hit>>("vfb.memory_hits");
  cfg.add_message_type<pipeline_event_sink>("vfb.pipeline_event_sink");
  cfg.add_message_type<download_sink>("vfb.download_sink");
  cfg.add_message_type<backfill_plan>("vfb.backfill_plan");
  cfg.add_message_type<enumeration_result>("vfb.enumeration_result");
  cfg.add_message_type<follow_result>("vfb.follow_result");
  cfg.add_message_type<follow_result_sink>("vfb.follow_result_sink");
  cfg.add_message_type<std::vector<uint64_t>>("vfb.ids");
  cfg.add_message_type<stage_checkpoint>("vfb.stage_checkpoint");
  cfg.add_message_type<std::vector<stage_checkpoint>>("vfb.stage_checkpoints");
  cfg.add_message_type<worker_report>("vfb.worker_report");
  cfg.add_message_type<corpus_counts>("vfb.corpus_counts");
  cfg.add_message_type<worker_info>("vfb.worker_info");
  cfg.add_message_type<std::vector<worker_info>>("vfb.worker_infos");
  cfg.add_message_type<cluster_gateway_actor>("vfb.cluster_gateway_actor");
  cfg.add_message_type<pipeline_actor>("vfb.pipeline_actor");
  cfg.add_error_category(
      error_category, [](uint8_t code, caf::atom_value, const caf::message& ctx) {
        auto text =
            ctx.match_elements<std::string>() ? ctx.get_as<std::string>(0) : caf::to_string(ctx);
        return "vfb error " + std::to_string(code) + ": " + text;
      });
}

} // namespace vfb
