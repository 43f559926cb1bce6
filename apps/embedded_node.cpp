#include "apps/embedded_node.hpp"

#include "actors/cluster_tls.hpp"
#include "actors/stages.hpp"
#include "apps/service.hpp"
#include "messages/errors.hpp"
#include "messages/register.hpp"
#include "storage/data_dir_lock.hpp"
#include "storage/follow_registry.hpp"
#include "storage/job_queue.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace vfb::cli {

embedded_node::embedded_node(const context& ctx, embedded_node_options opts) {
  std::error_code ec;
  std::filesystem::create_directories(ctx.data_dir, ec);
  if (ec)
    throw std::runtime_error("cannot create data dir " + ctx.data_dir.string() + ": " +
                             ec.message());
  lock_ = std::make_unique<data_dir_lock>(ctx.data_dir);
  node_setup setup;
  setup.config = ctx.config;
  setup.data_dir = ctx.data_dir;
  setup.queue = std::make_shared<job_queue>(queue_options_for(ctx.config, ctx.data_dir, false));
  // The queue took in the last run's marker; a crash of this run leaves its own.
  leave_crash_marker(ctx.data_dir / crash_marker_name);
  if (setup.queue->crashed_before_open())
    spdlog::warn("queue: the last run crashed; the {} job(s) it held run alone next, to find "
                 "out whether one of them is the cause",
                 setup.queue->rescued_at_open());
  else if (setup.queue->rescued_at_open() > 0)
    spdlog::info("queue: {} job(s) the last run held are queued again (it stopped without "
                 "giving them back; not counted against them)",
                 setup.queue->rescued_at_open());
  if (opts.prepare) {
    opts.prepare(*setup.queue);
    setup.queue->checkpoint(); // the scheduler's thread becomes the queue's writer
  }
  auto env = open_stage_environment(ctx.config, ctx.data_dir);
  env_ = env;
  setup.cancel = env->cancel; // stopping the node stops running tools too
  setup.stages = real_stages(env);
  follows_ =
      std::make_shared<follow_registry>(follows_options_for(ctx.config, ctx.data_dir, false));
  setup.follows = follows_;
  setup.refresh_follows = opts.refresh_follows;
  setup.work = opts.work;
  setup.digests = env->discord;
  setup.name = "cli-" + std::to_string(::getpid());
  cfg_ = std::make_unique<caf::actor_system_config>();
  register_message_types(*cfg_);
  if (opts.cluster) {
    configure_cluster_tls(*cfg_, *opts.cluster);
    setup.cluster_env = env;
  }
  cfg_->set("logger.file-verbosity", caf::atom("quiet"));
  sys_ = std::make_unique<caf::actor_system>(*cfg_);
  node_ = spawn_node(*sys_, setup);
  self_ = std::make_unique<caf::scoped_actor>(*sys_);
  if (!opts.watch)
    return;
  // Subscribed before anything is submitted: the node cannot lease a job of ours unseen.
  (*self_)->send(node_.pipeline, subscribe_atom::value,
                 caf::actor_cast<pipeline_event_sink>(*self_));
  (*self_)->send(node_.auto_follow, subscribe_atom::value,
                 caf::actor_cast<follow_result_sink>(*self_));
}

embedded_node::~embedded_node() {
  stop_node(*self_, node_);
  // Handles keep actors alive, and the system waits for its detached actors to be gone.
  node_ = node_handles{};
  self_.reset();
  sys_.reset();
}

job_view embedded_node::view(uint64_t id) {
  job_view v;
  std::string problem;
  self()
      ->request(node_.scheduler, caf::infinite, caf::get_atom::value, id)
      .receive([&](job_view& x) { v = std::move(x); },
               [&](const caf::error& e) { problem = error_message(e); });
  if (!problem.empty())
    throw std::runtime_error(problem);
  return v;
}

void embedded_node::receive_one() {
  self()->receive([&](const pipeline_event& ev) { events_.push_back(ev); },
                  [&](const follow_result& r) { follow_results_[r.job_id] = r; });
}

job_outcome embedded_node::follow_job(context& ctx, uint64_t id) {
  progress_view view;
  for (size_t next = 0;; ++next) {
    while (next >= events_.size())
      receive_one();
    auto ev = events_[next];
    if (ev.job_id != id)
      continue;
    if (ctx.json)
      ctx.out << to_json(ev).dump() << std::endl;
    else if (auto line = view.line(ev))
      ctx.out << *line << std::endl;
    if (ev.kind == progress_kind::ended) {
      events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(next) + 1);
      return ev.outcome;
    }
  }
}

follow_result embedded_node::follow_result_for(uint64_t id) {
  while (follow_results_.count(id) == 0)
    receive_one();
  return follow_results_.at(id);
}

std::set<uint64_t> embedded_node::wait_for_jobs(context& ctx, const std::set<uint64_t>& ids) {
  std::set<uint64_t> open = ids;
  std::set<uint64_t> bad;
  std::map<uint64_t, std::string> titles; // from the download stage's note
  size_t ended = 0;
  // Jobs that ended before this call (their events may be gone) are found by asking.
  for (auto id : ids) {
    auto s = view(id).state;
    if (s == job_state::done || s == job_state::skipped || s == job_state::failed ||
        s == job_state::dead || s == job_state::cancelled) {
      open.erase(id);
      ++ended;
      if (s != job_state::done && s != job_state::skipped)
        bad.insert(id);
    }
  }
  size_t next = 0;
  while (!open.empty()) {
    while (next >= events_.size())
      receive_one();
    auto ev = events_[next++];
    if (open.count(ev.job_id) == 0)
      continue;
    if (ev.kind == progress_kind::finished && ev.stage == stage_kind::download)
      titles[ev.job_id] = ev.note;
    if (ev.kind != progress_kind::ended)
      continue;
    auto state = view(ev.job_id).state;
    if (state == job_state::retrying || state == job_state::queued)
      continue; // it runs again
    open.erase(ev.job_id);
    ++ended;
    bool good = state == job_state::done || state == job_state::skipped;
    if (!good)
      bad.insert(ev.job_id);
    if (ctx.json) {
      ctx.out << nlohmann::json{{"job_id", ev.job_id},
                                {"event", "ended"},
                                {"state", std::string{to_string(state)}},
                                {"reason", ev.outcome.reason}}
                     .dump()
              << std::endl;
    } else {
      ctx.out << "[" << ended << "/" << ids.size() << "] job " << ev.job_id << " "
              << to_string(state);
      if (!titles[ev.job_id].empty())
        ctx.out << ": " << titles[ev.job_id];
      if (!good || state == job_state::skipped)
        ctx.out << " (" << ev.outcome.reason << ")";
      ctx.out << std::endl;
    }
  }
  events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(next));
  return bad;
}

} // namespace vfb::cli
