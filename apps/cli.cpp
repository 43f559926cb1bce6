#include "apps/cli.hpp"

#include <cstdlib>
#include <functional>
#include <iostream>
#include <set>

namespace vfb::cli {

std::optional<std::string> invocation::value(const std::string& opt) const {
  auto it = options.find(opt);
  if (it == options.end() || it->second.empty())
    return std::nullopt;
  return it->second.back();
}

std::string invocation::required(const std::string& opt) const {
  auto v = value(opt);
  if (!v || v->empty())
    throw usage_error("missing " + opt + " (see --help)");
  return *v;
}

namespace {

/// How many positional arguments a command takes.
struct arity {
  arity(size_t exactly) : min{exactly}, max{exactly} {} // NOLINT: a plain count reads best
  arity(size_t at_least, size_t at_most) : min{at_least}, max{at_most} {}
  size_t min;
  size_t max;
};

/// A command: its words, the options it accepts, how many positionals, and its help.
struct command {
  std::vector<std::string> path;
  std::set<std::string> options;
  arity positionals;
  std::string usage;
  std::string help;
  std::function<int(context&)> run;
};

// Options that take a value; every other option is a flag.
const std::set<std::string> valued = {
    "--data-dir",  "--config",  "--set",   "--tenant", "--workspace",
    "--priority",  "--state",   "--limit", "--since",  "--role",
    "--label",     "--api",     "--token", "--job",    "--application-id",
    "--bot-token", "--commands"};
const std::set<std::string> global_options = {"--data-dir", "--config", "--set", "--help",
                                              "--json"};

const std::vector<command>& commands() {
  static const std::vector<command> all = {
      {{"submit"},
       {"--api", "--token", "--force"},
       1,
       "vfb submit URL [--api URL] [--token T] [--force] [--json]",
       "Submits a video to a running node through its HTTP API (docs/API.md). Prints the job\n"
       "id and `new` or `duplicate`.\n"
       "  --api URL      the node's API (default $VFB_API, else http://127.0.0.1:8080)\n"
       "  --token T      an operator token (default $VFB_TOKEN; vfb token create makes one)",
       cmd_submit},
      {{"status"},
       {"--api", "--token", "--job"},
       0,
       "vfb status [--job ID] [--api URL] [--token T] [--json]",
       "Shows a job (or the newest jobs of the token's workspace) as a running node sees it.",
       cmd_status},
      {{"discord", "register-commands"},
       {"--application-id", "--bot-token", "--commands"},
       0,
       "vfb discord register-commands --application-id ID [--bot-token T] [--commands FILE]",
       "Sends the slash commands (conf/discord-commands.json) to Discord for the application,\n"
       "replacing its global commands. The bot token comes from --bot-token or\n"
       "$VFB_DISCORD_BOT_TOKEN; discord.api_base in the config says where Discord is.",
       cmd_discord_register},
      {{"node"},
       {},
       0,
       "vfb node [--json]",
       "Runs the node until SIGINT or SIGTERM: it works through the queue, follows uploaders\n"
       "(auto-follow), and lists every follow again on its period. Logs go to stderr ([log]\n"
       "level and format in the config). On SIGINT/SIGTERM running stages stop and their jobs\n"
       "go back to the queue, to resume from their last finished stage.\n"
       "  --json   print {\"event\":\"ready\"} on stdout once the node runs",
       cmd_node},
      {{"doctor"},
       {},
       0,
       "vfb doctor [--json]",
       "Checks every tool and setting the node depends on and prints one line each: ok, warn\n"
       "or fail, with the fix. yt-dlp (found, version, new enough for YouTube: 2026.07.04 or\n"
       "newer reads its channel pages; its age), the JavaScript runtime YouTube's challenges\n"
       "need (Deno 2.3+, passed to yt-dlp 2025.11.12+), ffmpeg and ffprobe, the speech model,\n"
       "the data dir, Discord (public key, bot token, webhooks, guilds) and the API's address.\n"
       "vfb node logs the same checks when it starts. Exit code 1 when a check fails.\n"
       "  --json   {\"checks\": [{\"check\", \"status\", \"detail\", \"fix\"}], \"ok\": bool}",
       cmd_doctor},
      {{"tools", "update"},
       {},
       0,
       "vfb tools update [--json]",
       "Fetches yt-dlp's official release (tools.release_url: yt-dlp's latest release on\n"
       "GitHub by default; the asset tools.ytdlp_asset), checks it against the release's\n"
       "SHA2-256SUMS, checks that it runs, and installs it as DATA_DIR/tools/bin/yt-dlp in one\n"
       "rename. vfb runs that copy in preference to the one on PATH (unless tools.ytdlp is a\n"
       "path). Nothing is replaced when the download, the checksum or the new program fails.\n"
       "tools.auto_update_hours lets vfb node do this on a period.",
       cmd_tools_update},
      {{"run"},
       {"--tenant", "--workspace", "--force", "--no-wait-follow"},
       1,
       "vfb run URL [--tenant T] [--workspace W] [--force] [--no-wait-follow] [--json]",
       "Processes a video end to end in this process: download, transcript, analysis, memory\n"
       "and (when a webhook is configured for the workspace) a Discord post. Shows each stage\n"
       "as it runs, then the results. Other queued jobs of the data dir are worked on too.\n"
       "Exit code 0 when the job is done or skipped, 1 when it failed (the reason is printed;\n"
       "a transient failure stays queued for a retry), 2 for usage and data-dir problems.\n"
       "  --tenant T      default: local\n"
       "  --workspace W   default: default\n"
       "When auto-follow is on for the workspace (vfb settings auto-follow, or\n"
       "ENABLE_AUTO_FOLLOW_UPLOADER=1) and the video is on YouTube, the uploader's channel is\n"
       "followed and its uploads of the last 12 months are enqueued; run waits for those too.\n"
       "  --force         process again even if this workspace already has the video\n"
       "  --no-wait-follow  do not wait for the jobs auto-follow enqueued (they stay queued)\n"
       "  --json          one JSON object per progress event, then the results",
       cmd_run},
      {{"follow", "add"},
       {"--tenant", "--workspace", "--since", "--limit", "--wait"},
       1,
       "vfb follow add URL --tenant T --workspace W [--since DATE] [--limit N] [--wait] [--json]",
       "Follows a YouTube channel (any channel URL, @handle, /c/ or /user/ name, or UC... id;\n"
       "handles may be in any script, e.g. @café), a YouTube playlist (playlist?list=..., or\n"
       "a watch?v=...&list=... URL: the playlist), a channel's feed\n"
       "(feeds/videos.xml?channel_id=UC...: followed as the channel), or any RSS feed or\n"
       "playlist yt-dlp can list. Lists it now and enqueues its uploads since DATE as backfill\n"
       "jobs; a running node then lists it again every auto_follow.refresh_interval_min and\n"
       "enqueues new uploads. A channel's tabs are auto_follow.tabs (videos and streams;\n"
       "shorts when chosen). A playlist is in its owner's order: each listing takes up to N\n"
       "entries, skipping those older than DATE.\n"
       "  --since DATE   2025-11-29 or 2025-11-29T12:00:00Z (default: auto_follow.window_days "
       "ago)\n"
       "  --limit N      at most N videos (default: auto_follow.max_videos)\n"
       "  --wait         also process the enqueued jobs here, and wait for them",
       cmd_follow_add},
      {{"follow", "ls"},
       {"--tenant", "--workspace"},
       0,
       "vfb follow ls [--tenant T] [--workspace W] [--json]",
       "Lists follows: channel, state, window, jobs enqueued, last and next listing, last error.",
       cmd_follow_ls},
      {{"follow", "rm"},
       {},
       1,
       "vfb follow rm ID [--json]",
       "Stops following (jobs already enqueued stay).",
       cmd_follow_rm},
      {{"follow", "pause"},
       {},
       1,
       "vfb follow pause ID [--json]",
       "Stops refreshing a follow until it is resumed.",
       cmd_follow_pause},
      {{"follow", "resume"},
       {},
       1,
       "vfb follow resume ID [--json]",
       "Refreshes a paused follow again (soon, then on its period).",
       cmd_follow_resume},
      {{"settings", "auto-follow"},
       {"--tenant", "--workspace"},
       {0, 1},
       "vfb settings auto-follow [on|off|inherit] --tenant T --workspace W [--json]",
       "Sets whether the workspace follows the uploader of every video it processes: on, off,\n"
       "or inherit (ENABLE_AUTO_FOLLOW_UPLOADER / auto_follow.enabled decides). Stored in the\n"
       "data dir; a running node sees the change at the next download. Without a value it\n"
       "prints the workspace's setting and whether auto-follow is on for it now.",
       cmd_settings_auto_follow},
      {{"token", "create"},
       {"--tenant", "--workspace", "--role", "--label"},
       0,
       "vfb token create --tenant T --workspace W --role viewer|operator [--label L] [--json]",
       "Creates a bearer token for the HTTP API, bound to one workspace and a role, and prints\n"
       "it. It is shown this once: vfb stores only its hash.\n"
       "  --role R       viewer (read) or operator (also submit, follow, retry, cancel, settings)\n"
       "  --label L      a note for token ls (who or what uses it)",
       cmd_token_create},
      {{"token", "ls"},
       {"--tenant", "--workspace"},
       0,
       "vfb token ls [--tenant T] [--workspace W] [--json]",
       "Lists tokens: id, workspace, role, active or revoked, label. Never the tokens themselves.",
       cmd_token_ls},
      {{"token", "revoke"},
       {},
       1,
       "vfb token revoke ID [--json]",
       "Revokes a token: the API refuses it from its next request on.",
       cmd_token_revoke},
      {{"show"},
       {},
       1,
       "vfb show JOB_ID [--json]",
       "Prints a job's results: title, topics, key phrases, summary and the timed transcript.",
       cmd_show},
      {{"search"},
       {"--tenant", "--workspace", "--limit"},
       1,
       "vfb search QUERY --tenant T --workspace W [--limit N] [--json]",
       "Searches the workspace's memory (every processed transcript) and prints the best\n"
       "matching passages: video, time offset, snippet and score, best first.\n"
       "  --limit N      at most N hits (default 10)",
       cmd_search},
      {{"enqueue"},
       {"--tenant", "--workspace", "--priority", "--force"},
       1,
       "vfb enqueue URL --tenant T --workspace W [--priority P] [--force] [--json]",
       "Adds a video to the queue without processing it. Prints the job id and `new`,\n"
       "`duplicate` (the video is already queued, running or done for this workspace: the\n"
       "existing job is kept) or `requeued` (its earlier job had failed, died, been cancelled\n"
       "or skipped, or --force re-runs a done one).\n"
       "  --priority P   interactive (default), refresh or backfill\n"
       "  --force        run again even if the video was already processed",
       cmd_enqueue},
      {{"queue", "stats"},
       {},
       0,
       "vfb queue stats [--json]",
       "Counts jobs per state, and per tenant/workspace.",
       cmd_queue_stats},
      {{"queue", "ls"},
       {"--state", "--tenant", "--workspace", "--limit"},
       0,
       "vfb queue ls [--state S] [--tenant T] [--workspace W] [--limit N] [--json]",
       "Lists jobs, oldest first.\n"
       "  --state S      one of queued leased retrying done skipped failed dead cancelled\n"
       "                 (repeat or separate with commas for several)\n"
       "  --limit N      at most N jobs (default 100)",
       cmd_queue_ls},
      {{"queue", "retry"},
       {},
       1,
       "vfb queue retry ID [--json]",
       "Puts a failed or dead job back into the queue with its attempts reset.",
       cmd_queue_retry},
      {{"queue", "cancel"},
       {},
       1,
       "vfb queue cancel ID [--json]",
       "Cancels a queued or retrying job.",
       cmd_queue_cancel},
  };
  return all;
}

constexpr const char* global_help =
    R"(vfb - video follow & backfill

Usage: vfb [global options] COMMAND [options]

Commands:
  node             run the node as a service (until SIGINT/SIGTERM)
  doctor           check yt-dlp, the JS runtime, ffmpeg, the speech model, the data dir,
                   Discord and the API address; one line each with the fix
  tools update     install yt-dlp's latest official release under the data dir
  run URL          process a video end to end here, with live progress
  show JOB_ID      a job's transcript, topics, key phrases and summary
  follow add URL   follow a channel or feed: backfill now, new uploads later
  follow ls        list follows (also: follow rm|pause|resume ID)
  settings auto-follow on|off|inherit   a workspace's auto-follow switch
  token create     a bearer token for the HTTP API (also: token ls, token revoke ID)
  search QUERY     search a workspace's memory
  submit URL       submit to a running node through its HTTP API (also: status [--job ID])
  discord register-commands   install the slash commands for a Discord application
  enqueue URL      add a video to the queue
  queue stats      job counts per state and per tenant/workspace
  queue ls         list jobs
  queue retry ID   re-queue a failed or dead job
  queue cancel ID  cancel a queued job

Global options:
  --data-dir DIR        where the queue lives (default: $VFB_DATA_DIR, else storage.data_dir
                        from the config, else ~/.local/share/vfb)
  --config FILE         configuration file (default: $VFB_CONFIG, else ~/.config/vfb/vfb.conf
                        if it exists; conf/vfb.conf documents every key)
  --set SECTION.KEY=V   override one configuration key (repeatable)
  --json                machine-readable output
  --help                this text, or a command's help after the command

Environment flags (override the config): ENABLE_AUTO_FOLLOW_UPLOADER, ENABLE_UPLOADER_BACKFILL,
AUTO_FOLLOW_MAX_VIDEOS.

Exit codes: 0 success, 1 refused (unknown job, wrong state), 2 usage, config or data-dir error.
)";

invocation parse(int argc, char** argv) {
  invocation inv;
  bool positional_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (positional_only || a.size() < 2 || a[0] != '-') {
      inv.words.push_back(a);
      continue;
    }
    if (a == "--") {
      positional_only = true;
      continue;
    }
    if (a == "-h")
      a = "--help";
    std::string value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    if (valued.count(a) != 0) {
      if (!has_value) {
        if (i + 1 >= argc)
          throw usage_error(a + " needs a value");
        value = argv[++i];
      }
      inv.options[a].push_back(value);
    } else {
      if (has_value)
        throw usage_error(a + " takes no value");
      inv.options[a].push_back({});
    }
  }
  return inv;
}

std::filesystem::path home_path(const char* rel) {
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "/") / rel;
}

vfb_config load(const invocation& inv) {
  std::filesystem::path file;
  if (auto c = inv.value("--config"))
    file = *c;
  else if (const char* env = std::getenv("VFB_CONFIG"); env != nullptr && *env != '\0')
    file = env;
  else if (auto def = home_path(".config/vfb/vfb.conf"); std::filesystem::exists(def))
    file = def;
  std::map<std::string, std::string> overrides;
  if (auto it = inv.options.find("--set"); it != inv.options.end())
    for (auto& kv : it->second) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        throw usage_error("--set needs SECTION.KEY=VALUE, got '" + kv + "'");
      overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  return load_config(file, overrides, process_environment());
}

std::filesystem::path data_dir(const invocation& inv, const vfb_config& cfg) {
  if (auto d = inv.value("--data-dir"))
    return *d;
  if (const char* env = std::getenv("VFB_DATA_DIR"); env != nullptr && *env != '\0')
    return env;
  if (!cfg.storage.data_dir.empty())
    return cfg.storage.data_dir;
  return home_path(".local/share/vfb");
}

/// The commands under a group word ("follow", "queue"), for `vfb GROUP --help`.
std::vector<const command*> group_commands(const std::string& group) {
  std::vector<const command*> out;
  for (auto& c : commands())
    if (c.path.size() > 1 && c.path.front() == group)
      out.push_back(&c);
  return out;
}

/// `vfb GROUP --help`: each subcommand's usage and the first line of its help.
void print_group_help(std::ostream& out, const std::string& group,
                      const std::vector<const command*>& members) {
  out << "Usage: vfb " << group << " SUBCOMMAND [options]\n\nSubcommands:\n";
  for (auto* c : members)
    out << "  " << c->usage << "\n      " << c->help.substr(0, c->help.find('\n')) << "\n";
  out << "\nvfb " << group << " SUBCOMMAND --help explains one of them; vfb --help lists the "
      << "global options.\n";
}

const command* find_command(const invocation& inv) {
  const command* best = nullptr;
  for (auto& c : commands()) {
    if (inv.words.size() < c.path.size())
      continue;
    if (std::equal(c.path.begin(), c.path.end(), inv.words.begin()))
      if (best == nullptr || c.path.size() > best->path.size())
        best = &c;
  }
  return best;
}

} // namespace

int run(int argc, char** argv, std::ostream& out, std::ostream& err) {
  try {
    auto inv = parse(argc, argv);
    if (inv.words.empty()) {
      (inv.has("--help") ? out : err) << global_help;
      return inv.has("--help") ? exit_ok : exit_usage;
    }
    if (inv.words[0] == "help") {
      out << global_help;
      return exit_ok;
    }
    auto* cmd = find_command(inv);
    if (cmd == nullptr) {
      std::string what = inv.words[0];
      auto members = group_commands(what);
      if (!members.empty() && inv.words.size() == 1) {
        print_group_help(inv.has("--help") ? out : err, what, members);
        return inv.has("--help") ? exit_ok : exit_usage;
      }
      if (!members.empty())
        what += " " + inv.words[1];
      throw usage_error("unknown command '" + what + "' (see vfb " +
                        (members.empty() ? std::string{} : inv.words[0] + " ") + "--help)");
    }
    if (inv.has("--help")) {
      out << "Usage: " << cmd->usage << "\n\n" << cmd->help << "\n";
      return exit_ok;
    }
    for (auto& [opt, values] : inv.options)
      if (cmd->options.count(opt) == 0 && global_options.count(opt) == 0)
        throw usage_error("unknown option " + opt + " (usage: " + cmd->usage + ")");
    auto positionals = inv.words.size() - cmd->path.size();
    auto [least, most] = cmd->positionals;
    if (positionals < least || positionals > most)
      throw usage_error("expected " +
                        (least == most ? std::to_string(least)
                                       : std::to_string(least) + " to " + std::to_string(most)) +
                        " argument" + (most == 1 ? "" : "s") + " (usage: " + cmd->usage + ")");
    inv.words.erase(inv.words.begin(), inv.words.begin() + cmd->path.size());
    auto cfg = load(inv);
    auto dir = data_dir(inv, cfg);
    context ctx{inv, cfg, dir, out, err, inv.has("--json")};
    return cmd->run(ctx);
  } catch (const usage_error& e) {
    err << "vfb: " << e.what() << "\n";
    return exit_usage;
  } catch (const config_error& e) {
    err << "vfb: config: " << e.what() << "\n";
    return exit_usage;
  } catch (const std::exception& e) {
    err << "vfb: " << e.what() << "\n";
    return exit_usage;
  }
}

} // namespace vfb::cli
