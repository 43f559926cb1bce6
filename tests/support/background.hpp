// A program run in the background for tests that need several processes at once (a node and
// its workers): its output lines are kept as they arrive, a test waits on them with a
// condition variable (no sleeping), and stopping it sends SIGTERM (process_options::cancel).
#pragma once

#include "adapters/process.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vfb::test {

/// Where the output of one or more background programs is announced: a test that watches
/// several programs at once waits on their common board (wait_on).
struct output_board {
  std::mutex mu;
  std::condition_variable cv;
};

/// Waits until `done()` holds (it runs under the board's lock: read the programs' output with
/// their *_locked accessors); false after `timeout`, a bound that only ends a failing test.
inline bool wait_on(output_board& board, const std::function<bool()>& done,
                    std::chrono::milliseconds timeout = std::chrono::minutes{3}) {
  std::unique_lock lock{board.mu};
  return board.cv.wait_for(lock, timeout, done);
}

class background {
public:
  explicit background(std::vector<std::string> argv,
                      std::shared_ptr<output_board> board = std::make_shared<output_board>(),
                      std::chrono::milliseconds grace = std::chrono::seconds{120})
      : board_{std::move(board)} {
    process_options o;
    o.argv = std::move(argv);
    o.cancel = &stop_;
    o.grace = grace;
    o.on_stdout_line = [this](std::string_view l) { add(out_, l); };
    o.on_stderr_line = [this](std::string_view l) { add(err_, l); };
    thread_ = std::thread{[this, o] {
      auto r = run_process(o);
      std::lock_guard guard{board_->mu};
      result_ = std::move(r);
      over_ = true;
      board_->cv.notify_all();
    }};
  }
  ~background() {
    if (thread_.joinable())
      stop();
  }
  background(const background&) = delete;
  background& operator=(const background&) = delete;

  using lines = std::vector<std::string>;
  /// Waits until `done(stdout lines, stderr lines)` holds or the program ended (then one last
  /// look); false after `timeout`, a generous bound that only ends a failing test.
  bool wait_for(const std::function<bool(const lines& out, const lines& err)>& done,
                std::chrono::milliseconds timeout = std::chrono::minutes{3}) {
    std::unique_lock lock{board_->mu};
    return board_->cv.wait_for(lock, timeout, [&] { return done(out_, err_) || over_; }) &&
           done(out_, err_);
  }
  /// Waits until a stderr line contains `text` (see wait_for).
  bool wait_for_log(const std::string& text,
                    std::chrono::milliseconds timeout = std::chrono::minutes{3}) {
    return wait_for(
        [&](const lines&, const lines& err) {
          for (const auto& l : err)
            if (l.find(text) != std::string::npos)
              return true;
          return false;
        },
        timeout);
  }
  /// SIGTERM (SIGKILL after the grace period) and the program's end.
  process_result stop() {
    stop_ = true;
    return wait();
  }
  /// The program's end, however it comes.
  process_result wait() {
    if (thread_.joinable())
      thread_.join();
    return result_;
  }
  lines err() {
    std::lock_guard guard{board_->mu};
    return err_;
  }
  lines out() {
    std::lock_guard guard{board_->mu};
    return out_;
  }
  /// The output so far, for a wait_on predicate (which holds the board's lock).
  const lines& err_locked() const { return err_; }
  const lines& out_locked() const { return out_; }
  bool over_locked() const { return over_; }

private:
  void add(lines& to, std::string_view line) {
    std::lock_guard guard{board_->mu};
    to.emplace_back(line);
    board_->cv.notify_all();
  }

  std::shared_ptr<output_board> board_;
  std::atomic<bool> stop_{false};
  lines out_, err_;
  bool over_ = false;
  process_result result_;
  std::thread thread_;
};

} // namespace vfb::test
