// A cluster in separate processes on 127.0.0.1: `vfb node` serving workers over mutual TLS and
// `vfb worker` processes, with the real yt-dlp, ffmpeg and speech recognition on media
// synthesised here and served on loopback, and a fake Discord. The node is a pure coordinator
// here ([pipeline] enabled = false) unless a test says otherwise, so every job runs on a worker.
#include "adapters/process.hpp"
#include "tests/support/background.hpp"
#include "tests/support/fake_discord.hpp"
#include "tests/support/media.hpp"
#include "tests/support/media_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/vfb_output.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

const std::string spoken = "The volcano erupted. The volcano was very loud.";

process_result run(std::vector<std::string> argv) {
  process_options o;
  o.argv = std::move(argv);
  return run_process(o);
}

struct cluster_fixture {
  test::temp_dir dir;
  fs::path served = dir.subdir("served");
  test::media_server server{served};
  test::fake_discord discord;
  fs::path node_data = dir / "node";
  std::vector<std::string> pages;
  std::string token;

  explicit cluster_fixture(int videos) {
    auto video = videos > 0 ? test::synth_video(served, "talk", spoken) : fs::path{};
    for (int i = 1; i <= videos; ++i) {
      auto name = "talk" + std::to_string(i);
      fs::copy_file(video, served / (name + ".mp4"));
      server.add_video_page("/watch/" + name, "Talk " + std::to_string(i),
                            server.url("/media/" + name + ".mp4"));
      pages.push_back(server.url("/watch/" + name));
    }
    REQUIRE(run(node_cli({"cluster", "init"})).exit_code == 0);
    for (const auto* w : {"w1", "w2"})
      REQUIRE(run(node_cli({"cluster", "issue", w, "--out", (dir / w / "cluster").string()}))
                  .exit_code == 0);
    auto created = run(node_cli({"token", "create", "--tenant", "acme", "--workspace", "main",
                                 "--role", "operator", "--json"}));
    REQUIRE(created.exit_code == 0);
    token = nlohmann::json::parse(created.out)["token"].get<std::string>();
  }

  std::vector<std::string> node_cli(std::vector<std::string> args, int cluster_port = 0) const {
    std::vector<std::string> argv{VFB_BINARY,
                                  "--data-dir",
                                  node_data.string(),
                                  "--set",
                                  "sources.allow_loopback=true",
                                  "--set",
                                  "api.port=0",
                                  "--set",
                                  "cluster.listen=127.0.0.1",
                                  "--set",
                                  "cluster.port=" + std::to_string(cluster_port),
                                  "--set",
                                  "queue.rescue_interval_ms=200",
                                  "--set",
                                  "pipeline.enabled=false",
                                  "--set",
                                  "webhooks.acme/main=" + discord.webhook_url()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  /// A worker's command line; `settings` are --set values (its lease TTL, its log level).
  std::vector<std::string> worker_cli(const std::string& name, int cluster_port,
                                      std::vector<std::string> settings = {}) const {
    std::vector<std::string> argv{VFB_BINARY, "--data-dir", (dir / name).string(), "--set",
                                  "pipeline.transcribe_slots=1"};
    for (auto& s : settings) {
      argv.emplace_back("--set");
      argv.push_back(std::move(s));
    }
    for (auto word : {std::string{"worker"}, std::string{"--join"},
                      "127.0.0.1:" + std::to_string(cluster_port), std::string{"--json"}})
      argv.push_back(std::move(word));
    return argv;
  }

  /// Submits every page through the node's API; the job ids in order.
  std::vector<uint64_t> submit_all(int api_port) const {
    auto api = "http://127.0.0.1:" + std::to_string(api_port);
    std::vector<uint64_t> ids;
    for (const auto& page : pages) {
      auto submitted = run(node_cli({"submit", page, "--api", api, "--token", token, "--json"}));
      REQUIRE(submitted.exit_code == 0);
      ids.push_back(nlohmann::json::parse(submitted.out)["job_id"].get<uint64_t>());
    }
    return ids;
  }

  /// Successful webhook posts so far.
  size_t posts() {
    size_t n = 0;
    for (const auto& r : discord.requests())
      if (r.route == test::fake_discord::execute_webhook && r.status / 100 == 2)
        ++n;
    return n;
  }

  /// The distinct videos the node's memory finds for "volcano".
  std::set<std::string> remembered() const {
    auto search = run(node_cli({"search", "volcano", "--tenant", "acme", "--workspace", "main",
                                "--limit", "100", "--json"}));
    REQUIRE(search.exit_code == 0);
    std::set<std::string> videos;
    for (const auto& hit : nlohmann::json::parse(search.out))
      videos.insert(hit["external_id"].get<std::string>());
    return videos;
  }

  /// The node's queue (the node must be stopped).
  nlohmann::json queue() const {
    auto ls = run(node_cli({"queue", "ls", "--json"}));
    REQUIRE(ls.exit_code == 0);
    return nlohmann::json::parse(ls.out);
  }
};

/// A worker's pid from its ready line.
int pid_of(test::background& worker) {
  int pid = 0;
  REQUIRE(worker.wait_for([&](const test::background::lines& out, const test::background::lines&) {
    if (auto j = test::ready_line(out))
      pid = (*j)["pid"].get<int>();
    return pid != 0;
  }));
  return pid;
}

/// The node's ready line: its API and cluster ports.
struct node_ports {
  int api = 0;
  int cluster = 0;
};

node_ports ready(test::background& node) {
  node_ports ports;
  REQUIRE(node.wait_for([&](const test::background::lines& out, const test::background::lines&) {
    auto j = test::ready_line(out);
    if (j) {
      ports.api = (*j)["port"].get<int>();
      ports.cluster = (*j)["cluster_port"].get<int>();
    }
    return j.has_value();
  }));
  return ports;
}

} // namespace

TEST_CASE("a node and two workers: every job ends done once, both workers work, the node "
          "stores memory and posts") {
  constexpr size_t jobs = 12;
  cluster_fixture f{jobs};
  auto board = std::make_shared<test::output_board>();
  test::background node{f.node_cli({"node", "--json"}), board};
  auto ports = ready(node);
  test::background w1{f.worker_cli("w1", ports.cluster), board};
  test::background w2{f.worker_cli("w2", ports.cluster), board};
  REQUIRE(node.wait_for_log("worker w1 joined"));
  REQUIRE(node.wait_for_log("worker w2 joined"));
  f.submit_all(ports.api);
  auto all_done = [&] {
    auto a = test::done_jobs(w1.err_locked());
    auto b = test::done_jobs(w2.err_locked());
    a.insert(b.begin(), b.end());
    return a.size() == jobs || w1.over_locked() || w2.over_locked() || node.over_locked();
  };
  REQUIRE(test::wait_on(*board, all_done));

  // The node shows its workers: `vfb cluster ls`, GET /v1/cluster and /metrics.
  auto api = "http://127.0.0.1:" + std::to_string(ports.api);
  auto ls = run(f.node_cli({"cluster", "ls", "--api", api, "--token", f.token, "--json"}));
  REQUIRE(ls.exit_code == 0);
  auto cluster = nlohmann::json::parse(ls.out);
  CHECK(cluster["cluster"] == true);
  REQUIRE(cluster["workers"].size() == 2);
  for (const auto& w : cluster["workers"]) {
    CHECK(w["connected"] == true);
    CHECK_THAT(w["address"].get<std::string>(), Catch::Contains("(pid "));
    CHECK_FALSE(w["connected_since"].get<std::string>().empty());
    CHECK(w["jobs_done"].get<int>() <= static_cast<int>(jobs));
  }
  CHECK(cluster["workers"][0]["name"] == "w1");
  CHECK(cluster["workers"][1]["name"] == "w2");
  // Within a report interval (5 s) the node's figures add up to every job. (Each ls is a
  // request: this waits on the node's answers, bounded, not on a clock.)
  auto reported_done = [&] {
    auto now = run(f.node_cli({"cluster", "ls", "--api", api, "--token", f.token, "--json"}));
    int sum = 0;
    auto listed = nlohmann::json::parse(now.out);
    for (const auto& w : listed["workers"])
      sum += w["jobs_done"].get<int>();
    return sum;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (reported_done() != static_cast<int>(jobs) && std::chrono::steady_clock::now() < deadline) {
  }
  CHECK(reported_done() == static_cast<int>(jobs));
  auto text = run(f.node_cli({"cluster", "ls", "--api", api, "--token", f.token}));
  CHECK_THAT(text.out, Catch::StartsWith("w1  connected  "));
  auto metrics = run({"curl", "-s", api + "/metrics"});
  CHECK_THAT(metrics.out, Catch::Contains("vfb_cluster_worker_connected{worker=\"w1\"} 1") &&
                              Catch::Contains("vfb_cluster_worker_connected{worker=\"w2\"} 1") &&
                              Catch::Contains("vfb_cluster_worker_jobs_done_total{worker=\"w1\"}"));

  auto r1 = w1.stop();
  auto r2 = w2.stop();
  auto rn = node.stop();
  INFO("worker 1:\n" << r1.err << "\nworker 2:\n" << r2.err << "\nnode:\n" << rn.err);
  CHECK(r1.exit_code == 0);
  CHECK(r2.exit_code == 0);
  CHECK(rn.exit_code == 0);

  // Each job done exactly once, and each worker did some.
  auto by_w1 = test::done_jobs(w1.err());
  auto by_w2 = test::done_jobs(w2.err());
  CHECK_FALSE(by_w1.empty());
  CHECK_FALSE(by_w2.empty());
  for (uint64_t id = 1; id <= jobs; ++id) {
    INFO("job " << id);
    CHECK(by_w1[id] + by_w2[id] == 1);
  }
  auto listed = f.queue();
  REQUIRE(listed.size() == jobs);
  for (const auto& j : listed)
    CHECK(j["state"] == "done");
  CHECK(f.remembered().size() == jobs); // the node's memory finds every video
  CHECK(f.posts() == jobs);             // one post per job
}

TEST_CASE("a worker killed in the middle of a transcription loses nothing: the job runs on the "
          "other worker, stored and posted once") {
  cluster_fixture f{1};
  auto board = std::make_shared<test::output_board>();
  test::background node{f.node_cli({"node", "--json"}), board};
  auto ports = ready(node);
  // Short leases, so the dead worker's lease expires soon; stage starts in the log.
  std::vector<std::string> settings{"queue.lease_ttl_ms=2000", "log.level=debug"};
  test::background w1{f.worker_cli("w1", ports.cluster, settings), board};
  test::background w2{f.worker_cli("w2", ports.cluster, settings), board};
  REQUIRE(node.wait_for_log("worker w1 joined"));
  REQUIRE(node.wait_for_log("worker w2 joined"));
  auto pid1 = pid_of(w1);
  auto pid2 = pid_of(w2);
  auto id = f.submit_all(ports.api).at(0);
  auto started = "job " + std::to_string(id) + ": transcribe started";
  test::background* victim = nullptr;
  REQUIRE(test::wait_on(*board, [&] {
    if (test::has_line(w1.err_locked(), started))
      victim = &w1;
    else if (test::has_line(w2.err_locked(), started))
      victim = &w2;
    return victim != nullptr;
  }));
  auto& survivor = victim == &w1 ? w2 : w1;
  REQUIRE(::kill(victim == &w1 ? pid1 : pid2, SIGKILL) == 0);
  auto killed = victim->wait();
  CHECK(killed.signal == SIGKILL);
  // Its disk is gone with it (another machine's would be out of reach): the survivor cannot
  // use the victim's media and downloads again.
  fs::remove_all(f.dir / (victim == &w1 ? "w1" : "w2"));
  // The lease expires, the node puts the job back, the other worker runs it to the end.
  REQUIRE(survivor.wait_for_log("job " + std::to_string(id) + ": done ("));
  auto rs = survivor.stop();
  auto rn = node.stop();
  INFO("survivor:\n" << rs.err << "\nnode:\n" << rn.err);
  CHECK(rn.exit_code == 0);
  CHECK(test::done_jobs(victim->err())[id] == 0);
  CHECK(test::done_jobs(survivor.err())[id] == 1);
  // One worker's broken connection leaves the others alone (see actors/cluster_tls.cpp).
  CHECK_FALSE(test::has_line(survivor.err(), "lost the connection"));
  auto listed = f.queue();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["state"] == "done");
  CHECK(listed[0]["rescues"] == 1); // the lease ran out (which the queue counts as an attempt)
  CHECK(f.remembered().size() == 1);
  CHECK(f.posts() == 1);
}

TEST_CASE("a node that restarts while its workers hold jobs is rejoined, and every job ends "
          "done once") {
  // More jobs than one worker holds at once (6 with these slots), so both hold some.
  constexpr size_t jobs = 8;
  cluster_fixture f{jobs};
  auto board = std::make_shared<test::output_board>();
  auto first = std::make_unique<test::background>(f.node_cli({"node", "--json"}), board);
  auto ports = ready(*first);
  test::background w1{f.worker_cli("w1", ports.cluster), board};
  test::background w2{f.worker_cli("w2", ports.cluster), board};
  REQUIRE(first->wait_for_log("worker w1 joined"));
  REQUIRE(first->wait_for_log("worker w2 joined"));
  // No download finishes until both workers hold jobs: a worker that finished its jobs as
  // fast as they came would otherwise lease them all.
  f.server.hold("/media/");
  f.submit_all(ports.api);
  REQUIRE(test::wait_on(*board, [&] {
    return test::has_line(w1.err_locked(), ": leased (") &&
           test::has_line(w2.err_locked(), ": leased (");
  }));
  f.server.release_held();
  auto stopped = first->stop();
  INFO("first node:\n" << stopped.err);
  CHECK(stopped.exit_code == 0);
  REQUIRE(test::wait_on(*board, [&] {
    return test::has_line(w1.err_locked(), "lost the connection to the node") &&
           test::has_line(w2.err_locked(), "lost the connection to the node");
  }));
  // The same data dir and cluster port: the workers come back by themselves.
  test::background second{f.node_cli({"node", "--json"}, ports.cluster), board};
  ready(second);
  REQUIRE(second.wait_for_log("worker w1 joined"));
  REQUIRE(second.wait_for_log("worker w2 joined"));
  auto all_done = [&] {
    auto a = test::done_jobs(w1.err_locked());
    auto b = test::done_jobs(w2.err_locked());
    a.insert(b.begin(), b.end());
    return a.size() == jobs || w1.over_locked() || w2.over_locked() || second.over_locked();
  };
  REQUIRE(test::wait_on(*board, all_done));
  auto r1 = w1.stop();
  auto r2 = w2.stop();
  auto rn = second.stop();
  INFO("worker 1:\n" << r1.err << "\nworker 2:\n" << r2.err << "\nnode:\n" << rn.err);
  // Nothing was run twice: the workers' leases held across the restart.
  CHECK_FALSE(test::has_line(w1.err(), "could not record its outcome"));
  CHECK_FALSE(test::has_line(w2.err(), "could not record its outcome"));
  auto by_w1 = test::done_jobs(w1.err());
  auto by_w2 = test::done_jobs(w2.err());
  for (uint64_t id = 1; id <= jobs; ++id) {
    INFO("job " << id);
    CHECK(by_w1[id] + by_w2[id] == 1);
  }
  for (const auto& j : f.queue())
    CHECK(j["state"] == "done");
  CHECK(f.remembered().size() == jobs);
  CHECK(f.posts() == jobs);
}

TEST_CASE("vfb worker: a certificate from another cluster never joins and disturbs nobody, "
          "missing files and a bad address are clear errors") {
  cluster_fixture f{1};
  test::background node{f.node_cli({"node", "--json"})};
  auto ports = ready(node);
  test::background w1{f.worker_cli("w1", ports.cluster)};
  REQUIRE(node.wait_for_log("worker w1 joined"));
  // Another cluster's worker: its handshake fails, it says so and keeps trying.
  auto stranger = f.dir / "stranger";
  REQUIRE(
      run({VFB_BINARY, "--data-dir", (f.dir / "other").string(), "cluster", "init"}).exit_code ==
      0);
  REQUIRE(run({VFB_BINARY, "--data-dir", (f.dir / "other").string(), "cluster", "issue", "w9",
               "--out", (stranger / "cluster").string()})
              .exit_code == 0);
  test::background w9{{VFB_BINARY, "--data-dir", stranger.string(), "worker", "--join",
                       "127.0.0.1:" + std::to_string(ports.cluster)}};
  REQUIRE(w9.wait_for_log("cannot reach the node at 127.0.0.1:" + std::to_string(ports.cluster)));
  CHECK(w9.stop().exit_code == 0);
  CHECK_FALSE(test::has_line(node.err(), "worker w9 joined"));
  // The refused handshakes did not cost the cluster's own worker its connection: it still
  // leases, hands over and completes a job on it.
  auto id = f.submit_all(ports.api).at(0);
  REQUIRE(w1.wait_for_log("job " + std::to_string(id) + ": done ("));
  CHECK_FALSE(test::has_line(w1.err(), "lost the connection"));
  CHECK(w1.stop().exit_code == 0);

  auto no_files = run({VFB_BINARY, "--data-dir", (f.dir / "empty").string(), "worker", "--join",
                       "127.0.0.1:" + std::to_string(ports.cluster)});
  CHECK(no_files.exit_code == 2);
  CHECK_THAT(no_files.err,
             Catch::Contains("worker.pem is missing") && Catch::Contains("vfb cluster issue"));
  auto no_join = run({VFB_BINARY, "--data-dir", (f.dir / "w1").string(), "worker"});
  CHECK(no_join.exit_code == 2);
  CHECK_THAT(no_join.err, Catch::Contains("--join HOST:PORT"));
  auto bad_join =
      run({VFB_BINARY, "--data-dir", (f.dir / "w1").string(), "worker", "--join", "node"});
  CHECK(bad_join.exit_code == 2);
  CHECK_THAT(bad_join.err, Catch::Contains("expected HOST:PORT"));
  node.stop();
}

TEST_CASE("a worker stopped with SIGTERM gives its jobs back to the queue, no attempt counted") {
  cluster_fixture f{2};
  auto board = std::make_shared<test::output_board>();
  test::background node{f.node_cli({"node", "--json"}), board};
  auto ports = ready(node);
  test::background w1{f.worker_cli("w1", ports.cluster), board};
  REQUIRE(node.wait_for_log("worker w1 joined"));
  f.submit_all(ports.api);
  REQUIRE(test::wait_on(*board, [&] {
    size_t leased = 0;
    for (const auto& l : w1.err_locked())
      if (l.find(": leased (") != std::string::npos)
        ++leased;
    return leased == 2 || w1.over_locked();
  }));
  auto stopped = w1.stop();
  INFO(stopped.err);
  CHECK(stopped.exit_code == 0);
  CHECK_THAT(stopped.err, Catch::Contains("SIGTERM received"));
  CHECK_THAT(stopped.err, Catch::Contains("jobs given back"));
  CHECK_FALSE(test::has_line(w1.err(), "could not give every job back"));
  node.stop();
  for (const auto& j : f.queue()) {
    INFO(j.dump());
    CHECK((j["state"] == "queued" || j["state"] == "done"));
    CHECK(j["attempt"] == 0);
    CHECK(j["rescues"] == 0);
  }
}

TEST_CASE("vfb node refuses to serve workers without the cluster's files") {
  test::temp_dir dir;
  auto ran = run({VFB_BINARY, "--data-dir", (dir / "node").string(), "--set", "api.port=0", "--set",
                  "cluster.listen=0.0.0.0", "node"});
  CHECK(ran.exit_code == 2);
  CHECK_THAT(ran.err,
             Catch::Contains("node.pem is missing") && Catch::Contains("vfb cluster init"));
}
