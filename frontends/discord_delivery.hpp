// The Discord bridge's replies: editing a command's deferred reply with its outcome, and
// delivering /analyze results when their jobs end. The interaction's token expires after 15
// minutes, so results go out by a route that does not: a bot message to the channel
// (discord.bot_token), else the workspace's webhook. Pending replies live in the discord store,
// so they survive restarts; a thread of its own delivers them (with Discord's retry_after).
#pragma once

#include "frontends/discord_bridge.hpp"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace vfb {

struct pending_reply;

/// Whether no run of a job will end any more (unless it is retried).
bool job_over(job_state s);

class discord_delivery {
public:
  /// `replies` keeps the pending replies; it may not be null.
  discord_delivery(caf::actor_system& sys, scheduler_impl scheduler,
                   const discord_bridge_options& opts, std::shared_ptr<discord_store> replies);
  /// Stops (as stop()).
  ~discord_delivery();
  discord_delivery(const discord_delivery&) = delete;
  discord_delivery& operator=(const discord_delivery&) = delete;

  /// Starts the delivery thread and checks the stored pending replies (their jobs may have
  /// ended while no node ran).
  void start();
  /// Stops the thread; undelivered answers wait in the store for the next start.
  void stop();

  /// A run of the job ended (any outcome): its pending replies are delivered if it is over.
  void job_ended(uint64_t job_id);

  /// Records that the asker of `in` waits for the job's result (delivered when it is over).
  void await_result(const interaction& in, const guild_binding& where, uint64_t job_id);

  /// The answer for a job that is over: its state and error, or its title, topics, summary.
  std::string result_text(const job_view& v) const;

  /// Where a finished job's answer goes ("in this channel", ...); empty when nowhere.
  std::string route_for(const std::string& tenant, const std::string& workspace) const;

  /// PATCHes the deferred reply; Discord's refusal is logged (the user sees "thinking…").
  void edit_reply(const interaction& in, const std::string& text) const;

private:
  void run_deliveries();
  void deliver(uint64_t id);
  bool send_answer(const pending_reply& p, const std::string& text);

  caf::actor_system& sys_;
  scheduler_impl scheduler_;
  discord_bridge_options opts_;
  std::shared_ptr<discord_store> replies_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<uint64_t> ended_; // jobs whose pending replies may be due
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace vfb
