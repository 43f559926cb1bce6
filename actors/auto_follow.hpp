// Auto-follow: after every successful download, follow the uploader's channel in the job's
// workspace and start its 12-month backfill (the original design's trigger_auto_follow).
// Spawned detached: recording a follow writes (and fsyncs) the follow registry.
#pragma once

#include "actors/follow_refresher.hpp"
#include "messages/actors.hpp"
#include "storage/follow_registry.hpp"

#include <caf/fwd.hpp>
#include <memory>
#include <random>
#include <vector>

namespace vfb {

struct auto_follow_options {
  /// ENABLE_AUTO_FOLLOW_UPLOADER: the switch for workspaces whose own setting is `inherit`.
  bool enabled = false;
  /// AUTO_FOLLOW_MAX_VIDEOS.
  uint32_t max_videos = 200;
  /// How far back the backfill goes.
  millis window = millis{365} * 24 * 3600 * 1000;
  /// When the follow is listed again (the refresher's period).
  refresher_options refresh;
};

/// What auto-follow decides for a download, before anything is recorded: either a follow to
/// record (`follow` set) or the reason it does nothing (`result.note`). Pure.
struct follow_decision {
  follow_result result;
  std::optional<follow_record> follow;
};
follow_decision decide_follow(const download_completed& d, auto_follow_setting setting,
                              const auto_follow_options& opts, millis now);

struct auto_follow_state {
  static inline const char* name = "auto-follow";
  std::shared_ptr<follow_registry> registry;
  channel_enumerator_actor enumerator;
  auto_follow_options options;
  std::vector<follow_result_sink> subscribers;
  std::mt19937_64 rng{std::random_device{}()};
};

/// The actor's behaviour.
/// @param self the actor.
/// @param registry where follows and per-workspace settings live.
/// @param enumerator lists the channel and enqueues the backfill.
/// @param options the node-wide switch, cap, window and refresh period.
auto_follow_actor::behavior_type
auto_follow(auto_follow_actor::stateful_pointer<auto_follow_state> self,
            std::shared_ptr<follow_registry> registry, channel_enumerator_actor enumerator,
            auto_follow_options options);

} // namespace vfb
