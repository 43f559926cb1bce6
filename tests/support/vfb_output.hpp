// Reading what `vfb node` and `vfb worker` print, for tests and benchmarks that run them as
// processes (tests/support/background.hpp): the ready line (--json) and the log lines of jobs.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace vfb::test {

/// The {"event":"ready",...} line among `out` (stdout with --json), if it came.
inline std::optional<nlohmann::json> ready_line(const std::vector<std::string>& out) {
  for (const auto& l : out) {
    auto j = nlohmann::json::parse(l, nullptr, false);
    if (j.is_object() && j.value("event", "") == "ready")
      return j;
  }
  return std::nullopt;
}

/// Job ids a log says are done ("job N: done (...)"), with how often each.
inline std::map<uint64_t, int> done_jobs(const std::vector<std::string>& err) {
  static const std::regex done{R"(job (\d+): done \()"};
  std::map<uint64_t, int> out;
  std::smatch m;
  for (const auto& l : err)
    if (std::regex_search(l, m, done))
      ++out[std::stoull(m[1])];
  return out;
}

/// Whether a line contains `text`.
inline bool has_line(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines)
    if (l.find(text) != std::string::npos)
      return true;
  return false;
}

} // namespace vfb::test
