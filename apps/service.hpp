// What the long-running commands (`vfb node`, `vfb worker`) share: logs to stderr as text or
// JSON lines ([log] in the config), SIGINT/SIGTERM taken by one thread with sigwait, and a crash
// marker left by fatal signals.
#pragma once

#include "adapters/config_file.hpp"

#include <csignal>
#include <filesystem>

namespace vfb::cli {

/// Makes spdlog's default logger write to stderr as [log] says, named `name`.
void configure_logging(const vfb_config& cfg, const char* name);

/// Blocks SIGINT and SIGTERM in this thread and every thread it starts from now on (child
/// processes get a clean mask from the runner); returns the set for sigwait.
sigset_t block_stop_signals();

/// From now on, a fatal signal of this process (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT)
/// first writes `marker` (the signal's number), then ends the process as the signal would.
/// The queue reads the marker at the next open: a crash is told from an outside kill (SIGKILL,
/// power loss), which leaves none (storage/job_queue.hpp, crash_marker_name).
void leave_crash_marker(const std::filesystem::path& marker);

} // namespace vfb::cli
