// A node inside a CLI command (`vfb run`, `vfb follow add --wait`): the data dir's writer lock,
// the queue, the stages and the follow registry, the node's actors, and a scoped actor that
// watches what the node does. Commands wait on it for the jobs they care about.
#pragma once

#include "actors/node.hpp"
#include "apps/cli.hpp"
#include "apps/progress_view.hpp"
#include "messages/actors.hpp"

#include <caf/fwd.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace vfb {
class data_dir_lock;
class follow_registry;
struct stage_environment;
} // namespace vfb

namespace vfb::cli {

/// How a command uses its node.
struct embedded_node_options {
  /// Runs on the queue before the node owns it (e.g. enqueueing a listing), on this thread.
  std::function<void(job_queue&)> prepare;
  /// The command watches the node's events (run, follow add --wait). A long-running node
  /// (`vfb node`) must not: nobody would read them.
  bool watch = true;
  /// List follows again on their period (only `vfb node`).
  bool refresh_follows = false;
  /// Whether the node works through the queue itself (only `vfb node` may say no).
  bool work = true;
  /// Serve workers ([cluster] listen): the node's certificate for mutual TLS; the caller
  /// publishes the gateway (handles().gateway).
  std::optional<cluster_identity> cluster;
};

class embedded_node {
public:
  /// Takes the data dir's lock, opens its stores and starts the node.
  explicit embedded_node(const context& ctx, embedded_node_options opts = {});
  /// Stops the node (running stages finish first) and releases the data dir.
  ~embedded_node();

  caf::scoped_actor& self() { return *self_; }
  caf::actor_system& system() { return *sys_; }
  /// The node's follow registry (a process must not open it twice).
  follow_registry& follows() { return *follows_; }
  std::shared_ptr<follow_registry> follows_ptr() { return follows_; }
  /// What the stages work with (the memory store, among others: a process opens it once).
  std::shared_ptr<const stage_environment> stage_env() { return env_; }
  const node_handles& handles() const { return node_; }

  /// The job as the scheduler knows it now.
  job_view view(uint64_t id);

  /// Waits until a run of job `id` ends, showing its events (one line each, or JSON lines);
  /// returns how the run ended.
  job_outcome follow_job(context& ctx, uint64_t id);

  /// Waits for auto-follow's result for job `id` (it comes once the job's download is done).
  follow_result follow_result_for(uint64_t id);

  /// Waits until every job of `ids` has ended for good (done, skipped, failed, dead), one line
  /// per job as it ends. Returns the jobs that did not end well.
  std::set<uint64_t> wait_for_jobs(context& ctx, const std::set<uint64_t>& ids);

private:
  /// Receives one message from the node and files it.
  void receive_one();

  std::unique_ptr<data_dir_lock> lock_;
  std::shared_ptr<follow_registry> follows_;
  std::shared_ptr<const stage_environment> env_;
  std::unique_ptr<caf::actor_system_config> cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  node_handles node_;
  std::unique_ptr<caf::scoped_actor> self_;
  std::vector<pipeline_event> events_;               // not yet looked at
  std::map<uint64_t, follow_result> follow_results_; // by triggering job
};

} // namespace vfb::cli
