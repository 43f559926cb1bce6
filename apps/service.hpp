// What the long-running commands (`vfb node`, `vfb worker`) share: logs to stderr as text or
// JSON lines ([log] in the config), and SIGINT/SIGTERM taken by one thread with sigwait.
#pragma once

#include "adapters/config_file.hpp"

#include <csignal>

namespace vfb::cli {

/// Makes spdlog's default logger write to stderr as [log] says, named `name`.
void configure_logging(const vfb_config& cfg, const char* name);

/// Blocks SIGINT and SIGTERM in this thread and every thread it starts from now on (child
/// processes get a clean mask from the runner); returns the set for sigwait.
sigset_t block_stop_signals();

} // namespace vfb::cli
