// The process runner against real programs: exit codes, signals, streamed lines, big outputs,
// stdin, environment, working directory, timeouts that stop a whole process tree, cancel.
// (/bin/sh appears here only as a program under test; vfb itself never runs a shell.)
#include "adapters/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <pthread.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace vfb;

namespace {

process_options sh(const std::string& script) {
  process_options o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

} // namespace

TEST_CASE("exit codes, output and a missing program") {
  auto ok = run_process(sh("echo out; echo err >&2; exit 0"));
  CHECK(ok.ok());
  CHECK(ok.out == "out\n");
  CHECK(ok.err == "err\n");
  auto failed = run_process(sh("exit 3"));
  CHECK(failed.exit_code == 3);
  CHECK(failed.describe() == "exited with 3");
  process_options missing;
  missing.argv = {"vfb-no-such-program", "--", "x"};
  auto m = run_process(missing);
  CHECK(m.spawn_failed);
  CHECK(m.error == "program not found: vfb-no-such-program");
  CHECK_FALSE(find_program("vfb-no-such-program"));
  CHECK(find_program("sh"));
}

TEST_CASE("arguments are passed as they are: no shell interprets them") {
  process_options o;
  o.argv = {"printf", "%s|", "a b", "$HOME", "; rm -rf /", "`id`"};
  auto r = run_process(o);
  REQUIRE(r.ok());
  CHECK(r.out == "a b|$HOME|; rm -rf /|`id`|");
}

TEST_CASE("lines are streamed as they arrive, in order, with a last partial line") {
  std::vector<std::string> out_lines, err_lines;
  auto o = sh("printf 'one\\ntwo\\r\\n'; printf 'e1\\n' >&2; printf 'tail'");
  o.on_stdout_line = [&](std::string_view l) { out_lines.emplace_back(l); };
  o.on_stderr_line = [&](std::string_view l) { err_lines.emplace_back(l); };
  auto r = run_process(o);
  REQUIRE(r.ok());
  CHECK(out_lines == std::vector<std::string>{"one", "two", "tail"});
  CHECK(err_lines == std::vector<std::string>{"e1"});
}

TEST_CASE("a large output on both streams does not deadlock, and capture is bounded") {
  auto o = sh("head -c 10000000 /dev/zero | tr '\\0' a; head -c 3000000 /dev/zero >&2");
  o.max_capture = 1 << 20;
  size_t seen = 0;
  o.on_stdout_line = [&](std::string_view l) { seen += l.size(); };
  auto r = run_process(o);
  REQUIRE(r.ok());
  CHECK(r.out.size() == size_t{1} << 20);
  CHECK(r.err.size() == size_t{1} << 20);
  CHECK(seen == 10'000'000);
}

TEST_CASE("stdin is fed, environment changes apply, the working directory is used") {
  test::temp_dir dir;
  auto o = sh("cat; echo \"[$VFB_TEST_VAR][${HOME-unset}]\"; pwd");
  o.stdin_data = "input data\n";
  o.env = {{"VFB_TEST_VAR", "set"}, {"HOME", ""}};
  o.cwd = dir.path();
  auto r = run_process(o);
  REQUIRE(r.ok());
  CHECK(r.out ==
        "input data\n[set][unset]\n" + std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST_CASE("a big input and a big output at once do not deadlock") {
  process_options o;
  o.argv = {"cat"};
  o.stdin_data.reserve(8'000'000);
  for (size_t i = 0; o.stdin_data.size() < 8'000'000; ++i)
    o.stdin_data += "line " + std::to_string(i) + "\n";
  auto r = run_process(o);
  REQUIRE(r.ok());
  CHECK(r.out == o.stdin_data);
}

TEST_CASE("a program that does not read its input neither blocks nor kills the caller") {
  // With SIGPIPE at its default, a write to a closed pipe would end this test program.
  auto previous = std::signal(SIGPIPE, SIG_DFL);
  process_options o;
  o.argv = {"true"};
  o.stdin_data.assign(4'000'000, 'x');
  auto r = run_process(o);
  CHECK(r.ok());
  sigset_t pending;
  sigpending(&pending);
  CHECK_FALSE(sigismember(&pending, SIGPIPE));
  CHECK(std::signal(SIGPIPE, previous) == SIG_DFL); // the runner left the disposition alone
}

TEST_CASE("the program starts with default signal handling and a clean signal mask") {
  // `yes` must die quietly of SIGPIPE once `head` is done, as in a terminal.
  auto r = run_process(sh("yes | head -n 1"));
  CHECK(r.ok());
  CHECK(r.out == "y\n");
  CHECK(r.err.empty());
  // A caller thread that blocks SIGTERM still stops its program with SIGTERM.
  process_result stopped;
  std::thread caller{[&] {
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &term, nullptr);
    process_options o;
    o.argv = {"sleep", "30"};
    o.timeout = std::chrono::milliseconds{100};
    o.grace = std::chrono::seconds{30};
    stopped = run_process(o);
  }};
  caller.join();
  CHECK(stopped.timed_out);
  CHECK(stopped.signal == SIGTERM);
}

TEST_CASE("the program inherits no descriptor but its standard streams") {
  test::temp_dir dir;
  std::ofstream(dir / "open.txt") << "x";
  int fd = ::open((dir / "open.txt").c_str(), O_RDONLY); // no O_CLOEXEC, on purpose
  REQUIRE(fd > 2);
  process_options o;
  o.argv = {"python3", "-c",
            "import os, sys\ntry:\n os.fstat(int(sys.argv[1])); print('inherited')\n"
            "except OSError: print('closed')",
            std::to_string(fd)};
  auto r = run_process(o);
  ::close(fd);
  REQUIRE(r.ok());
  CHECK(r.out == "closed\n");
}

TEST_CASE("a working directory that does not exist is a clear error") {
  auto o = sh("pwd");
  o.cwd = "/nonexistent/vfb-dir";
  auto r = run_process(o);
  CHECK(r.spawn_failed);
  CHECK(r.error == "working directory not found: /nonexistent/vfb-dir");
}

TEST_CASE("several threads run programs at once, each getting its own output") {
  std::vector<std::thread> threads;
  std::vector<int> correct(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([t, &correct] {
      for (int i = 0; i < 5; ++i) {
        auto o = sh("cat; echo \"$VFB_N\"");
        auto id = std::to_string(t) + "." + std::to_string(i);
        o.stdin_data = "in " + id + "\n";
        o.env = {{"VFB_N", id}};
        auto r = run_process(o);
        correct[t] += r.ok() && r.out == "in " + id + "\n" + id + "\n";
      }
    });
  for (auto& th : threads)
    th.join();
  CHECK(correct == std::vector<int>(8, 5));
}

/// Whether the process is gone (or a zombie about to be reaped), awaited up to five seconds.
bool ends(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, name, state;
    if (!(stat >> pid_field >> name >> state) || state == "Z")
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return false;
}

TEST_CASE("a timeout stops the program and what it started") {
  test::temp_dir dir;
  auto pid_file = dir / "grandchild.pid";
  // The grandchild holds the pipes open; it must die with the program.
  auto o = sh("sh -c 'echo $$ > " + pid_file.string() + "; exec sleep 30' & sleep 30");
  o.timeout = std::chrono::milliseconds{300};
  o.grace = std::chrono::milliseconds{200};
  auto r = run_process(o);
  CHECK(r.timed_out);
  CHECK(r.signal != 0);
  CHECK_THAT(r.describe(), Catch::StartsWith("timed out"));
  pid_t grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  REQUIRE(grandchild > 0);
  CHECK(ends(grandchild));
}

TEST_CASE("what a program leaves running with its output open is stopped after it exits") {
  auto o = sh("sleep 30 & echo $!");
  o.grace = std::chrono::milliseconds{100};
  auto r = run_process(o);
  CHECK(r.ok());
  CHECK_FALSE(r.timed_out);
  pid_t background = std::atoi(r.out.c_str());
  REQUIRE(background > 0);
  CHECK(ends(background));
}

TEST_CASE("a line callback that throws stops the program and the exception propagates") {
  auto o = sh("echo $$; exec sleep 30");
  pid_t pid = 0;
  o.on_stdout_line = [&](std::string_view l) {
    pid = std::atoi(std::string{l}.c_str());
    throw std::runtime_error("consumer failed");
  };
  CHECK_THROWS_WITH(run_process(o), "consumer failed");
  REQUIRE(pid > 0);
  // Reaped by the runner: the pid is no longer ours to wait for.
  CHECK(::waitpid(pid, nullptr, WNOHANG) == -1);
  CHECK(::kill(pid, 0) == -1);
}

TEST_CASE("a program that ignores SIGTERM is killed after the grace period") {
  auto o = sh("trap '' TERM; sleep 30");
  o.timeout = std::chrono::milliseconds{200};
  o.grace = std::chrono::milliseconds{200};
  auto r = run_process(o);
  CHECK(r.timed_out);
  CHECK(r.signal == SIGKILL);
}

TEST_CASE("setting the cancel flag stops the program") {
  std::atomic<bool> cancel{false};
  auto o = sh("echo started; sleep 30");
  o.cancel = &cancel;
  o.on_stdout_line = [&](std::string_view l) {
    if (l == "started")
      cancel = true;
  };
  auto r = run_process(o);
  CHECK(r.cancelled);
  CHECK_FALSE(r.timed_out);
  CHECK(r.describe() == "cancelled");
}

TEST_CASE("a crashing program is reported with its signal") {
  auto r = run_process(sh("kill -SEGV $$"));
  CHECK(r.signal == SIGSEGV);
  CHECK(r.describe() == "killed by signal 11 (SIGSEGV)");
}
