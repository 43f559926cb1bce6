// The Discord bridge behind POST /discord/interactions: answers every slash command within
// Discord's 3 seconds and does the work later, and delivers /analyze results when their jobs end.
//
// - answer() runs on the HTTP thread and never waits for the node: a refusal it can decide alone
//   (unknown server, missing role) is the answer; every command is deferred (type 5) and runs on
//   the bridge's worker threads, which edit the deferred reply with the outcome.
// - /analyze edits its reply at once ("queued as job N") and records a pending reply in the
//   discord store. The interaction's token expires after 15 minutes, so the result goes out by a
//   route that does not: a bot message to the channel (discord.bot_token), else the workspace's
//   webhook. Every pending reply of a job gets its answer; they survive restarts (start()
//   delivers those whose jobs ended meanwhile).
// - Discord's refusals of an edit or a post are logged with its status, code and message.
//
// The parts: this class (the guild map, built once from the config, the triage of answer() and
// the worker threads), discord_commands.hpp (what each slash command does) and
// discord_delivery.hpp (deferred replies and the delivery of results).
#pragma once

#include "actors/node.hpp"
#include "adapters/discord_interactions.hpp"

#include <caf/fwd.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

namespace vfb {

class follow_registry;
class memory_store;
class discord_store;
struct job_view;

struct discord_bridge_options {
  vfb_config config;
  /// How long a command waits for the node's actors.
  std::chrono::milliseconds timeout{30'000};
  /// Commands worked on at once.
  size_t workers = 2;
  /// A job's results (title, topics, summary) as the API shows them; null when none.
  std::function<nlohmann::json(const job_view&)> results_of;
};

class discord_bridge {
public:
  /// `follows` and `memory` may be null (their commands then say so); `replies` may not.
  discord_bridge(caf::actor_system& sys, const node_handles& node, discord_bridge_options opts,
                 std::shared_ptr<follow_registry> follows, std::shared_ptr<memory_store> memory,
                 std::shared_ptr<discord_store> replies);
  /// Stops (as stop()).
  ~discord_bridge();
  discord_bridge(const discord_bridge&) = delete;
  discord_bridge& operator=(const discord_bridge&) = delete;

  /// Starts the worker and delivery threads and checks the stored pending replies (their jobs
  /// may have ended while no node ran). Call after the pipeline's events reach job_ended.
  void start();
  /// Stops the threads; commands not yet run are dropped (Discord shows them as failed).
  void stop();

  /// The immediate answer (an interaction response) to a verified application command.
  nlohmann::json answer(const interaction& in);
  /// A run of the job ended (any outcome): its pending replies are delivered if it is over.
  void job_ended(uint64_t job_id);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace vfb
