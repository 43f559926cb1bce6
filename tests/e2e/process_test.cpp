// The process runner against real programs: exit codes, signals, streamed lines, big outputs,
// stdin, environment, working directory, timeouts that stop a whole process tree, cancel.
// (/bin/sh appears here only as a program under test; vfb itself never runs a shell.)
#include "adapters/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <thread>

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

TEST_CASE("a large output on both streams does not deadlock; capture is bounded") {
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
  CHECK_THAT(r.describe(), Catch::Contains("signal 11"));
}
