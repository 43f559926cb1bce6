// What each of the bridge's slash commands does, run on a worker thread after answer() deferred
// it: /analyze (queue a video; its result follows by discord_delivery), /follow and /unfollow,
// /follow_uploader on|off, /queue (the server's backlog) and /search (its memory). Each returns
// the text the deferred reply is edited to.
#pragma once

#include "frontends/discord_bridge.hpp"

#include <memory>
#include <string>

namespace vfb {

class discord_delivery;
class follow_service;

/// A deferred command and where it acts.
struct discord_task {
  interaction in;
  guild_binding where;
};

class discord_commands {
public:
  /// `follows` and `memory` may be null (their commands then say so).
  discord_commands(caf::actor_system& sys, const node_handles& node,
                   const discord_bridge_options& opts, std::shared_ptr<follow_registry> follows,
                   std::shared_ptr<memory_store> memory, discord_delivery& delivery);
  ~discord_commands();

  /// The outcome of the command for the asker; throws when it failed (the caller says so).
  std::string run(const discord_task& t);

private:
  template <class T, class Handle, class... Ts> T ask(const Handle& dest, Ts&&... xs);
  follow_service& follows();
  follow_registry& registry();
  std::string follow(const discord_task& t);
  std::string analyze(const discord_task& t);
  std::string queue(const discord_task& t);
  std::string search(const discord_task& t);

  caf::actor_system& sys_;
  node_handles node_;
  discord_bridge_options opts_;
  std::unique_ptr<follow_service> follows_; // null: the node keeps no follows
  std::shared_ptr<memory_store> memory_;
  discord_delivery& delivery_;
};

} // namespace vfb
