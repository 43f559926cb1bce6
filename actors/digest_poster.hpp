// The follows' digests: backfill and refresh results of a workspace in "digest" mode
// ([discord] backfill_posts) are not posted one message per video (a new follow enqueues up to
// 200); the post stage records them in the discord store, and this actor posts one message per
// follow (uploader) once none of the workspace's backfill or refresh jobs is waiting or running,
// or at the latest digest_interval_min after the oldest waiting video.
#pragma once

#include "adapters/config_file.hpp"
#include "messages/actors.hpp"

#include <caf/fwd.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <utility>

namespace vfb {

class discord_store;

/// Posts the due digests of `store` to the workspaces' webhooks; `busy` holds the
/// (tenant, workspace) pairs with backfill or refresh jobs still queued, leased or retrying.
/// Posted (or refused for good: logged) groups are removed; a post that may succeed later stays.
/// Returns how many digests were posted.
size_t flush_digests(discord_store& store, const vfb_config& cfg,
                     const std::set<std::pair<std::string, std::string>>& busy, millis now);

struct digest_poster_options {
  std::chrono::milliseconds tick{60'000};
  std::chrono::milliseconds timeout{30'000}; // for the scheduler's answer
};

/// Spawned detached: posting blocks on Discord.
digest_poster_actor::behavior_type digest_poster(digest_poster_actor::pointer self,
                                                 scheduler_actor scheduler,
                                                 std::shared_ptr<discord_store> store,
                                                 vfb_config cfg, digest_poster_options opts);

} // namespace vfb
