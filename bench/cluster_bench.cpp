// Cluster scaling: the same kind of job run by a node alone, then by a coordinating node with 1,
// 2 and 4 `vfb worker` processes, all on this machine. Each job's time is dominated by waiting,
// as a real job's is by the network and by speech recognition on a machine of its own: the
// transcriber is an external command that sleeps (speech.external_command), so that N workers
// on two cores can still run N transcriptions at once. Downloads are real (yt-dlp from a
// loopback media server), as are ffmpeg and the node's memory stage.
//
// Throughput = jobs / (wall time from the first submission to the last job's end). Scaling
// efficiency = throughput(N) / (N x throughput(1)), both from the same run. Bound: >= 0.8 at 4
// workers (issue 14).
//
// Also reported: the cluster's own cost per job (messages the workers' node links sent and
// received, and bytes both ways through a counting TCP relay between the workers and the node,
// TLS included), and the latency of a lease and its completion in process against over mutual
// TLS on loopback (the round trips alone, no stage work).
//
// Prints one JSON object; exit 1 when the bound fails, 2 when a run failed.
#include "actors/cluster_gateway.hpp"
#include "actors/cluster_tls.hpp"
#include "actors/scheduler.hpp"
#include "adapters/process.hpp"
#include "messages/errors.hpp"
#include "messages/register.hpp"
#include "storage/job_queue.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/background.hpp"
#include "tests/support/inline_scheduler.hpp"
#include "tests/support/media.hpp"
#include "tests/support/media_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/vfb_output.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/scoped_actor.hpp>
#include <chrono>
#include <fstream>
#include <httplib.h>
#include <iostream>
#include <map>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace vfb;
namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

namespace {

constexpr double efficiency_bound = 0.8;

process_result run(std::vector<std::string> argv) {
  process_options o;
  o.argv = std::move(argv);
  return run_process(o);
}

/// Relays TCP connections from a local port to `target_port`, counting the bytes both ways.
class counting_relay {
public:
  explicit counting_relay(int target_port) : target_{target_port} {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener_, 16) != 0)
      throw std::runtime_error("relay: cannot listen");
    socklen_t len = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread{[this] { accept_loop(); }};
  }
  ~counting_relay() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    for (auto& t : pumps_)
      t.join();
  }
  int port() const { return port_; }
  uint64_t bytes() const { return bytes_.load(); }

private:
  void accept_loop() {
    for (;;) {
      int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0)
        return;
      int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<uint16_t>(target_));
      if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(client);
        ::close(server);
        continue;
      }
      pumps_.emplace_back([this, client, server] { pump(client, server); });
      pumps_.emplace_back([this, client, server] { pump(server, client); });
    }
  }
  void pump(int from, int to) {
    char buf[65536];
    for (;;) {
      auto n = ::read(from, buf, sizeof buf);
      if (n <= 0)
        break;
      bytes_ += static_cast<uint64_t>(n);
      for (ssize_t off = 0; off < n;) {
        auto w = ::write(to, buf + off, static_cast<size_t>(n - off));
        if (w <= 0)
          break;
        off += w;
      }
    }
    ::shutdown(to, SHUT_WR);
    ::shutdown(from, SHUT_RD);
  }

  int target_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<uint64_t> bytes_{0};
  std::thread acceptor_;
  std::vector<std::thread> pumps_;
};

struct bench_setup {
  test::temp_dir dir;
  fs::path served = dir / "served";
  std::unique_ptr<test::media_server> server;
  fs::path transcriber = dir / "slow-transcriber";
  std::vector<std::string> pages;

  bench_setup(size_t videos, double transcribe_s) {
    fs::create_directories(served);
    auto video = test::synth_video(served, "talk", "The volcano erupted. The volcano was loud.");
    server = std::make_unique<test::media_server>(served);
    for (size_t i = 1; i <= videos; ++i) {
      auto name = "talk" + std::to_string(i);
      fs::copy_file(video, served / (name + ".mp4"));
      server->add_video_page("/watch/" + name, "Talk " + std::to_string(i),
                             server->url("/media/" + name + ".mp4"));
      pages.push_back(server->url("/watch/" + name));
    }
    // A transcriber that waits as a remote speech service would, then answers in whisper.cpp's
    // line format.
    std::ofstream(transcriber) << "#!/bin/sh\nsleep " << transcribe_s
                               << "\necho '[00:00:00.000 --> 00:00:02.000] the volcano "
                                  "erupted and the volcano was loud'\n";
    ::chmod(transcriber.c_str(), 0755);
  }

  /// The settings node and workers share: one slot per stage, the slow transcriber.
  std::vector<std::string> common(const fs::path& data) const {
    return {VFB_BINARY,
            "--data-dir",
            data.string(),
            "--set",
            "sources.allow_loopback=true",
            "--set",
            "pipeline.download_slots=1",
            "--set",
            "pipeline.transcribe_slots=1",
            "--set",
            "pipeline.analyze_slots=1",
            "--set",
            "speech.external_command=" + transcriber.string() + " {wav}",
            "--set",
            "rate_limits.downloads_per_minute=0"};
  }
};

/// A process's CPU time so far (user + system), from /proc/PID/stat.
double cpu_seconds(int pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')'); // the command name may hold spaces
  if (close == std::string::npos)
    return 0;
  std::istringstream fields{stat.substr(close + 2)};
  std::string f;
  double ticks = 0;
  for (int i = 3; fields >> f; ++i) // field 3 is the state; 14 utime, 15 stime
    if (i == 14 || i == 15)
      ticks += std::stod(f);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

struct run_result {
  size_t workers = 0;
  size_t jobs = 0;
  double seconds = 0;
  double throughput = 0;
  uint64_t messages = 0; // sent + received by the workers' links
  uint64_t bytes = 0;    // both ways through the relay
  double node_cpu_s = 0; // the node process's CPU time (user + system) over the whole run
  bool ok = false;
  std::string problem;
};

/// One run: `workers` == 0 is the node working alone.
run_result run_cluster(const bench_setup& s, size_t workers, size_t jobs, int round) {
  run_result r;
  r.workers = workers;
  r.jobs = jobs;
  auto node_data = s.dir / ("node-" + std::to_string(round));
  auto node_argv = s.common(node_data);
  if (workers > 0) {
    if (run({VFB_BINARY, "--data-dir", node_data.string(), "cluster", "init"}).exit_code != 0) {
      r.problem = "cluster init failed";
      return r;
    }
    for (auto extra : {"cluster.listen=127.0.0.1", "cluster.port=0", "pipeline.enabled=false"}) {
      node_argv.emplace_back("--set");
      node_argv.emplace_back(extra);
    }
  }
  auto token_run = run({VFB_BINARY, "--data-dir", node_data.string(), "token", "create", "--tenant",
                        "bench", "--workspace", "main", "--role", "operator", "--json"});
  if (token_run.exit_code != 0) {
    r.problem = "token create failed: " + token_run.err;
    return r;
  }
  auto token = nlohmann::json::parse(token_run.out)["token"].get<std::string>();
  for (auto extra : {"api.port=0"}) {
    node_argv.emplace_back("--set");
    node_argv.emplace_back(extra);
  }
  node_argv.emplace_back("node");
  node_argv.emplace_back("--json");
  auto board = std::make_shared<test::output_board>();
  test::background node{node_argv, board};
  int api_port = 0, cluster_port = 0, node_pid = 0;
  if (!node.wait_for([&](const test::background::lines& out, const test::background::lines&) {
        auto j = test::ready_line(out);
        if (j) {
          api_port = (*j)["port"].get<int>();
          cluster_port = (*j)["cluster_port"].get<int>();
          node_pid = (*j)["pid"].get<int>();
        }
        return j.has_value();
      })) {
    r.problem = "the node did not start";
    return r;
  }
  std::unique_ptr<counting_relay> relay;
  std::vector<std::unique_ptr<test::background>> ws;
  if (workers > 0) {
    relay = std::make_unique<counting_relay>(cluster_port);
    for (size_t i = 1; i <= workers; ++i) {
      auto name = "w" + std::to_string(i);
      auto wdata = s.dir / (name + "-" + std::to_string(round));
      run({VFB_BINARY, "--data-dir", node_data.string(), "cluster", "issue", name, "--out",
           (wdata / "cluster").string()});
      auto argv = s.common(wdata);
      for (auto word : {std::string{"worker"}, std::string{"--join"},
                        "127.0.0.1:" + std::to_string(relay->port())})
        argv.push_back(word);
      ws.push_back(std::make_unique<test::background>(argv, board));
    }
    for (size_t i = 1; i <= workers; ++i)
      if (!node.wait_for_log("worker w" + std::to_string(i) + " joined")) {
        r.problem = "a worker did not join";
        return r;
      }
  }
  // The clock runs from the first submission to the last job's end.
  httplib::Client api{"127.0.0.1", api_port};
  api.set_bearer_token_auth(token);
  auto t0 = steady::now();
  for (size_t i = 0; i < jobs; ++i) {
    auto res = api.Post("/v1/submissions", nlohmann::json{{"url", s.pages.at(i)}}.dump(),
                        "application/json");
    if (!res || res->status != 202) {
      r.problem = "a submission failed";
      return r;
    }
  }
  auto all_done = [&] {
    std::set<uint64_t> done;
    for (const auto& [id, n] : test::done_jobs(node.err_locked()))
      done.insert(id);
    for (const auto& w : ws)
      for (const auto& [id, n] : test::done_jobs(w->err_locked()))
        done.insert(id);
    return done.size() >= jobs;
  };
  if (!test::wait_on(*board, all_done, std::chrono::minutes{10})) {
    r.problem = "not every job ended done";
    return r;
  }
  r.seconds = std::chrono::duration<double>(steady::now() - t0).count();
  r.throughput = static_cast<double>(jobs) / r.seconds;
  static const std::regex counted{R"(\((\d+) messages to the node, (\d+) from it\))"};
  for (auto& w : ws) {
    auto ended = w->stop();
    std::smatch m;
    if (std::regex_search(ended.err, m, counted))
      r.messages += std::stoull(m[1]) + std::stoull(m[2]);
  }
  r.node_cpu_s = cpu_seconds(node_pid);
  node.stop();
  if (relay)
    r.bytes = relay->bytes();
  r.ok = true;
  return r;
}

struct latency {
  double median_ms = 0;
  double p90_ms = 0;
};

latency summarize(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return {xs[xs.size() / 2], xs[xs.size() * 9 / 10]};
}

/// Enqueues `n` jobs on the node (its own front ends do), then leases and completes them one
/// after the other through `dest`; the time of each lease + completion.
template <class Source>
std::vector<double> lease_round_trips(caf::actor_system& node_sys, const scheduler_actor& sched,
                                      caf::actor_system& sys, const Source& dest, size_t n,
                                      size_t first_video) {
  {
    caf::scoped_actor on_node{node_sys};
    for (size_t i = 0; i < n; ++i) {
      ingest_job j;
      auto video = "lat" + std::to_string(100000 + first_video + i) + "xx"; // 11 characters
      j.key = {"bench", "main", "youtube", video};
      j.url = "https://www.youtube.com/watch?v=" + video;
      j.priority = priority_class::interactive;
      on_node->request(sched, std::chrono::seconds{30}, enqueue_atom::value, j, false)
          .receive(
              [](const enqueue_result& r) {
                if (r.status != enqueue_status::created)
                  throw std::runtime_error("latency: the job was not created: " + r.error);
              },
              [](const caf::error& e) {
                throw std::runtime_error("latency: enqueue failed: " + error_message(e));
              });
    }
  }
  caf::scoped_actor self{sys};
  std::vector<double> out;
  for (size_t i = 0; i < n; ++i) {
    auto t = steady::now();
    std::vector<lease> ls;
    self->request(dest, std::chrono::seconds{30}, lease_atom::value, std::string{"bench"},
                  uint32_t{1}, millis{60'000})
        .receive([&](std::vector<lease>& x) { ls = std::move(x); },
                 [](const caf::error& e) {
                   throw std::runtime_error("latency: lease failed: " + error_message(e));
                 });
    if (ls.empty())
      throw std::runtime_error("latency: nothing to lease");
    self->request(dest, std::chrono::seconds{30}, complete_atom::value, ls[0].job_id, ls[0].epoch,
                  job_outcome::done())
        .receive([](job_state) {}, [](const caf::error&) {});
    out.push_back(std::chrono::duration<double, std::milli>(steady::now() - t).count());
  }
  return out;
}

/// Lease-to-completion latency in process and over mutual TLS on loopback.
std::pair<latency, latency> measure_latency(size_t n) {
  test::temp_dir dir;
  cluster_files files{dir / "cluster"};
  auto node_id = init_cluster(files, "node");
  auto worker_id = issue_worker(files, "w1");
  std::pair<latency, latency> out;
  {
    test::threaded_system node{
        [&](caf::actor_system_config& cfg) { configure_cluster_tls(cfg, node_id); }};
    fs::create_directories(dir / "queue");
    auto sched = caf::actor_cast<scheduler_actor>(
        spawn_scheduler(*node.sys, test::open_queue(dir / "queue")));
    auto gateway =
        node.sys->spawn(cluster_gateway, sched, cluster_host_actor{}, cluster_host_actor{});
    auto port = publish_gateway_tls(gateway, "127.0.0.1", 0);
    if (!port)
      throw std::runtime_error("latency: cannot publish");
    out.first = summarize(lease_round_trips(*node.sys, sched, *node.sys, sched, n, 0));
    {
      test::threaded_system worker{
          [&](caf::actor_system_config& cfg) { configure_cluster_tls(cfg, worker_id); }};
      auto remote = connect_gateway_tls(*worker.sys, "127.0.0.1", *port);
      if (!remote)
        throw std::runtime_error("latency: cannot connect");
      out.second = summarize(lease_round_trips(*node.sys, sched, *worker.sys, *remote, n, n));
    }
    caf::scoped_actor self{*node.sys};
    for (const auto& a :
         {caf::actor_cast<caf::actor>(gateway), caf::actor_cast<caf::actor>(sched)}) {
      self->send_exit(a, caf::exit_reason::user_shutdown);
      self->wait_for(a);
    }
  }
  return out;
}

nlohmann::json to_json(const run_result& r) {
  nlohmann::json j{{"workers", r.workers},
                   {"jobs", r.jobs},
                   {"seconds", r.seconds},
                   {"jobs_per_s", r.throughput}};
  if (r.workers > 0) {
    j["messages_per_job"] = static_cast<double>(r.messages) / static_cast<double>(r.jobs);
    j["bytes_per_job"] = static_cast<double>(r.bytes) / static_cast<double>(r.jobs);
    // What coordinating costs the node: its CPU per job (it also runs the memory stage).
    j["node_cpu_ms_per_job"] = 1000 * r.node_cpu_s / static_cast<double>(r.jobs);
  }
  if (!r.ok)
    j["problem"] = r.problem;
  return j;
}

} // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string{argv[1]} == "--latency") { // the last part alone
    auto [local, remote] = measure_latency(50);
    std::cout << local.median_ms << " " << remote.median_ms << "\n";
    return 0;
  }
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else {
      std::cout << "usage: cluster_bench [--quick]\n";
      return a == "--help" ? 0 : 2;
    }
  }
  // Jobs per worker: as many as one worker holds at once with one slot per stage (5 stages plus
  // a waiting transcription), so every worker gets an equal share however the leases race.
  size_t per_worker = 6;
  double transcribe_s = quick ? 3 : 6;
  std::vector<size_t> counts{1, 2, 4};
  std::cerr << "setting up (" << per_worker * 4 << " videos)\n";
  bench_setup s{per_worker * counts.back(), transcribe_s};
  nlohmann::json out{{"bench", "cluster"},
                     {"transcribe_seconds", transcribe_s},
                     {"slots_per_machine", "1 per stage"}};
  int round = 0;
  std::cerr << "node alone\n";
  auto alone = run_cluster(s, 0, per_worker, round++);
  out["node_alone"] = to_json(alone);
  std::map<size_t, run_result> by_workers;
  bool failed = !alone.ok;
  for (auto n : counts) {
    std::cerr << n << " workers\n";
    auto r = run_cluster(s, n, per_worker * n, round++);
    failed = failed || !r.ok;
    by_workers[n] = r;
    out["runs"].push_back(to_json(r));
  }
  auto one = by_workers[1].throughput;
  for (auto& run : out["runs"]) {
    auto n = run["workers"].get<double>();
    run["scaling_efficiency"] = one > 0 ? run["jobs_per_s"].get<double>() / (n * one) : 0.0;
  }
  auto eff4 = out["runs"].back()["scaling_efficiency"].get<double>();
  std::cerr << "latency\n";
  auto [local, remote] = measure_latency(quick ? 50 : 200);
  out["lease_to_completion_ms"] = {
      {"in_process", {{"median", local.median_ms}, {"p90", local.p90_ms}}},
      {"loopback_tls", {{"median", remote.median_ms}, {"p90", remote.p90_ms}}}};
  out["bound"] = {{"scaling_efficiency_at_4_workers", efficiency_bound}, {"value", eff4}};
  out["ok"] = !failed && eff4 >= efficiency_bound;
  std::cout << out.dump(2) << std::endl;
  if (failed)
    return 2;
  return eff4 >= efficiency_bound ? 0 : 1;
}
