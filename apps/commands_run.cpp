// `vfb run URL`: processes one video end to end in an embedded node (scheduler, pipeline and
// the real stages over this data dir), shows each stage as it happens, then the results.
#include "actors/node.hpp"
#include "actors/stages.hpp"
#include "apps/cli.hpp"
#include "apps/progress_view.hpp"
#include "messages/errors.hpp"
#include "messages/register.hpp"
#include "storage/data_dir_lock.hpp"
#include "storage/job_queue.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace vfb::cli {

namespace {

bool successful(job_state s) {
  return s == job_state::done || s == job_state::skipped;
}

/// Log lines go to stderr, so stdout stays the command's output (and valid JSON with --json).
void log_to_stderr() {
  if (!spdlog::get("vfb-stderr")) {
    auto logger = spdlog::stderr_color_mt("vfb-stderr");
    // The progress lines already say what happens to the job: only problems are logged.
    logger->set_level(spdlog::level::warn);
    logger->set_pattern("vfb: %l: %v");
    spdlog::set_default_logger(logger);
  }
}

/// Waits for the job's pipeline events, showing them, until the run ends. Events of other jobs
/// (a node works on its whole queue) are ignored.
job_outcome follow_job(context& ctx, caf::scoped_actor& self, uint64_t id) {
  progress_view view;
  std::optional<job_outcome> outcome;
  auto on_event = [&](const pipeline_event& ev) {
    if (ev.job_id != id || outcome)
      return;
    if (ctx.json) {
      ctx.out << to_json(ev).dump() << std::endl;
    } else if (auto line = view.line(ev)) {
      ctx.out << *line << std::endl;
    }
    if (ev.kind == progress_kind::ended)
      outcome = ev.outcome;
  };
  self->receive_while([&] { return !outcome; })([&](const pipeline_event& ev) { on_event(ev); });
  return *outcome;
}

} // namespace

int cmd_run(context& ctx) {
  log_to_stderr();
  submission sub;
  sub.url = ctx.inv.words.at(0);
  sub.tenant = ctx.inv.value("--tenant").value_or("local");
  sub.workspace = ctx.inv.value("--workspace").value_or("default");
  sub.origin = job_origin::cli;
  sub.force = ctx.inv.has("--force");
  std::error_code ec;
  std::filesystem::create_directories(ctx.data_dir, ec);
  if (ec)
    throw std::runtime_error("cannot create data dir " + ctx.data_dir.string() + ": " +
                             ec.message());
  data_dir_lock lock{ctx.data_dir};
  node_setup setup;
  setup.config = ctx.config;
  setup.queue = std::make_shared<job_queue>(queue_options_for(ctx.config, ctx.data_dir, false));
  setup.stages = real_stages(open_stage_environment(ctx.config, ctx.data_dir));
  setup.name = "run-" + std::to_string(::getpid());

  caf::actor_system_config cfg;
  register_message_types(cfg);
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  auto node = spawn_node(sys, setup);
  caf::scoped_actor self{sys};
  // Subscribe before submitting: the pipeline sees the subscription before it can lease the job.
  self->send(node.pipeline, subscribe_atom::value, caf::actor_cast<pipeline_event_sink>(self));

  int code = exit_ok;
  enqueue_result submitted;
  std::string refused;
  // Pipeline events that overtake this reply stay in the mailbox for follow_job.
  self->request(node.submission, caf::infinite, submit_atom::value, sub)
      .receive([&](enqueue_result& r) { submitted = std::move(r); },
               [&](const caf::error& e) { refused = error_message(e); });
  if (!refused.empty()) {
    stop_node(self, node);
    throw usage_error(refused);
  }
  auto id = submitted.job_id;
  auto current = [&] {
    job_view v;
    self->request(node.scheduler, caf::infinite, caf::get_atom::value, id)
        .receive([&](job_view& x) { v = std::move(x); },
                 [&](const caf::error& e) { refused = error_message(e); });
    return v;
  };
  auto v = current();
  if (!ctx.json)
    ctx.out << "job " << id << ": " << to_string(submitted.status) << ", " << sub.tenant << '/'
            << sub.workspace << ", " << v.job.key.source << ' ' << v.job.key.external_id
            << std::endl;
  bool already_over = submitted.status == enqueue_status::duplicate &&
                      (successful(v.state) || v.state == job_state::failed ||
                       v.state == job_state::dead || v.state == job_state::cancelled);
  std::string reason;
  if (already_over) {
    if (!ctx.json)
      ctx.out << "already " << to_string(v.state) << " (run again with --force)" << std::endl;
  } else {
    if (v.state == job_state::retrying && !ctx.json)
      ctx.out << "waiting for the job's next attempt (it failed before: " << v.last_error << ")"
              << std::endl;
    auto outcome = follow_job(ctx, self, id);
    reason = outcome.reason;
    v = current();
  }
  if (successful(v.state)) {
    if (!ctx.json)
      ctx.out << '\n';
    show_results(ctx, v, false);
  } else {
    code = exit_refused;
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
  }
  stop_node(self, node);
  return code;
}

} // namespace vfb::cli
