#include "apps/service.hpp"

#include "text/strings.hpp"

#include <climits>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <vector>

namespace vfb::cli {

namespace {

/// `%*` in a pattern: the message as the inside of a JSON string (quotes, backslashes and
/// control characters escaped), so JSON log lines stay valid whatever a message holds.
class json_message_flag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    auto quoted = nlohmann::json(std::string{msg.payload.data(), msg.payload.size()})
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(quoted.data() + 1, quoted.data() + quoted.size() - 1); // without the quotes
  }
  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<json_message_flag>();
  }
};

/// `%*` in the text pattern: the message with its control characters written out, so that a
/// title, a path or a tool's output holding a newline cannot split a log line or forge one.
class text_message_flag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    auto text = text::escape_controls({msg.payload.data(), msg.payload.size()});
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<text_message_flag>();
  }
};

/// The crash marker's path, for the signal handler (which may not allocate).
char crash_marker_path[PATH_MAX];

/// Async-signal-safe: open, write, fsync and close only; then the signal's own action.
void on_fatal_signal(int sig) {
  int fd = ::open(crash_marker_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) {
    char text[] = "signal 00\n";
    text[7] = static_cast<char>('0' + sig / 10 % 10);
    text[8] = static_cast<char>('0' + sig % 10);
    (void)!::write(fd, text, sizeof text - 1);
    ::fsync(fd);
    ::close(fd);
  }
  // SA_RESETHAND restored the default action: the exit status and core dump stay truthful.
  ::raise(sig);
}

} // namespace

void leave_crash_marker(const std::filesystem::path& marker) {
  auto path = marker.string();
  if (path.size() >= sizeof crash_marker_path)
    return; // no marker: a crash then counts as an outside kill
  std::memcpy(crash_marker_path, path.c_str(), path.size() + 1);
  // A stack overflow runs the handler on a stack of its own (this thread's; others die
  // without a marker, which counts as an outside kill).
  static std::vector<char> alt(static_cast<size_t>(SIGSTKSZ) * 4);
  stack_t ss{};
  ss.ss_sp = alt.data();
  ss.ss_size = alt.size();
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT})
    sigaction(sig, &sa, nullptr);
}

void configure_logging(const vfb_config& cfg, const char* name) {
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_level(spdlog::level::from_str(cfg.log.level));
  if (cfg.log.format == "json") {
    // One object per line (journald, log shippers).
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<json_message_flag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%*"})");
    logger->set_formatter(std::move(f));
  } else {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<text_message_flag>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %l %*");
    logger->set_formatter(std::move(f));
  }
  spdlog::set_default_logger(logger);
}

sigset_t block_stop_signals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

} // namespace vfb::cli
