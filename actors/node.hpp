// Spawns and wires a node's actors in one place: scheduler (owner of the queue), submission,
// the pipeline coordinator with its stage workers, auto-follow, the channel enumerator, the
// follow refresher, the tool updater and the digest poster. The front ends (frontends/: HTTP
// API, Discord bridge) are started by `vfb node` over the handles this returns.
#pragma once

#include "actors/config_options.hpp"
#include "actors/pipeline.hpp"
#include "actors/scheduler.hpp"
#include "adapters/config_file.hpp"
#include "messages/actors.hpp"

#include <atomic>
#include <caf/fwd.hpp>
#include <filesystem>
#include <memory>
#include <string>

namespace vfb {

class job_queue;
class follow_registry;
struct stage_environment;
class discord_store;

/// What a node is made of.
struct node_setup {
  vfb_config config;
  /// The open queue (the node's scheduler becomes its only writer).
  std::shared_ptr<job_queue> queue;
  /// The real stages (actors/stages.hpp) or, in tests, stand-ins.
  stage_function_factory stages;
  /// Who holds the node's leases, as shown by `vfb queue ls`.
  std::string name = "local";
  /// The follow registry; without it the node neither auto-follows nor refreshes follows.
  std::shared_ptr<follow_registry> follows;
  /// The stop flag the stages watch (stage_environment::cancel); stop_node sets it so running
  /// tools stop. Without it, stages stop only at their ends.
  std::shared_ptr<std::atomic<bool>> cancel;
  /// The data dir (its managed tools are preferred; empty: none).
  std::filesystem::path data_dir;
  /// Whether follows are listed again on their period (a long-running node); a CLI command's
  /// node leaves that to the node. Such a node also posts the follows' digests.
  bool refresh_follows = true;
  /// Backfill and refresh results waiting for their digest post (the stages' store).
  std::shared_ptr<discord_store> digests;
  /// Whether the node's pipeline leases jobs (`vfb node` with [pipeline] enabled = false: a
  /// pure cluster coordinator; every other command's node works).
  bool work = true;
  /// The stages' environment; with it the node has a cluster host and gateway for workers
  /// (actors/cluster_host.hpp, actors/cluster_gateway.hpp), which the caller publishes.
  std::shared_ptr<const stage_environment> cluster_env;
};

struct node_handles {
  scheduler_impl scheduler;
  submission_actor submission;
  pipeline_impl pipeline;
  channel_enumerator_actor enumerator; // these three only with setup.follows
  auto_follow_actor auto_follow;
  follow_refresher_actor refresher;  // only with refresh_follows
  tool_updater_actor tool_updater;   // only with refresh_follows, a data dir and
                                     // tools.auto_update_hours
  digest_poster_actor digest_poster; // only with refresh_follows and digests
  cluster_host_actor cluster_stages; // these three only with cluster_env
  cluster_host_actor cluster_files;
  cluster_gateway_actor gateway;
  std::shared_ptr<std::atomic<bool>> stopping; // cuts listings short at stop_node
};

/// Opens what the stages that run tools work with (a worker's, which keeps no memory): the
/// artifact store of a data dir, yt-dlp's settings and the download limits. Throws the store's
/// errors.
std::shared_ptr<stage_environment> open_tool_environment(const vfb_config& cfg,
                                                         const std::filesystem::path& data_dir);

/// Opens what the real stages work with: the artifact and memory stores of a data dir (the
/// caller holds the data dir's writer lock). Throws the stores' errors.
std::shared_ptr<const stage_environment>
open_stage_environment(const vfb_config& cfg, const std::filesystem::path& data_dir);

/// Spawns the node's actors.
node_handles spawn_node(caf::actor_system& sys, const node_setup& setup);

/// Stops the node's actors and waits until they are gone (the queue is then closed cleanly).
void stop_node(caf::scoped_actor& self, const node_handles& node);

} // namespace vfb
