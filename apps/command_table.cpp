// The table of `vfb` commands (apps/command_table.hpp): usage lines, help texts, and the
// options and positionals each command declares.
#include "apps/command_table.hpp"

namespace vfb::cli {

namespace {

option_spec flag(std::string name, std::string help) {
  return {std::move(name), {}, std::move(help)};
}

option_spec valued(std::string name, std::string value_name, std::string help) {
  return {std::move(name), std::move(value_name), std::move(help)};
}

// Options several commands share.
const option_spec tenant_filter = valued("--tenant", "T", "only this tenant");
const option_spec workspace_filter = valued("--workspace", "W", "only this workspace");
const option_spec tenant = valued("--tenant", "T", "the tenant (required)");
const option_spec workspace = valued("--workspace", "W", "the workspace (required)");
const option_spec api =
    valued("--api", "URL", "the node's API (default $VFB_API, else http://127.0.0.1:8080)");
const option_spec token = valued("--token", "T",
                                 "an operator token (default $VFB_TOKEN; vfb token create "
                                 "makes one)");

positional_spec id_of(const std::string& what) {
  return {"ID", "the " + what + "'s id (vfb " + what + " ls shows it)"};
}

} // namespace

const std::vector<option_spec>& global_options() {
  static const std::vector<option_spec> all = {
      valued("--data-dir", "DIR", "where the queue lives"),
      valued("--config", "FILE", "configuration file"),
      valued("--set", "SECTION.KEY=V", "override one configuration key (repeatable)"),
      flag("--json", "machine-readable output"),
  };
  return all;
}

const std::vector<command>& commands() {
  static const std::vector<command> all = {
      {{"submit"},
       {api, token, flag("--force", "process again even if the workspace already has the video")},
       {{"URL", "the video's URL"}},
       1,
       "vfb submit URL [--api URL] [--token T] [--force] [--json]",
       "Submits a video to a running node through its HTTP API (docs/API.md). Prints the job\n"
       "id and `new` or `duplicate`.",
       cmd_submit},
      {{"status"},
       {api, token, valued("--job", "ID", "this job (default: the newest jobs)")},
       {},
       0,
       "vfb status [--job ID] [--api URL] [--token T] [--json]",
       "Shows a job (or the newest jobs of the token's workspace) as a running node sees it.",
       cmd_status},
      {{"discord", "register-commands"},
       {valued("--application-id", "ID", "the application's numeric id (developer portal)"),
        valued("--bot-token", "T", "the bot's token (default $VFB_DISCORD_BOT_TOKEN)"),
        valued("--commands", "FILE", "the commands (default conf/discord-commands.json)")},
       {},
       0,
       "vfb discord register-commands --application-id ID [--bot-token T] [--commands FILE]",
       "Sends the slash commands (conf/discord-commands.json) to Discord for the application,\n"
       "replacing its global commands. The bot token comes from --bot-token or\n"
       "$VFB_DISCORD_BOT_TOKEN; discord.api_base in the config says where Discord is.",
       cmd_discord_register},
      {{"node"},
       {},
       {},
       0,
       "vfb node [--json]",
       "Runs the node until SIGINT or SIGTERM: it works through the queue, follows uploaders\n"
       "(auto-follow), and lists every follow again on its period. Logs go to stderr ([log]\n"
       "level and format in the config). On SIGINT/SIGTERM running stages stop and their jobs\n"
       "go back to the queue, to resume from their last finished stage.\n"
       "  --json   print {\"event\":\"ready\"} on stdout once the node runs",
       cmd_node},
      {{"worker"},
       {valued("--join", "HOST:PORT", "the node's cluster address (default: [cluster] join)"),
        valued("--name", "NAME", "the worker's name (default: its certificate's name)")},
       {},
       0,
       "vfb worker [--join HOST:PORT] [--name NAME] [--json]",
       "Joins a node's cluster and works through its queue until SIGINT or SIGTERM: download,\n"
       "transcribe and analyze run here (slots as in [pipeline], cache in this data dir); the\n"
       "node stores memory and posts. Mutual TLS with the files `vfb cluster issue NAME` wrote,\n"
       "copied to DATA_DIR/cluster (worker.pem, worker.key, ca.pem; or [cluster] cert/key/ca).\n"
       "It reconnects when the node goes away; on SIGINT/SIGTERM its jobs go back to the queue.\n"
       "docs/CLUSTER.md explains the setup.\n"
       "  --json   print {\"event\":\"ready\"} on stdout once it runs",
       cmd_worker},
      {{"doctor"},
       {},
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
      {{"cluster", "init"},
       {valued("--name", "NAME", "the node's name in its certificate (default: node)")},
       {},
       0,
       "vfb cluster init [--name NAME] [--json]",
       "Makes the cluster's certificate authority and the node's key and certificate in\n"
       "DATA_DIR/cluster (ca.pem, ca.key, node.pem, node.key; keys readable by the owner only).\n"
       "Workers and node authenticate each other with certificates this CA signs (mutual TLS).\n"
       "A cluster made before is kept: nothing is replaced.",
       cmd_cluster_init},
      {{"cluster", "issue"},
       {valued("--out", "DIR", "where the files go (default: DATA_DIR/cluster/workers/NAME)")},
       {{"NAME", "the worker's name (letters, digits, '.', '_', '-')"}},
       1,
       "vfb cluster issue NAME [--out DIR] [--json]",
       "Writes a worker's key and certificate, signed by the cluster CA, with a copy of the\n"
       "CA's certificate: worker.key, worker.pem and ca.pem in one folder to copy to the\n"
       "worker. Files already there are not replaced.",
       cmd_cluster_issue},
      {{"cluster", "ls"},
       {api, token},
       {},
       0,
       "vfb cluster ls [--api URL] [--token T] [--json]",
       "Lists the workers of a running node (GET /v1/cluster; an operator's token): name,\n"
       "connected or gone, address, connected since, last heartbeat, jobs in flight and done.",
       cmd_cluster_ls},
      {{"tools", "update"},
       {},
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
       {valued("--tenant", "T", "default: local"), valued("--workspace", "W", "default: default"),
        flag("--force", "process again even if this workspace already has the video"),
        flag("--no-wait-follow", "do not wait for the jobs auto-follow enqueued (they stay "
                                 "queued)")},
       {{"URL", "the video's URL"}},
       1,
       "vfb run URL [--tenant T] [--workspace W] [--force] [--no-wait-follow] [--json]",
       "Processes a video end to end in this process: download, transcript, analysis, memory\n"
       "and (when a webhook is configured for the workspace) a Discord post. Shows each stage\n"
       "as it runs, then the results. Other queued jobs of the data dir are worked on too.\n"
       "Exit code 0 when the job is done or skipped, 1 when it failed (the reason is printed;\n"
       "a transient failure stays queued for a retry), 2 for usage and data-dir problems.\n"
       "When auto-follow is on for the workspace (vfb settings auto-follow, or\n"
       "ENABLE_AUTO_FOLLOW_UPLOADER=1) and the video is on YouTube, the uploader's channel is\n"
       "followed and its uploads of the last 12 months are enqueued; run waits for those too.\n"
       "  --json          one JSON object per progress event, then the results",
       cmd_run},
      {{"follow", "add"},
       {tenant, workspace,
        valued("--since", "DATE",
               "2025-11-29 or 2025-11-29T12:00:00Z (default: auto_follow.window_days ago)"),
        valued("--limit", "N", "at most N videos (default: auto_follow.max_videos)"),
        flag("--wait", "also process the enqueued jobs here, and wait for them")},
       {{"URL", "a channel, playlist or feed"}},
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
       "entries, skipping those older than DATE.",
       cmd_follow_add},
      {{"follow", "ls"},
       {tenant_filter, workspace_filter},
       {},
       0,
       "vfb follow ls [--tenant T] [--workspace W] [--json]",
       "Lists follows: channel, state, window, jobs enqueued, last and next listing, last error.",
       cmd_follow_ls},
      {{"follow", "rm"},
       {},
       {id_of("follow")},
       1,
       "vfb follow rm ID [--json]",
       "Stops following (jobs already enqueued stay).",
       cmd_follow_rm},
      {{"follow", "pause"},
       {},
       {id_of("follow")},
       1,
       "vfb follow pause ID [--json]",
       "Stops refreshing a follow until it is resumed.",
       cmd_follow_pause},
      {{"follow", "resume"},
       {},
       {id_of("follow")},
       1,
       "vfb follow resume ID [--json]",
       "Refreshes a paused follow again (soon, then on its period).",
       cmd_follow_resume},
      {{"settings", "auto-follow"},
       {tenant, workspace},
       {{"SETTING", "on, off or inherit (none: show the setting)"}},
       0,
       "vfb settings auto-follow [on|off|inherit] --tenant T --workspace W [--json]",
       "Sets whether the workspace follows the uploader of every video it processes: on, off,\n"
       "or inherit (ENABLE_AUTO_FOLLOW_UPLOADER / auto_follow.enabled decides). Stored in the\n"
       "data dir; a running node sees the change at the next download. Without a value it\n"
       "prints the workspace's setting and whether auto-follow is on for it now.",
       cmd_settings_auto_follow},
      {{"token", "create"},
       {tenant, workspace,
        valued("--role", "R",
               "viewer (read) or operator (also submit, follow, retry, cancel, settings)"),
        valued("--label", "L", "a note for token ls (who or what uses it)")},
       {},
       0,
       "vfb token create --tenant T --workspace W --role viewer|operator [--label L] [--json]",
       "Creates a bearer token for the HTTP API, bound to one workspace and a role, and prints\n"
       "it. It is shown this once: vfb stores only its hash.",
       cmd_token_create},
      {{"token", "ls"},
       {tenant_filter, workspace_filter},
       {},
       0,
       "vfb token ls [--tenant T] [--workspace W] [--json]",
       "Lists tokens: id, workspace, role, active or revoked, label. Never the tokens themselves.",
       cmd_token_ls},
      {{"token", "revoke"},
       {},
       {id_of("token")},
       1,
       "vfb token revoke ID [--json]",
       "Revokes a token: the API refuses it from its next request on.",
       cmd_token_revoke},
      {{"show"},
       {valued("--format", "FORMAT", "only the transcript, as srt, vtt, txt or json")},
       {{"JOB_ID", "the job's id (vfb queue ls shows it)"}},
       1,
       "vfb show JOB_ID [--json] [--format srt|vtt|txt|json]",
       "Prints a job's results: title, topics, key phrases, summary and the timed transcript.\n"
       "--format prints only the transcript, as SubRip, WebVTT, plain text or JSON (e.g.\n"
       "`vfb show 7 --format srt > talk.srt`).",
       cmd_show},
      {{"search"},
       {tenant, workspace, valued("--limit", "N", "at most N hits (default 10)"),
        valued("--follow", "ID", "only videos of this follow's channel (vfb follow ls)"),
        valued("--channel", "C", "only videos of this channel (URL, @handle or UC… id)"),
        valued("--from", "DAY", "only videos uploaded on or after DAY (YYYY-MM-DD)"),
        valued("--to", "DAY", "only videos uploaded on or before DAY (YYYY-MM-DD)"),
        valued("--job", "ID", "only the video of this job")},
       {{"QUERY", "words to search for; \"words in quotes\" must appear together"}},
       1,
       "vfb search QUERY --tenant T --workspace W [--limit N] [--follow ID] [--channel C]\n"
       "                 [--from DAY] [--to DAY] [--job ID] [--json]",
       "Searches the workspace's memory (every processed transcript) and prints the best\n"
       "matching passages: video, time offset, snippet (the matched words marked) and score,\n"
       "best first. Words match in any form (\"volcanoes\" finds \"volcano\"); a phrase in\n"
       "quotes must appear word for word. Example:\n"
       "  vfb search '\"black rock\" lava' --tenant acme --workspace main --from 2026-01-01",
       cmd_search},
      {{"enqueue"},
       {tenant, workspace, valued("--priority", "P", "interactive (default), refresh or backfill"),
        flag("--force", "run again even if the video was already processed")},
       {{"URL", "the video's URL"}},
       1,
       "vfb enqueue URL --tenant T --workspace W [--priority P] [--force] [--json]",
       "Adds a video to the queue without processing it. Prints the job id and `new`,\n"
       "`duplicate` (the video is already queued, running or done for this workspace: the\n"
       "existing job is kept) or `requeued` (its earlier job had failed, died, been cancelled\n"
       "or skipped, or --force re-runs a done one).",
       cmd_enqueue},
      {{"queue", "stats"},
       {},
       {},
       0,
       "vfb queue stats [--json]",
       "Counts jobs per state, and per tenant/workspace.",
       cmd_queue_stats},
      {{"queue", "ls"},
       {valued("--state", "S", "only jobs in these states: repeat, or separate with commas"),
        tenant_filter, workspace_filter, valued("--limit", "N", "at most N jobs (default 100)")},
       {},
       0,
       "vfb queue ls [--state S] [--tenant T] [--workspace W] [--limit N] [--json]",
       "Lists jobs, oldest first. States: queued leased retrying done skipped failed dead\n"
       "cancelled.",
       cmd_queue_ls},
      {{"queue", "retry"},
       {},
       {{"ID", "the job's id (vfb queue ls shows it)"}},
       1,
       "vfb queue retry ID [--json]",
       "Puts a failed or dead job back into the queue with its attempts reset.",
       cmd_queue_retry},
      {{"queue", "cancel"},
       {},
       {{"ID", "the job's id (vfb queue ls shows it)"}},
       1,
       "vfb queue cancel ID [--json]",
       "Cancels a queued or retrying job.",
       cmd_queue_cancel},
  };
  return all;
}

const char* const global_help =
    R"(vfb - video follow & backfill

Usage: vfb [global options] COMMAND [options]

Commands:
  node             run the node as a service (until SIGINT/SIGTERM)
  worker           join a node's cluster and work through its queue (docs/CLUSTER.md)
  doctor           check yt-dlp, the JS runtime, ffmpeg, the speech model, the data dir,
                   Discord and the API address; one line each with the fix
  tools update     install yt-dlp's latest official release under the data dir
  cluster init     make the cluster's CA and the node's certificate (also: cluster issue NAME,
                   cluster ls: a running node's workers)
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

Global options (before or after the command):
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

} // namespace vfb::cli
