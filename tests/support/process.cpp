#include "tests/support/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace vfb::test {

namespace {

struct pipe_pair {
  int fd[2] = {-1, -1};
  pipe_pair() {
    if (::pipe2(fd, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  ~pipe_pair() {
    close_read();
    close_write();
  }
  void close_read() {
    if (fd[0] >= 0)
      ::close(fd[0]);
    fd[0] = -1;
  }
  void close_write() {
    if (fd[1] >= 0)
      ::close(fd[1]);
    fd[1] = -1;
  }
};

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    if (extra.count(kv.substr(0, kv.find('='))) == 0)
      out.push_back(kv);
  }
  for (auto& [k, v] : extra)
    if (!v.empty())
      out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

} // namespace

process_result run_process(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env,
                           const std::string& input) {
  // A child that exits without reading its stdin must not kill the test with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  pipe_pair in, out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  auto args = argv;
  auto envs = merged_environment(env);
  auto argp = pointers(args);
  auto envp = pointers(envs);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw std::runtime_error("cannot run " + argv.at(0) + ": " + std::strerror(rc));
  in.close_read();
  out.close_write();
  err.close_write();
  // Feed stdin and drain both outputs together, so a chatty child never blocks on a full pipe.
  size_t written = 0;
  if (input.empty())
    in.close_write();
  process_result r;
  for (;;) {
    std::vector<pollfd> fds;
    if (out.fd[0] >= 0)
      fds.push_back({out.fd[0], POLLIN, 0});
    if (err.fd[0] >= 0)
      fds.push_back({err.fd[0], POLLIN, 0});
    if (in.fd[1] >= 0)
      fds.push_back({in.fd[1], POLLOUT, 0});
    if (fds.empty())
      break;
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR)
        continue;
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
    for (auto& p : fds) {
      if (p.revents == 0)
        continue;
      if (p.fd == in.fd[1]) {
        auto n = ::write(p.fd, input.data() + written, input.size() - written);
        if (n > 0)
          written += static_cast<size_t>(n);
        if (n <= 0 || written == input.size())
          in.close_write();
        continue;
      }
      char buf[4096];
      auto n = ::read(p.fd, buf, sizeof buf);
      auto& sink = p.fd == out.fd[0] ? r.out : r.err;
      if (n > 0) {
        sink.append(buf, static_cast<size_t>(n));
      } else {
        (p.fd == out.fd[0] ? out : err).close_read();
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

} // namespace vfb::test
