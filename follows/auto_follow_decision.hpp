// What auto-follow decides after a download, before anything is recorded: follow the
// uploader's YouTube channel in the job's workspace, or say why not. Pure; the auto-follow actor
// (actors/auto_follow.hpp) records the decision and lists the follow.
#pragma once

#include "follows/follow_plan.hpp"
#include "messages/follow.hpp"
#include "messages/pipeline.hpp"
#include "storage/follow_registry.hpp"

#include <optional>

namespace vfb {

/// Everything a new follow takes, plus auto-follow's own switch. (`policy` is not used:
/// auto-follow follows the channel yt-dlp named, never a URL people typed.)
struct auto_follow_options : follow_options {
  /// ENABLE_AUTO_FOLLOW_UPLOADER: the switch for workspaces whose own setting is `inherit`.
  bool enabled = false;
};

/// Whether auto-follow is on for a workspace whose own setting is `setting`, on a node whose
/// ENABLE_AUTO_FOLLOW_UPLOADER is `node_enabled` (`inherit` takes the node's).
bool auto_follow_effective(auto_follow_setting setting, bool node_enabled);

/// Either a follow to record (`follow` set) or the reason auto-follow does nothing
/// (`result.note`).
struct follow_decision {
  follow_result result;
  std::optional<follow_record> follow;
};

/// The decision for download `d` in a workspace whose own setting is `setting`: a follow of
/// the uploader's channel with the configured window and cap, made by auto-follow (origin
/// backfill, created from the job).
follow_decision decide_follow(const download_completed& d, auto_follow_setting setting,
                              const auto_follow_options& opts, millis now);

} // namespace vfb
