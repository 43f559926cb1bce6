// The HTTP API under load: wrk (Debian's package) on loopback against `vfb node` while the node
// works through a queue of real jobs (yt-dlp, ffmpeg, pocketsphinx on media served here). One
// endpoint at a time, 64 keep-alive connections: the open health check, a job list, one job's
// view, a memory search (viewer token), and submissions of new URLs (operator token; every
// request a URL of its own, so every accepted one is a new job).
//
// Bounds (issue 15): no 5xx or socket errors on any endpoint, read p99 <= 50 ms, and every
// accepted submission is in the queue afterwards. Prints one JSON object; exit 1 when a bound
// fails, 2 when the run itself failed.
#include "adapters/process.hpp"
#include "tests/support/background.hpp"
#include "tests/support/media.hpp"
#include "tests/support/media_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/vfb_output.hpp"

#include <fstream>
#include <httplib.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

constexpr double read_p99_bound_ms = 50;
constexpr int connections = 64;

process_result run(std::vector<std::string> argv) {
  process_options o;
  o.argv = std::move(argv);
  return run_process(o);
}

/// "1.72ms", "288.00us", "1.23s" as milliseconds.
double to_ms(const std::string& value) {
  std::smatch m;
  static const std::regex re{R"(([0-9.]+)(us|ms|s|m))"};
  if (!std::regex_match(value, m, re))
    return -1;
  auto x = std::stod(m[1]);
  auto unit = m[2].str();
  return unit == "us" ? x / 1000 : unit == "ms" ? x : unit == "s" ? x * 1000 : x * 60'000;
}

struct wrk_result {
  double requests_per_s = 0;
  double p50_ms = -1;
  double p99_ms = -1;
  uint64_t requests = 0;
  uint64_t non_2xx = 0;
  uint64_t socket_errors = 0;
};

wrk_result parse_wrk(const std::string& out) {
  wrk_result r;
  std::smatch m;
  static const std::regex rps{R"(Requests/sec:\s+([0-9.]+))"};
  static const std::regex p50{R"(\s50%\s+(\S+))"};
  static const std::regex p99{R"(\s99%\s+(\S+))"};
  static const std::regex total{R"((\d+) requests in)"};
  static const std::regex non2xx{R"(Non-2xx or 3xx responses:\s+(\d+))"};
  static const std::regex errors{
      R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))"};
  if (std::regex_search(out, m, rps))
    r.requests_per_s = std::stod(m[1]);
  if (std::regex_search(out, m, p50))
    r.p50_ms = to_ms(m[1]);
  if (std::regex_search(out, m, p99))
    r.p99_ms = to_ms(m[1]);
  if (std::regex_search(out, m, total))
    r.requests = std::stoull(m[1]);
  if (std::regex_search(out, m, non2xx))
    r.non_2xx = std::stoull(m[1]);
  if (std::regex_search(out, m, errors))
    r.socket_errors = std::stoull(m[1]) + std::stoull(m[2]) + std::stoull(m[3]) + std::stoull(m[4]);
  return r;
}

wrk_result load(const std::string& url, int seconds, const std::string& token,
                const fs::path& script = {}) {
  std::vector<std::string> argv{"wrk", "-t2", "-c" + std::to_string(connections),
                                "-d" + std::to_string(seconds) + "s", "--latency"};
  if (!token.empty()) {
    argv.emplace_back("-H");
    argv.push_back("Authorization: Bearer " + token);
  }
  if (!script.empty()) {
    argv.emplace_back("-s");
    argv.push_back(script.string());
  }
  argv.push_back(url);
  auto r = run(argv);
  if (!r.ok())
    throw std::runtime_error("wrk " + r.describe() + ": " + r.err);
  return parse_wrk(r.out);
}

std::string token_for(const fs::path& data, const std::string& role) {
  auto r = run({VFB_BINARY, "--data-dir", data.string(), "token", "create", "--tenant", "acme",
                "--workspace", "main", "--role", role, "--json"});
  if (r.exit_code != 0)
    throw std::runtime_error("token create: " + r.err);
  return nlohmann::json::parse(r.out)["token"].get<std::string>();
}

} // namespace

int main(int argc, char** argv) {
  int seconds = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      seconds = 2;
    } else {
      std::cout << "usage: api_bench [--quick]\n";
      return a == "--help" ? 0 : 2;
    }
  }
  test::temp_dir dir;
  auto served = dir / "served";
  fs::create_directories(served);
  std::cerr << "setting up\n";
  auto video = test::synth_video(served, "talk", "The volcano erupted. The volcano was loud.");
  test::media_server server{served};
  std::vector<std::string> pages;
  for (int i = 1; i <= 8; ++i) {
    auto name = "talk" + std::to_string(i);
    fs::copy_file(video, served / (name + ".mp4"));
    server.add_video_page("/watch/" + name, "Talk " + std::to_string(i),
                          server.url("/media/" + name + ".mp4"));
    pages.push_back(server.url("/watch/" + name));
  }
  auto data = dir / "node";
  auto viewer = token_for(data, "viewer");
  auto op = token_for(data, "operator");
  test::background node{{VFB_BINARY, "--data-dir", data.string(), "--set",
                         "sources.allow_loopback=true", "--set", "api.port=0", "--set",
                         "pipeline.transcribe_slots=1", "node", "--json"}};
  int port = 0;
  if (!node.wait_for([&](const test::background::lines& out, const test::background::lines&) {
        if (auto j = test::ready_line(out))
          port = (*j)["port"].get<int>();
        return port != 0;
      })) {
    std::cerr << "the node did not start\n";
    return 2;
  }
  auto base = "http://127.0.0.1:" + std::to_string(port);
  httplib::Client api{"127.0.0.1", port};
  api.set_bearer_token_auth(op);
  for (const auto& page : pages) // work for the node while the load runs
    api.Post("/v1/submissions", nlohmann::json{{"url", page}}.dump(), "application/json");
  // Submissions: each wrk thread numbers its own URLs, so every request is a new video. (Headers
  // given to wrk.format replace wrk's -H ones: the token goes in the script.)
  auto script = dir / "submit.lua";
  std::ofstream(script)
      << "local threads = 0\n"
         "function setup(thread) threads = threads + 1; thread:set('id', "
         "threads) end\n"
         "function init(args) n = 0 end\n"
         "function request()\n"
         "  n = n + 1\n"
         "  local body = '{\"url\": \"" +
             server.url("/none/") +
             "' .. id .. '-' .. n .. '\"}'\n"
             "  return wrk.format('POST', '/v1/submissions', "
             "{['Content-Type'] = 'application/json', ['Authorization'] = 'Bearer " +
             op +
             "'}, body)\n"
             "end\n";
  struct endpoint {
    std::string name;
    std::string path;
    std::string token;
    bool read;
  };
  std::vector<endpoint> endpoints{{"healthz", "/healthz", "", true},
                                  {"job list", "/v1/jobs?limit=20", viewer, true},
                                  {"job view", "/v1/jobs/1", viewer, true},
                                  {"search", "/v1/memory/search?q=volcano&limit=5", viewer, true}};
  nlohmann::json out{{"bench", "api"},
                     {"connections", connections},
                     {"seconds_per_endpoint", seconds},
                     {"bound_read_p99_ms", read_p99_bound_ms}};
  bool ok = true;
  for (const auto& e : endpoints) {
    std::cerr << e.name << "\n";
    auto r = load(base + e.path, seconds, e.token);
    bool pass = r.non_2xx == 0 && r.socket_errors == 0 && r.p99_ms >= 0 &&
                (!e.read || r.p99_ms <= read_p99_bound_ms);
    ok = ok && pass;
    out["endpoints"].push_back({{"name", e.name},
                                {"requests_per_s", r.requests_per_s},
                                {"p50_ms", r.p50_ms},
                                {"p99_ms", r.p99_ms},
                                {"non_2xx", r.non_2xx},
                                {"socket_errors", r.socket_errors},
                                {"pass", pass}});
  }
  std::cerr << "submissions\n";
  auto before = nlohmann::json::parse(api.Get("/healthz")->body)["jobs"];
  auto s = load(base + "/v1/submissions", seconds, op, script);
  auto after = nlohmann::json::parse(api.Get("/healthz")->body)["jobs"];
  auto count = [](const nlohmann::json& states) {
    uint64_t n = 0;
    for (const auto& [state, k] : states.items())
      n += k.get<uint64_t>();
    return n;
  };
  auto accepted = s.requests - s.non_2xx;
  auto new_jobs = count(after) - count(before);
  bool kept = new_jobs >= accepted; // wrk counts only answers it read in time
  bool pass = s.non_2xx == 0 && s.socket_errors == 0 && kept;
  ok = ok && pass;
  out["endpoints"].push_back({{"name", "submissions"},
                              {"requests_per_s", s.requests_per_s},
                              {"p50_ms", s.p50_ms},
                              {"p99_ms", s.p99_ms},
                              {"non_2xx", s.non_2xx},
                              {"socket_errors", s.socket_errors},
                              {"accepted", accepted},
                              {"new_jobs_in_queue", new_jobs},
                              {"pass", pass}});
  out["ok"] = ok;
  node.stop();
  std::cout << out.dump(2) << std::endl;
  return ok ? 0 : 1;
}
