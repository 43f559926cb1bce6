// Runs a program with an argument vector (never a shell) and captures what it prints.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace vfb::test {

struct process_result {
  int exit_code = -1; // the exit status, or 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

/// Runs `argv[0]` with `argv`, feeding `input` on stdin; `env` entries are added to (or, with
/// an empty value, removed from) the current environment. Waits for the program to exit.
process_result run_process(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env = {},
                           const std::string& input = {});

} // namespace vfb::test
