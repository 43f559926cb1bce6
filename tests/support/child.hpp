// A forked child process that reports to the test through a pipe, one line per fact. Used by
// the tests that must kill or limit a process (crash recovery, file-size limits).
#pragma once

#include <functional>
#include <string>
#include <sys/types.h>

namespace vfb::test {

class child {
public:
  /// Forks; the child runs `body(fd)` with the pipe's write end and must end in `_exit`.
  explicit child(const std::function<void(int fd)>& body);
  ~child();
  child(const child&) = delete;
  child& operator=(const child&) = delete;

  pid_t pid() const { return pid_; }
  /// Calls `on_line` for each complete line until the child closes the pipe (a torn last line
  /// is dropped), then reaps the child and returns its wait status.
  int read_lines(const std::function<void(const std::string&)>& on_line);

private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

/// Writes `line` and a newline to `fd` in full; in a child, exits when the pipe is gone.
void write_line(int fd, const std::string& line);

} // namespace vfb::test
