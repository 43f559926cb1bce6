// Keeps the node's managed yt-dlp current: `vfb tools update` on a period
// (tools.auto_update_hours), at start and then every period. Spawned detached: an update
// downloads for seconds to minutes. A failed update is logged and leaves the installed copy as
// it was; the next period tries again.
#pragma once

#include "adapters/tool_update.hpp"
#include "messages/actors.hpp"

#include <caf/fwd.hpp>
#include <chrono>

namespace vfb {

struct tool_updater_options {
  tool_update_options update;
  std::chrono::milliseconds period{std::chrono::hours{24}};
};

tool_updater_actor::behavior_type tool_updater(tool_updater_actor::pointer self,
                                               tool_updater_options opts);

} // namespace vfb
