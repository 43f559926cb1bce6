// docs/API.md's own examples: every curl command in it runs, as written, against a real
// `vfb node`, and must succeed. Only the ids are put in (a job that failed for the retry, a
// waiting job for the cancel, the follow the example created for the delete). yt-dlp is a
// script that answers at once without the network: "gone" videos are missing (the job fails),
// every other video has a network error (the job waits an hour to retry), so nothing leaves
// this machine.
#include "adapters/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <sys/stat.h>
#include <thread>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

/// The curl commands of the ```sh blocks in `markdown`, continuation lines joined.
std::vector<std::string> curl_commands(const std::string& markdown) {
  std::vector<std::string> out;
  std::istringstream in{markdown};
  bool in_sh = false;
  std::string pending;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) {
      in_sh = !in_sh && line == "```sh";
      continue;
    }
    if (!in_sh)
      continue;
    if (!line.empty() && line.back() == '\\') {
      pending += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    line = pending + line;
    pending.clear();
    auto start = line.find_first_not_of(' ');
    if (start != std::string::npos && line.compare(start, 5, "curl ") == 0)
      out.push_back(line.substr(start));
  }
  return out;
}

/// Splits a command line into words as sh does for these examples: '...' literal, "..." and bare
/// words with $VAR expanded from `vars`, an unquoted # starting a word begins a comment.
std::vector<std::string> words(const std::string& line,
                               const std::map<std::string, std::string>& vars) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  auto expand = [&](size_t& i) {
    size_t end = i + 1;
    while (end < line.size() &&
           (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_'))
      ++end;
    auto name = line.substr(i + 1, end - i - 1);
    INFO(line);
    REQUIRE(vars.count(name) == 1);
    word += vars.at(name);
    i = end - 1;
  };
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      if (in_word)
        out.push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      break;
    } else if (c == '\'') {
      auto end = line.find('\'', i + 1);
      REQUIRE(end != std::string::npos);
      word += line.substr(i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i)
        if (line[i] == '$')
          expand(i);
        else
          word += line[i];
      in_word = true;
    } else if (c == '$') {
      expand(i);
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word)
    out.push_back(word);
  return out;
}

process_result run(std::vector<std::string> argv) {
  process_options o;
  o.argv = std::move(argv);
  return run_process(o);
}

} // namespace

TEST_CASE("every curl example in docs/API.md succeeds against vfb node") {
  std::ifstream doc(VFB_SOURCE_DIR "/docs/API.md");
  REQUIRE(doc);
  std::stringstream text;
  text << doc.rdbuf();
  auto commands = curl_commands(text.str());
  REQUIRE(commands.size() >= 14);

  test::temp_dir dir;
  auto ytdlp = dir / "yt-dlp";
  std::ofstream(ytdlp)
      << "#!/bin/sh\n"
      << "case \"$*\" in *gone*) echo 'ERROR: [youtube] gonegonegon: Unable to download webpage: "
         "HTTP Error 404: Not Found' >&2; exit 1;; esac\n"
      << "echo 'ERROR: [youtube] x: Unable to download webpage: <urlopen error [Errno -3] "
         "Temporary failure in name resolution>' >&2\nexit 1\n";
  ::chmod(ytdlp.c_str(), 0755);
  auto vfb = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{VFB_BINARY,
                                  "--data-dir",
                                  (dir / "data").string(),
                                  "--set",
                                  "api.port=0",
                                  "--set",
                                  "tools.ytdlp=" + ytdlp.string(),
                                  "--set",
                                  "queue.backoff_base_ms=3600000",
                                  "--set",
                                  "queue.backoff_cap_ms=3600000"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  };
  auto created = run(vfb({"token", "create", "--tenant", "acme", "--workspace", "main", "--role",
                          "operator", "--json"}));
  REQUIRE(created.exit_code == 0);
  auto token = nlohmann::json::parse(created.out)["token"].get<std::string>();

  std::atomic<bool> stop{false};
  std::vector<std::string> failures;
  size_t ran = 0;
  std::set<std::string> substituted;
  process_options node;
  node.argv = vfb({"node", "--json"});
  node.cancel = &stop;
  node.grace = std::chrono::seconds{60};
  node.on_stdout_line = [&](std::string_view line) {
    auto ready = nlohmann::json::parse(line, nullptr, false);
    if (!ready.is_object() || ready.value("event", "") != "ready")
      return;
    // From the node's output thread: the node serves while the examples run.
    auto port = ready["port"].get<int>();
    auto api = "http://127.0.0.1:" + std::to_string(port);
    httplib::Client client{"127.0.0.1", port};
    httplib::Headers auth{{"Authorization", "Bearer " + token}};
    auto submit = [&](const std::string& video) {
      auto res =
          client.Post("/v1/submissions", auth,
                      nlohmann::json{{"url", "https://www.youtube.com/watch?v=" + video}}.dump(),
                      "application/json");
      REQUIRE(res);
      REQUIRE(res->status == 202);
      return nlohmann::json::parse(res->body)["job_id"].get<uint64_t>();
    };
    // Waits for the node to bring a job to `state` (each takes one run of the script).
    auto reach = [&](uint64_t id, const std::string& state) {
      for (int i = 0; i < 600; ++i) {
        auto res = client.Get(("/v1/jobs/" + std::to_string(id)).c_str(), auth);
        if (res && nlohmann::json::parse(res->body).value("state", "") == state)
          return;
        std::this_thread::sleep_for(std::chrono::milliseconds{100}); // polling the node's state
      }
      FAIL("job " << id << " never became " << state);
    };
    auto failed = std::to_string(submit("gonegonegon"));
    auto waiting = std::to_string(submit("heldheldhel"));
    reach(std::stoull(failed), "failed");
    reach(std::stoull(waiting), "retrying");
    std::string follow_id = "1";
    for (const auto& command : commands) {
      auto line = command;
      // The examples' ids, replaced by ids the operation succeeds on.
      for (auto [pattern, id] : {std::pair{std::string{"/v1/jobs/7/retry"}, failed},
                                 std::pair{std::string{"/v1/jobs/8/cancel"}, waiting},
                                 std::pair{std::string{"/v1/jobs/7 "}, failed},
                                 std::pair{std::string{"/v1/follows/1 "}, follow_id}}) {
        auto at = line.find(pattern);
        if (at == std::string::npos)
          continue;
        auto digits = line.find_first_of("0123456789", at + 4);
        auto end = line.find_first_not_of("0123456789", digits);
        line.replace(digits, end - digits, id);
        substituted.insert(pattern);
      }
      auto argv = words(line, {{"API", api}, {"TOKEN", token}});
      auto body = dir / "body";
      argv.insert(argv.end(), {"-sS", "-o", body.string(), "-w", "%{http_code}"});
      auto r = run(argv);
      ++ran;
      std::ifstream answer(body);
      std::stringstream got;
      got << answer.rdbuf();
      if (r.exit_code != 0 || r.out.empty() || r.out[0] != '2')
        failures.push_back(line + " -> " + r.out + " " + r.err + " " + got.str());
      auto j = nlohmann::json::parse(got.str(), nullptr, false);
      if (line.find("-X POST $API/v1/follows") != std::string::npos && j.is_object() &&
          j.contains("follow"))
        follow_id = std::to_string(j["follow"]["id"].get<uint64_t>());
    }
    stop = true;
  };
  auto result = run_process(node);
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(ran == commands.size());
  for (const auto& f : failures)
    FAIL_CHECK(f);
  // Each id rule matched an example: a changed example must change this test too.
  CHECK(substituted.size() == 4);
}
