// `vfb run URL`: processes one video end to end in an embedded node (scheduler, pipeline, the
// real stages and auto-follow over this data dir), shows each stage as it happens, then the
// results, then (when auto-follow enqueued the uploader's videos) waits for those jobs too.
#include "apps/cli.hpp"
#include "apps/embedded_node.hpp"
#include "messages/errors.hpp"

#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace vfb::cli {

namespace {

bool successful(job_state s) {
  return s == job_state::done || s == job_state::skipped;
}

bool over(job_state s) {
  return successful(s) || s == job_state::failed || s == job_state::dead ||
         s == job_state::cancelled;
}

/// Waits for the jobs auto-follow enqueued after job `id`'s download; returns false when some
/// of them failed.
bool wait_for_follow_up(context& ctx, embedded_node& node, uint64_t id) {
  auto r = node.follow_result_for(id);
  if (ctx.json)
    ctx.out << nlohmann::json{{"job_id", id},           {"event", "auto_follow"},
                              {"enabled", r.enabled},   {"channel", r.channel_url},
                              {"enqueued", r.enqueued}, {"job_ids", r.job_ids},
                              {"note", r.note}}
                   .dump()
            << std::endl;
  else
    ctx.out << "\nauto-follow: " << r.note << std::endl;
  if (r.job_ids.empty())
    return true;
  if (ctx.inv.has("--no-wait-follow")) {
    if (!ctx.json)
      ctx.out << r.job_ids.size() << " jobs stay queued (--no-wait-follow)" << std::endl;
    return true;
  }
  if (!ctx.json)
    ctx.out << "processing the " << r.job_ids.size() << " jobs it enqueued:" << std::endl;
  auto bad = node.wait_for_jobs(ctx, {r.job_ids.begin(), r.job_ids.end()});
  return bad.empty();
}

} // namespace

void log_to_stderr() {
  if (!spdlog::get("vfb-stderr")) {
    auto logger = spdlog::stderr_color_mt("vfb-stderr");
    // The progress lines already say what happens to the job: only problems are logged.
    logger->set_level(spdlog::level::warn);
    logger->set_pattern("vfb: %l: %v");
    spdlog::set_default_logger(logger);
  }
}

int cmd_run(context& ctx) {
  log_to_stderr();
  submission sub;
  sub.url = ctx.inv.words.at(0);
  sub.tenant = ctx.inv.value("--tenant").value_or("local");
  sub.workspace = ctx.inv.value("--workspace").value_or("default");
  sub.origin = job_origin::cli;
  sub.force = ctx.inv.has("--force");
  embedded_node node{ctx};
  auto& self = node.self();
  enqueue_result submitted;
  std::string refused;
  // Pipeline events that overtake this reply stay in the mailbox for follow_job.
  self->request(node.handles().submission, caf::infinite, submit_atom::value, sub)
      .receive([&](enqueue_result& r) { submitted = std::move(r); },
               [&](const caf::error& e) { refused = error_message(e); });
  if (!refused.empty())
    throw usage_error(refused);
  auto id = submitted.job_id;
  auto v = node.view(id);
  if (!ctx.json)
    ctx.out << "job " << id << ": " << to_string(submitted.status) << ", " << sub.tenant << '/'
            << sub.workspace << ", " << v.job.key.source << ' ' << v.job.key.external_id
            << std::endl;
  std::string reason;
  bool ran = false;
  if (submitted.status == enqueue_status::duplicate && over(v.state)) {
    if (!ctx.json)
      ctx.out << "already " << to_string(v.state) << " (run again with --force)" << std::endl;
  } else {
    if (v.state == job_state::retrying && !ctx.json)
      ctx.out << "waiting for the job's next attempt (it failed before: " << v.last_error << ")"
              << std::endl;
    reason = node.follow_job(ctx, id).reason;
    v = node.view(id);
    ran = true;
  }
  if (!successful(v.state)) {
    if (reason.empty())
      reason = v.last_error;
    if (ctx.json)
      ctx.out << nlohmann::json{{"job_id", id},
                                {"state", std::string{to_string(v.state)}},
                                {"error", reason}}
                     .dump()
              << std::endl;
    ctx.err << "vfb: job " << id << " " << to_string(v.state) << ": " << reason;
    if (v.state == job_state::retrying || v.state == job_state::queued)
      ctx.err << " (it stays queued and is retried by the next `vfb run` or `vfb node`)";
    ctx.err << '\n';
    return exit_refused;
  }
  if (!ctx.json)
    ctx.out << '\n';
  show_results(ctx, v, false);
  // Auto-follow answers every download; a skipped job downloaded nothing.
  if (ran && v.state == job_state::done && !wait_for_follow_up(ctx, node, id)) {
    ctx.err << "vfb: some of the uploader's videos failed (see above; vfb queue ls --state "
               "failed,dead)\n";
    return exit_refused;
  }
  return exit_ok;
}

} // namespace vfb::cli
