// Runs external programs (yt-dlp, ffmpeg, a transcriber) safely: an argument vector, never a
// shell; output captured and streamed line by line; a timeout or a cancel flag that kills the
// whole process group. Plain C++, no CAF. Safe to call from several threads at once: it keeps
// no global state and changes no signal disposition (SIGPIPE is blocked in the calling thread
// only while it runs). The program inherits only stdin/stdout/stderr, a clean signal mask and
// default signal handling.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

struct process_options {
  /// The program (looked up on PATH unless it contains a slash) and its arguments.
  std::vector<std::string> argv;
  /// Working directory (empty: the current one).
  std::filesystem::path cwd;
  /// Environment changes: added or replaced; an empty value removes the variable.
  std::map<std::string, std::string> env;
  /// Killed after this long (0: no limit).
  std::chrono::milliseconds timeout{0};
  /// Between SIGTERM and SIGKILL when the process is stopped.
  std::chrono::milliseconds grace{2000};
  /// Checked about every 100 ms; when set, the process is stopped as on a timeout.
  const std::atomic<bool>* cancel = nullptr;
  /// Called with each complete line of output (without the newline) as it arrives, and with a
  /// last unterminated line at the end.
  std::function<void(std::string_view line)> on_stdout_line;
  std::function<void(std::string_view line)> on_stderr_line;
  /// Fed to the program's standard input (then closed).
  std::string stdin_data;
  /// At most this much of each stream is kept in the result (the callbacks see everything).
  size_t max_capture = size_t{16} << 20;
};

struct process_result {
  int exit_code = -1; // the exit status; -1 when killed by a signal or not started
  int signal = 0;     // the signal that ended it, if any
  bool timed_out = false;
  bool cancelled = false;
  bool spawn_failed = false; // the program could not be started; `error` says why
  std::string error;
  std::string out;
  std::string err;

  bool ok() const { return exit_code == 0; }
  /// One line for people: "exited with 2", "killed by signal 9 (SIGKILL)", "timed out (after
  /// 30.0 s)", "cancelled", or why it could not start.
  std::string describe() const;
};

/// Runs the program and waits for it (and its output) to finish. A program that exits while
/// something it started still holds its output open gets `grace` before that group is killed.
/// If a line callback throws, the program's group is killed and reaped, and the exception
/// propagates.
process_result run_process(const process_options& opts);

/// Where `name` would be run from: an executable on PATH, or the path itself when it contains a
/// slash and is executable.
std::optional<std::filesystem::path> find_program(const std::string& name);

} // namespace vfb
