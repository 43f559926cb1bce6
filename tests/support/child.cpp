#include "tests/support/child.hpp"

#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace vfb::test {

child::child(const std::function<void(int fd)>& body) {
  int fds[2];
  if (pipe(fds) != 0)
    throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    close(fds[0]);
    body(fds[1]);
    _exit(99); // the body forgot to exit
  }
  close(fds[1]);
  fd_ = fds[0];
}

child::~child() {
  if (fd_ >= 0)
    close(fd_);
  if (pid_ > 0) {
    int status = 0;
    waitpid(pid_, &status, WNOHANG);
  }
}

int child::read_lines(const std::function<void(const std::string&)>& on_line) {
  std::string pending;
  char buf[4096];
  for (ssize_t n; (n = read(fd_, buf, sizeof buf)) > 0;) {
    pending.append(buf, static_cast<size_t>(n));
    for (size_t eol; (eol = pending.find('\n')) != std::string::npos;) {
      on_line(pending.substr(0, eol));
      pending.erase(0, eol + 1);
    }
  }
  close(fd_);
  fd_ = -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void write_line(int fd, const std::string& line) {
  auto s = line + "\n";
  for (size_t off = 0; off < s.size();) {
    auto n = write(fd, s.data() + off, s.size() - off);
    if (n <= 0)
      _exit(9);
    off += static_cast<size_t>(n);
  }
}

} // namespace vfb::test
