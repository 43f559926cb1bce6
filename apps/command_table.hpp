// What `vfb` offers: every command with its words, its options and positional arguments (as
// declared to CLI11, which parses them and lists them in the command's --help), its usage
// line, its help text and the function that runs it. apps/cli.cpp turns this table into the
// parser; adding a command means adding a row here and its cmd_* function.
#pragma once

#include "apps/cli.hpp"

#include <functional>
#include <string>
#include <vector>

namespace vfb::cli {

/// An option of a command: "--tenant" with a value named "T", or a flag (no value name).
struct option_spec {
  std::string name;
  std::string value_name; // empty: a flag
  std::string help;
};

/// A positional argument: its name in the help ("URL") and what it is.
struct positional_spec {
  std::string name;
  std::string help;
};

/// A command: its words, options, positionals (the first `required_positionals` must be
/// given), usage line, help text, and what runs it.
struct command {
  std::vector<std::string> path;
  std::vector<option_spec> options;
  std::vector<positional_spec> positionals;
  size_t required_positionals;
  std::string usage;
  std::string help;
  std::function<int(context&)> run;
};

/// Every command, in the order `vfb GROUP --help` lists them.
const std::vector<command>& commands();

/// The options every command takes (--data-dir, --config, --set, --json).
const std::vector<option_spec>& global_options();

/// `vfb --help`.
extern const char* const global_help;

} // namespace vfb::cli
