// The `vfb` command line as the commands see it: the parsed invocation, the context every
// command gets, exit codes, and the commands themselves (apps/commands_*.cpp). The parsing
// (CLI11) is in apps/cli.cpp, the table of commands in apps/command_table.cpp.
#pragma once

#include "adapters/config_file.hpp"
#include "adapters/doctor.hpp"

#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vfb {
struct job_view;
} // namespace vfb

namespace vfb::cli {

/// Exit codes: 0 success, 1 the operation was refused (unknown job, wrong state),
/// 2 usage, configuration or data-dir problems.
inline constexpr int exit_ok = 0;
inline constexpr int exit_refused = 1;
inline constexpr int exit_usage = 2;

/// A usage problem; printed as one line, exit code 2.
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A parsed command line.
struct invocation {
  std::vector<std::string> words;                          // command words and positional arguments
  std::map<std::string, std::vector<std::string>> options; // "--tenant" -> values
  bool has(const std::string& opt) const { return options.count(opt) != 0; }
  std::optional<std::string> value(const std::string& opt) const;
  /// The value of a required option; usage_error naming it when missing.
  std::string required(const std::string& opt) const;
};

/// What every command gets.
struct context {
  invocation inv;
  vfb_config config;
  std::filesystem::path data_dir;
  std::ostream& out;
  std::ostream& err;
  bool json = false;
  /// Whether `out` is a terminal (standard output on one): output may use its bold.
  bool terminal = false;
};

/// Runs the command line; returns the process exit code.
int run(int argc, char** argv, std::ostream& out, std::ostream& err);

// Commands (apps/commands_*.cpp).
int cmd_enqueue(context& ctx);
int cmd_queue_stats(context& ctx);
int cmd_queue_ls(context& ctx);
int cmd_queue_retry(context& ctx);
int cmd_queue_cancel(context& ctx);
int cmd_run(context& ctx);
int cmd_node(context& ctx);
int cmd_worker(context& ctx);
int cmd_doctor(context& ctx);
int cmd_tools_update(context& ctx);
int cmd_cluster_init(context& ctx);
int cmd_cluster_issue(context& ctx);
int cmd_cluster_ls(context& ctx);

/// The doctor's checks for this config and data dir, and the node's log of them.
std::vector<check_result> doctor_checks(const vfb_config& cfg, const std::filesystem::path& dir);
void log_checks(const std::vector<check_result>& checks);
int cmd_discord_register(context& ctx);
int cmd_submit(context& ctx);
int cmd_status(context& ctx);
int cmd_show(context& ctx);
int cmd_search(context& ctx);
int cmd_follow_add(context& ctx);
int cmd_follow_ls(context& ctx);
int cmd_follow_rm(context& ctx);
int cmd_follow_pause(context& ctx);
int cmd_follow_resume(context& ctx);
int cmd_settings_auto_follow(context& ctx);
int cmd_token_create(context& ctx);
int cmd_token_ls(context& ctx);
int cmd_token_revoke(context& ctx);

/// Sends log lines to stderr (stdout is the command's output), problems only.
void log_to_stderr();

/// An id (of a job, or `what`) given on the command line; usage_error unless it is a positive
/// number.
uint64_t parse_id(const std::string& text, const char* what = "job");

/// The number given with option `opt`, if given; usage_error unless it is within [lo, hi].
std::optional<int64_t> bounded_option(const invocation& inv, const std::string& opt, int64_t lo,
                                      int64_t hi);

/// Prints what the pipeline produced for a job (download, analysis, transcript); the whole
/// transcript only when `full_transcript`. Used by `show` and at the end of `run`.
int show_results(const context& ctx, const job_view& v, bool full_transcript);

} // namespace vfb::cli
