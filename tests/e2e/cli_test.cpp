// The `vfb` executable as a user and a script see it: output, --json, exit codes, and a
// one-line error for every data-dir or config problem.
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <unistd.h>

using namespace vfb;
using nlohmann::json;

namespace {

const std::string video = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";

/// Runs vfb against `dir` with an empty config and without the design's flags, so the
/// developer's own environment can't change the outcome.
test::process_result run_vfb(const std::filesystem::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{VFB_BINARY, "--data-dir", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run_process(argv, {{"VFB_CONFIG", "/dev/null"},
                                  {"VFB_DATA_DIR", ""},
                                  {"ENABLE_AUTO_FOLLOW_UPLOADER", ""},
                                  {"ENABLE_UPLOADER_BACKFILL", ""},
                                  {"AUTO_FOLLOW_MAX_VIDEOS", ""}});
}

/// A single-line error on stderr, nothing on stdout, exit code 2.
void require_one_line_error(const test::process_result& r, const std::string& needle) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  REQUIRE_FALSE(r.err.empty());
  CHECK(r.err.find('\n') == r.err.size() - 1);
  CHECK_THAT(r.err, Catch::StartsWith("vfb: ") && Catch::Contains(needle));
}

json parse_json(const test::process_result& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

uint64_t enqueue(const std::filesystem::path& dir, const std::string& url,
                 const std::string& tenant, const std::string& workspace,
                 std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"enqueue",     url,       "--tenant", tenant,
                                "--workspace", workspace, "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return parse_json(run_vfb(dir, args))["job_id"].get<uint64_t>();
}

} // namespace

TEST_CASE("help: global, per command, and usage errors") {
  test::temp_dir tmp;
  auto r = run_vfb(tmp.path(), {"--help"});
  CHECK(r.exit_code == 0);
  for (auto word : {"enqueue", "queue stats", "queue ls", "queue retry", "queue cancel",
                    "--data-dir", "--config", "--json", "Exit codes"})
    CHECK_THAT(r.out, Catch::Contains(word));
  r = run_vfb(tmp.path(), {"enqueue", "--help"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("--tenant") && Catch::Contains("--priority"));
  r = run_vfb(tmp.path(), {"queue", "ls", "--help"});
  CHECK_THAT(r.out, Catch::Contains("--state") && Catch::Contains("--limit"));
  r = run_vfb(tmp.path(), {});
  CHECK(r.exit_code == 2);
  // A group's help lists its own subcommands with their usage, not the global text.
  for (auto [group, member] :
       std::vector<std::pair<std::string, std::string>>{{"follow", "vfb follow pause ID"},
                                                        {"queue", "vfb queue cancel ID"},
                                                        {"token", "vfb token revoke ID"},
                                                        {"settings", "vfb settings auto-follow"},
                                                        {"discord", "--application-id"}}) {
    r = run_vfb(tmp.path(), {group, "--help"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("Usage: vfb " + group + " SUBCOMMAND"));
    CHECK_THAT(r.out, Catch::Contains(member));
    CHECK_THAT(r.out, !Catch::Contains("Global options"));
    r = run_vfb(tmp.path(), {"help", group}); // `vfb help GROUP` is the same list
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains(member));
    r = run_vfb(tmp.path(), {group}); // no subcommand: the same list, as a usage error
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(member));
  }
  // An option with an empty value after `=` is refused, not given the next argument as value.
  require_one_line_error(run_vfb(tmp.path(), {"enqueue", video, "--tenant=", "--workspace", "w"}),
                         "--tenant needs a value");
  require_one_line_error(run_vfb(tmp.path(), {"follow", "frob"}),
                         "unknown command 'follow frob' (see vfb follow --help)");
  require_one_line_error(run_vfb(tmp.path(), {"frobnicate"}), "unknown command 'frobnicate'");
  require_one_line_error(run_vfb(tmp.path(), {"enqueue", video, "--tenant", "t"}), "--workspace");
  require_one_line_error(run_vfb(tmp.path(), {"queue", "ls", "--bogus"}), "unknown option --bogus");
  require_one_line_error(run_vfb(tmp.path(), {"queue", "retry"}), "expected 1 argument");
  require_one_line_error(run_vfb(tmp.path(), {"queue", "retry", "abc"}), "not a job id");
  require_one_line_error(run_vfb(tmp.path(), {"queue", "ls", "--state", "sleeping"}),
                         "unknown state 'sleeping'");
  require_one_line_error(run_vfb(tmp.path(), {"enqueue", video, "--tenant", "t", "--workspace", "w",
                                              "--priority", "x"}),
                         "unknown priority");
}

TEST_CASE("enqueue twice gives one job: the second call reports duplicate with the first id") {
  test::temp_dir tmp;
  auto dir = tmp / "data";
  auto first = run_vfb(dir, {"enqueue", video, "--tenant", "acme", "--workspace", "research"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  auto id = std::stoull(first.out);
  CHECK(first.out == std::to_string(id) + " new\n");
  // The same video in another spelling is the same job.
  auto second = run_vfb(dir, {"enqueue", "https://youtu.be/dQw4w9WgXcQ", "--tenant", "acme",
                              "--workspace", "research"});
  CHECK(second.exit_code == 0);
  CHECK(second.out == std::to_string(id) + " duplicate\n");
  auto j = parse_json(
      run_vfb(dir, {"enqueue", video, "--tenant", "acme", "--workspace", "research", "--json"}));
  CHECK(j["job_id"] == id);
  CHECK(j["status"] == "duplicate");
  // Another workspace or tenant is another job.
  CHECK(enqueue(dir, video, "acme", "other") != id);
  CHECK(enqueue(dir, video, "globex", "research") != id);
  auto jobs = parse_json(run_vfb(dir, {"queue", "ls", "--json"}));
  CHECK(jobs.size() == 3);
}

TEST_CASE("queue ls filters, stats counts, cancel and retry change states") {
  test::temp_dir tmp;
  auto dir = tmp / "data";
  auto a = enqueue(dir, "https://example.com/a.mp4", "acme", "w1");
  auto b = enqueue(dir, "https://example.com/b.mp4", "acme", "w2", {"--priority", "backfill"});
  auto c = enqueue(dir, "https://example.com/c.mp4", "globex", "w1");
  auto ls = parse_json(run_vfb(dir, {"queue", "ls", "--tenant", "acme", "--json"}));
  REQUIRE(ls.size() == 2);
  CHECK(ls[0]["id"] == a);
  CHECK(ls[1]["id"] == b);
  CHECK(ls[1]["priority"] == "backfill");
  CHECK(ls[0]["url"] == "https://example.com/a.mp4");
  CHECK(parse_json(run_vfb(dir, {"queue", "ls", "--workspace", "w1", "--json"})).size() == 2);
  CHECK(parse_json(run_vfb(dir, {"queue", "ls", "--limit", "1", "--json"})).size() == 1);

  auto cancelled = parse_json(run_vfb(dir, {"queue", "cancel", std::to_string(c), "--json"}));
  CHECK(cancelled["state"] == "cancelled");
  auto again = run_vfb(dir, {"queue", "cancel", std::to_string(c)});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("cancelled"));
  auto q = parse_json(run_vfb(dir, {"queue", "ls", "--state", "cancelled", "--json"}));
  REQUIRE(q.size() == 1);
  CHECK(q[0]["id"] == c);
  auto plain = run_vfb(dir, {"queue", "ls", "--state", "queued,cancelled"});
  CHECK(plain.exit_code == 0);
  CHECK_THAT(plain.out, Catch::Contains("cancelled") && Catch::Contains("example.com/b.mp4"));

  auto stats = parse_json(run_vfb(dir, {"queue", "stats", "--json"}));
  CHECK(stats["states"]["queued"] == 2);
  CHECK(stats["states"]["cancelled"] == 1);
  CHECK(stats["backlog"].size() == 3);
  auto text = run_vfb(dir, {"queue", "stats"});
  CHECK_THAT(text.out, Catch::Contains("queued     2") && Catch::Contains("acme/w2: queued=1"));

  // A queued job can't be retried; an unknown one is refused the same way.
  auto r = run_vfb(dir, {"queue", "retry", std::to_string(a)});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot retry job"));
  r = run_vfb(dir, {"queue", "retry", "999"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("no job 999"));
  // A cancelled job comes back when it is enqueued again.
  auto requeued = parse_json(run_vfb(dir, {"enqueue", "https://example.com/c.mp4", "--tenant",
                                           "globex", "--workspace", "w1", "--json"}));
  CHECK(requeued["job_id"] == c);
  CHECK(requeued["status"] == "requeued");
}

TEST_CASE("malformed and refused URLs are usage errors and enqueue nothing") {
  test::temp_dir tmp;
  auto dir = tmp / "data";
  enqueue(dir, video, "t", "w");
  for (auto [url, why] : std::vector<std::pair<std::string, std::string>>{
           {"not a url", "invalid URL"},
           {"ftp://example.com/x", "scheme"},
           {"http://127.0.0.1:8080/x", "local or private"},
           {"https://www.youtube.com/@channel", "no video id"}})
    require_one_line_error(run_vfb(dir, {"enqueue", url, "--tenant", "t", "--workspace", "w"}),
                           why);
  // A URL that looks like an option is still an argument after --.
  require_one_line_error(
      run_vfb(dir, {"enqueue", "--tenant", "t", "--workspace", "w", "--", "--exec=id"}),
      "invalid URL");
  require_one_line_error(
      run_vfb(dir, {"enqueue", video, "--tenant", "bad tenant", "--workspace", "w"}),
      "tenant must be");
  CHECK(parse_json(run_vfb(dir, {"queue", "ls", "--json"})).size() == 1);
  // Loopback URLs are fine once the config allows them (tests and the demo do).
  auto ok = run_vfb(dir, {"--set", "sources.allow_loopback=true", "enqueue",
                          "http://127.0.0.1:8080/x", "--tenant", "t", "--workspace", "w"});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::EndsWith(" new\n"));
}

TEST_CASE("missing, unusable, corrupt and locked data dirs: one line, exit code 2") {
  test::temp_dir tmp;
  require_one_line_error(run_vfb(tmp / "missing", {"queue", "ls"}), "no queue at");
  require_one_line_error(run_vfb(tmp / "missing", {"queue", "stats"}), "no queue at");
  require_one_line_error(run_vfb(tmp / "missing", {"queue", "cancel", "1"}), "no queue at");
  CHECK_FALSE(std::filesystem::exists(tmp / "missing"));

  std::ofstream(tmp / "file") << "not a directory";
  require_one_line_error(run_vfb(tmp / "file", {"queue", "ls"}), "not a directory");
  require_one_line_error(
      run_vfb(tmp / "file", {"enqueue", video, "--tenant", "t", "--workspace", "w"}),
      "not a directory");

  auto corrupt = tmp / "d1"; // neutral names: the messages quote the path
  std::filesystem::create_directories(corrupt);
  std::ofstream(corrupt / "data.mdb") << std::string(64 * 1024, 'x');
  require_one_line_error(run_vfb(corrupt, {"queue", "stats"}), "corrupt");
  require_one_line_error(run_vfb(corrupt, {"enqueue", video, "--tenant", "t", "--workspace", "w"}),
                         "corrupt");

  // Unreadable: the data file is a directory (works as root too, unlike chmod).
  auto unreadable = tmp / "d2";
  std::filesystem::create_directories(unreadable / "data.mdb");
  require_one_line_error(run_vfb(unreadable, {"queue", "ls"}), "cannot open queue");

  // Locked: another process holds the writer lock.
  auto locked = tmp / "d3";
  enqueue(locked, video, "t", "w");
  int fd = ::open((locked / "vfb.lock").c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  require_one_line_error(run_vfb(locked, {"enqueue", video, "--tenant", "t", "--workspace", "w2"}),
                         "in use by another vfb process");
  require_one_line_error(run_vfb(locked, {"queue", "cancel", "1"}), "in use");
  // Reading needs no lock.
  CHECK(parse_json(run_vfb(locked, {"queue", "ls", "--json"})).size() == 1);
  ::close(fd);
  CHECK(run_vfb(locked, {"queue", "cancel", "1"}).exit_code == 0);
}

TEST_CASE("config problems are one-line errors with exit code 2") {
  test::temp_dir tmp;
  std::ofstream(tmp / "bad.conf") << "[storage]\nsync = sometimes\n";
  auto args = std::vector<std::string>{"--config", (tmp / "bad.conf").string(), "queue", "ls"};
  require_one_line_error(run_vfb(tmp / "d", args), "bad.conf:2");
  require_one_line_error(
      run_vfb(tmp / "d", {"--config", (tmp / "nope.conf").string(), "queue", "ls"}), "cannot read");
  require_one_line_error(run_vfb(tmp / "d", {"--set", "queue.bogus=1", "queue", "ls"}),
                         "unknown key");
  require_one_line_error(run_vfb(tmp / "d", {"--set", "novalue", "queue", "ls"}),
                         "SECTION.KEY=VALUE");
  // $VFB_CONFIG is read when --config is absent.
  auto r = test::run_process({VFB_BINARY, "--data-dir", (tmp / "d").string(), "queue", "ls"},
                             {{"VFB_CONFIG", (tmp / "bad.conf").string()}});
  require_one_line_error(r, "bad.conf:2");
}

TEST_CASE("$VFB_DATA_DIR is the default data dir and --data-dir wins over it") {
  test::temp_dir tmp;
  auto env_dir = tmp / "from-env";
  auto r = test::run_process({VFB_BINARY, "enqueue", video, "--tenant", "t", "--workspace", "w"},
                             {{"VFB_DATA_DIR", env_dir.string()}, {"VFB_CONFIG", "/dev/null"}});
  REQUIRE(r.exit_code == 0);
  CHECK(std::filesystem::exists(env_dir / "data.mdb"));
  r = test::run_process({VFB_BINARY, "--data-dir", (tmp / "flag").string(), "queue", "ls"},
                        {{"VFB_DATA_DIR", env_dir.string()}, {"VFB_CONFIG", "/dev/null"}});
  CHECK(r.exit_code == 2); // the flag's dir is empty, the env's is not
}

TEST_CASE("token create prints a token once, ls never shows it, revoke revokes") {
  test::temp_dir tmp;
  auto dir = tmp / "data";
  auto r = run_vfb(dir, {"token", "create", "--tenant", "acme", "--workspace", "research", "--role",
                         "operator", "--label", "ci"});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("cannot be shown again"));
  auto at = r.out.find("vfb_");
  REQUIRE(at != std::string::npos);
  auto token = r.out.substr(at, r.out.find('\n', at) - at);
  CHECK(token.size() == 4 + 43);

  auto j = parse_json(run_vfb(dir, {"token", "create", "--tenant", "acme", "--workspace", "other",
                                    "--role", "viewer", "--json"}));
  CHECK(j["id"] == 2);
  CHECK(j["tenant"] == "acme");
  CHECK(j["workspace"] == "other");
  CHECK(j["role"] == "viewer");
  auto second = j["token"].get<std::string>();
  CHECK_THAT(second, Catch::StartsWith("vfb_"));

  auto ls = run_vfb(dir, {"token", "ls"});
  REQUIRE(ls.exit_code == 0);
  CHECK_THAT(ls.out, Catch::Contains("acme/research") && Catch::Contains("operator") &&
                         Catch::Contains("ci") && Catch::Contains("active"));
  CHECK(ls.out.find(token) == std::string::npos);
  CHECK(ls.out.find("vfb_") == std::string::npos);
  auto lj = parse_json(
      run_vfb(dir, {"token", "ls", "--workspace", "research", "--tenant", "acme", "--json"}));
  REQUIRE(lj.size() == 1);
  CHECK(lj[0]["id"] == 1);
  CHECK(lj[0]["active"] == true);
  CHECK(lj.dump().find("vfb_") == std::string::npos);
  CHECK_FALSE(lj[0].contains("token"));

  auto rv = parse_json(run_vfb(dir, {"token", "revoke", "1", "--json"}));
  CHECK(rv["id"] == 1);
  CHECK(rv["active"] == false);
  lj = parse_json(run_vfb(dir, {"token", "ls", "--json"}));
  REQUIRE(lj.size() == 2);
  CHECK(lj[0]["active"] == false);
  CHECK(lj[1]["active"] == true);
  CHECK_THAT(run_vfb(dir, {"token", "ls"}).out, Catch::Contains("revoked"));

  auto unknown = run_vfb(dir, {"token", "revoke", "9"});
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.err, Catch::Contains("no token 9"));
  require_one_line_error(run_vfb(dir, {"token", "revoke", "x"}), "not a token id");
  require_one_line_error(
      run_vfb(dir, {"token", "create", "--tenant", "t", "--workspace", "w", "--role", "admin"}),
      "viewer or operator");
  require_one_line_error(run_vfb(dir, {"token", "create", "--tenant", "t", "--workspace", "w"}),
                         "--role");
  require_one_line_error(run_vfb(dir, {"token", "frob"}), "unknown command 'token frob'");
  auto help = run_vfb(dir, {"token", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("token create"));
}

TEST_CASE("token ls without any token, and of a data dir that has none yet") {
  test::temp_dir tmp;
  auto r = run_vfb(tmp / "data", {"token", "ls"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "no tokens\n");
  CHECK(parse_json(run_vfb(tmp / "data", {"token", "ls", "--json"})).empty());
}

TEST_CASE("cluster init makes the CA once, cluster issue writes a worker's folder") {
  test::temp_dir tmp;
  auto dir = tmp / "data";
  auto early = run_vfb(dir, {"cluster", "issue", "w1"});
  CHECK(early.exit_code == 1);
  CHECK_THAT(early.err, Catch::Contains("run `vfb cluster init`"));
  auto r = run_vfb(dir, {"cluster", "init", "--name", "coordinator", "--json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = json::parse(r.out);
  CHECK(j["name"] == "coordinator");
  CHECK(j["certificate"] == (dir / "cluster" / "node.pem").string());
  CHECK(std::filesystem::exists(dir / "cluster" / "ca.key"));
  auto again = run_vfb(dir, {"cluster", "init"});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("its CA is kept"));

  r = run_vfb(dir, {"cluster", "issue", "worker-1"});
  CHECK(r.exit_code == 0);
  auto worker = dir / "cluster" / "workers" / "worker-1";
  CHECK_THAT(r.out, Catch::StartsWith("worker-1: certificate " + (worker / "worker.pem").string()));
  for (auto f : {"worker.pem", "worker.key", "ca.pem"})
    CHECK(std::filesystem::exists(worker / f));
  auto twice = run_vfb(dir, {"cluster", "issue", "worker-1"});
  CHECK(twice.exit_code == 1);
  CHECK_THAT(twice.err, Catch::Contains("nothing replaced"));
  require_one_line_error(run_vfb(dir, {"cluster", "issue", "../escape"}), "is not a cluster name");
  CHECK_FALSE(std::filesystem::exists(dir / "cluster" / "escape"));
  require_one_line_error(run_vfb(dir, {"cluster", "issue"}), "expected 1 argument");
}
