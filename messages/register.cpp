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
  cfg.add_error_category(error_category, [](uint8_t code, caf::atom_value, const caf::message& ctx) {
    auto text = ctx.match_elements<std::string>() ? ctx.get_as<std::string>(0) : caf::to_string(ctx);
    return "vfb error " + std::to_string(code) + ": " + text;
  });
}

} // namespace vfb
