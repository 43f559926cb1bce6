#include "adapters/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace vfb {

namespace {

using clock_type = std::chrono::steady_clock;

struct pipe_pair {
  int fd[2] = {-1, -1};
  // Close-on-exec, so a program another thread starts at the same moment cannot inherit our
  // end and keep the pipe open (we would never see end-of-file).
  bool open() { return ::pipe2(fd, O_CLOEXEC) == 0; }
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

/// Blocks SIGPIPE in this thread while the runner works, and swallows the SIGPIPE that writing
/// to a program that stopped reading raises (the write fails with EPIPE instead). Why not
/// ignore SIGPIPE: that is process-wide state the host program owns.
class sigpipe_block {
public:
  sigpipe_block() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    was_pending_ = pending();
  }
  ~sigpipe_block() {
    if (!was_pending_ && pending()) {
      timespec zero{0, 0};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  sigpipe_block(const sigpipe_block&) = delete;
  sigpipe_block& operator=(const sigpipe_block&) = delete;

private:
  bool pending() {
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, SIGPIPE) == 1;
  }
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

/// Kills and reaps the program if the runner leaves early (a callback threw): no orphan keeps
/// running, no zombie stays behind.
struct child_guard {
  pid_t pid;
  bool reaped = false;
  ~child_guard() {
    if (reaped)
      return;
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
};

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& changes) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    if (changes.count(kv.substr(0, kv.find('='))) == 0)
      out.push_back(std::move(kv));
  }
  for (auto& [k, v] : changes)
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

/// Splits a stream into lines for a callback and keeps (up to a limit) what it saw.
struct line_sink {
  std::string* keep;
  size_t limit;
  const std::function<void(std::string_view)>* on_line;
  std::string partial;

  void feed(const char* data, size_t n) {
    if (keep->size() < limit)
      keep->append(data, std::min(n, limit - keep->size()));
    if (*on_line == nullptr)
      return;
    partial.append(data, n);
    size_t start = 0;
    for (size_t eol; (eol = partial.find('\n', start)) != std::string::npos; start = eol + 1) {
      auto line = std::string_view{partial}.substr(start, eol - start);
      if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
      (*on_line)(line);
    }
    partial.erase(0, start);
  }
  void finish() {
    if (*on_line != nullptr && !partial.empty())
      (*on_line)(partial);
    partial.clear();
  }
};

process_result spawn_failure(std::string why) {
  process_result r;
  r.spawn_failed = true;
  r.error = std::move(why);
  return r;
}

/// Starts the program with its ends of the three pipes as stdin/stdout/stderr, in a process
/// group of its own, with default signal handling and no other inherited descriptor. Returns
/// the pid, or 0 and `error` set.
pid_t spawn(const process_options& opts, pipe_pair& in, pipe_pair& out, pipe_pair& err,
            std::string& error) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  // Descriptors the host opened without close-on-exec (a database, a socket) stay ours.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (!opts.cwd.empty())
    posix_spawn_file_actions_addchdir_np(&actions, opts.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a timeout also stops whatever it started. A clean signal mask
  // and default dispositions: the calling thread may block or ignore signals (SIGPIPE is
  // blocked right now), and a program that cannot receive SIGTERM would only die by SIGKILL.
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  auto args = opts.argv;
  auto envs = merged_environment(opts.env);
  auto argp = pointers(args);
  auto envp = pointers(envs);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, argp[0], &actions, &attr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc == 0)
    return pid;
  error = rc == ENOENT ? "program not found: " + opts.argv[0]
                       : "cannot run " + opts.argv[0] + ": " + std::strerror(rc);
  return 0;
}

} // namespace

std::string process_result::describe() const {
  if (spawn_failed)
    return error;
  if (timed_out)
    return "timed out" + (error.empty() ? std::string{} : " (" + error + ")");
  if (cancelled)
    return "cancelled";
  if (signal != 0) {
    auto* name = ::sigabbrev_np(signal);
    return "killed by signal " + std::to_string(signal) +
           (name != nullptr ? std::string{" (SIG"} + name + ")" : std::string{});
  }
  return "exited with " + std::to_string(exit_code);
}

std::optional<std::filesystem::path> find_program(const std::string& name) {
  auto executable = [](const std::filesystem::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.empty())
    return std::nullopt;
  if (name.find('/') != std::string::npos)
    return executable(name) ? std::optional<std::filesystem::path>{name} : std::nullopt;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  for (;;) {
    auto colon = dirs.find(':', start);
    auto dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    auto candidate = std::filesystem::path{dir.empty() ? "." : dir} / name;
    if (executable(candidate))
      return candidate;
    if (colon == std::string::npos)
      return std::nullopt;
    start = colon + 1;
  }
}

process_result run_process(const process_options& opts) {
  if (opts.argv.empty())
    return spawn_failure("no program given");
  // Checked here because a failed chdir in the child reads as ENOENT: "program not found".
  std::error_code ec;
  if (!opts.cwd.empty() && !std::filesystem::is_directory(opts.cwd, ec))
    return spawn_failure("working directory not found: " + opts.cwd.string());
  sigpipe_block no_sigpipe;
  pipe_pair in, out, err;
  if (!in.open() || !out.open() || !err.open())
    return spawn_failure(std::string{"cannot create pipes: "} + std::strerror(errno));
  std::string spawn_error;
  pid_t pid = spawn(opts, in, out, err, spawn_error);
  if (pid == 0)
    return spawn_failure(spawn_error);
  child_guard child{pid};
  in.close_read();
  out.close_write();
  err.close_write();
  if (opts.stdin_data.empty())
    in.close_write();
  else // never block on a full pipe while the program waits for us to read its output
    ::fcntl(in.fd[1], F_SETFL, ::fcntl(in.fd[1], F_GETFL) | O_NONBLOCK);

  process_result r;
  line_sink out_sink{&r.out, opts.max_capture, &opts.on_stdout_line, {}};
  line_sink err_sink{&r.err, opts.max_capture, &opts.on_stderr_line, {}};
  auto started = clock_type::now();
  std::optional<clock_type::time_point> stop_sent; // SIGTERM went out at this time
  std::optional<clock_type::time_point> exited_at;
  int status = 0;
  size_t written = 0;
  // Stops the whole group: SIGTERM first, SIGKILL once the grace period is over.
  auto stop = [&](clock_type::time_point now) {
    if (!stop_sent) {
      ::kill(-pid, SIGTERM);
      stop_sent = now;
    } else if (now - *stop_sent >= opts.grace) {
      ::kill(-pid, SIGKILL);
    }
  };
  // Feed stdin and drain both outputs together, so a chatty program never blocks on a full
  // pipe; wake up every 100 ms to check the clock and the cancel flag.
  while (out.fd[0] >= 0 || err.fd[0] >= 0 || !exited_at) {
    std::vector<pollfd> fds;
    if (out.fd[0] >= 0)
      fds.push_back({out.fd[0], POLLIN, 0});
    if (err.fd[0] >= 0)
      fds.push_back({err.fd[0], POLLIN, 0});
    if (in.fd[1] >= 0)
      fds.push_back({in.fd[1], POLLOUT, 0});
    if (!fds.empty() && ::poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR) {
      r.error = std::string{"poll failed: "} + std::strerror(errno);
      break; // the guard kills and reaps the program
    }
    for (auto& p : fds) {
      if (p.revents == 0)
        continue;
      if (p.fd == in.fd[1]) {
        auto n = ::write(p.fd, opts.stdin_data.data() + written, opts.stdin_data.size() - written);
        if (n > 0)
          written += static_cast<size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == opts.stdin_data.size())
          in.close_write(); // all fed, or the program closed its stdin (EPIPE)
        continue;
      }
      char buf[65536];
      auto n = ::read(p.fd, buf, sizeof buf);
      bool is_out = p.fd == out.fd[0];
      if (n > 0)
        (is_out ? out_sink : err_sink).feed(buf, static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR)
        (is_out ? out : err).close_read();
    }
    auto now = clock_type::now();
    if (!exited_at && ::waitpid(pid, &status, WNOHANG) == pid) {
      exited_at = now;
      child.reaped = true;
    }
    if (!exited_at) {
      if (opts.timeout.count() > 0 && now - started >= opts.timeout)
        r.timed_out = true;
      if (opts.cancel != nullptr && opts.cancel->load())
        r.cancelled = true;
      if (r.timed_out || r.cancelled)
        stop(now);
      if (fds.empty()) // the output is closed; only the exit status is missing
        ::usleep(10'000);
    } else if ((out.fd[0] >= 0 || err.fd[0] >= 0) && now - *exited_at >= opts.grace) {
      // The program is gone, but something it started still holds its output: end that too.
      ::kill(-pid, SIGKILL);
      out.close_read();
      err.close_read();
    }
  }
  out_sink.finish();
  err_sink.finish();
  if (!exited_at) {
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    child.reaped = true;
  }
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  if (r.timed_out) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "after %.1f s",
                  static_cast<double>(opts.timeout.count()) / 1000);
    r.error = buf;
  }
  return r;
}

} // namespace vfb
