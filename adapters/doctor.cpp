#include "adapters/doctor.hpp"

#include "adapters/process.hpp"
#include "adapters/speaker_adaptation.hpp"
#include "messages/time.hpp"
#include "text/strings.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vfb {

namespace fs = std::filesystem;

namespace {

/// yt-dlp older than this many days is likely behind YouTube (yt-dlp releases every few weeks).
constexpr int stale_ytdlp_days = 90;
constexpr uintmax_t low_disk_bytes = uintmax_t{2} << 30;

const std::string update_fix = "run `vfb tools update` (fetches yt-dlp's official release into "
                               "DATA_DIR/tools/bin; tools.auto_update_hours does it on a period)";
const std::string deno_fix = "run scripts/setup (installs Deno from npm into BUILD/tools/bin), or "
                             "put Deno 2.3 or newer on PATH, or set tools.js_runtime";

check_result ok(std::string name, std::string detail) {
  return {std::move(name), check_status::ok, std::move(detail), {}};
}
check_result warn(std::string name, std::string detail, std::string fix) {
  return {std::move(name), check_status::warn, std::move(detail), std::move(fix)};
}
check_result fail(std::string name, std::string detail, std::string fix) {
  return {std::move(name), check_status::fail, std::move(detail), std::move(fix)};
}

/// The first line `program ARG` prints, or "" when it does not run.
std::string first_line_of(const std::string& program, const std::string& arg) {
  process_options po;
  po.argv = {program, arg};
  po.timeout = std::chrono::seconds{30};
  auto run = run_process(po);
  if (!run.ok())
    return {};
  return std::string{text::trim(run.out.substr(0, run.out.find('\n')))};
}

int days_between(const ytdlp_version& v, std::chrono::system_clock::time_point now) {
  auto released = std::chrono::system_clock::time_point{
      std::chrono::milliseconds{utc_midnight(v.year, v.month, v.day)}};
  return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(now - released).count() /
                          24);
}

check_result check_ytdlp(const ytdlp_setup& s, std::chrono::system_clock::time_point now) {
  const std::string name = "yt-dlp";
  if (s.origin == "not found")
    return fail(name, "not found (tools.ytdlp = " + s.program + ")",
                update_fix + ", or install it");
  auto where = s.origin + ": " + s.program;
  if (!s.version)
    return fail(name, s.version_problem + " (" + where + ")",
                "check that `" + s.program + " --version` runs, or " + update_fix);
  auto detail = s.version->text + " (" + where + ")";
  if (*s.version < ytdlp_release::youtube_channel_pages)
    return warn(name,
                detail + " is older than " + ytdlp_release::youtube_channel_pages.text +
                    ": YouTube channel listings come back empty and YouTube's current pages may "
                    "not download",
                update_fix);
  if (auto age = days_between(*s.version, now); age > stale_ytdlp_days)
    return warn(name,
                detail + " was released " + std::to_string(age) +
                    " days ago; YouTube changes often and yt-dlp follows every few weeks",
                update_fix);
  return ok(name, detail);
}

check_result check_js_runtime(const ytdlp_setup& s) {
  const std::string name = "javascript runtime";
  bool knows_option = s.version && *s.version >= ytdlp_release::js_runtimes;
  std::string runtime;
  if (!s.js_runtime.empty()) {
    runtime = s.js_runtime;
    if (s.js_version)
      runtime += " (deno " + std::to_string(s.js_version->major) + "." +
                 std::to_string(s.js_version->minor) + "." + std::to_string(s.js_version->patch) +
                 ")";
  }
  if (!s.js_runtime.empty() && s.js_runtime.rfind("deno:", 0) == 0 &&
      (!s.js_version || *s.js_version < min_deno))
    return warn(name,
                s.js_runtime +
                    (s.js_version ? " is older than Deno 2.3" : " does not run as Deno") +
                    ": yt-dlp ignores it",
                deno_fix);
  if (knows_option) {
    if (runtime.empty())
      return warn(name,
                  "none found: YouTube's challenges go unsolved and its downloads fail with "
                  "\"Requested format is not available\"",
                  deno_fix);
    return ok(name, runtime + ", passed to yt-dlp with --js-runtimes");
  }
  if (runtime.empty())
    return warn(name,
                "none found; yt-dlp " + ytdlp_release::js_runtimes.text +
                    " and newer need one for YouTube",
                deno_fix);
  return ok(name, runtime + "; passed once yt-dlp is " + ytdlp_release::js_runtimes.text +
                      " or newer (this one predates --js-runtimes)");
}

std::vector<check_result> check_ffmpeg(const vfb_config& cfg) {
  std::vector<check_result> out;
  auto ffmpeg = find_program(cfg.tools.ffmpeg);
  auto line = ffmpeg ? first_line_of(ffmpeg->string(), "-version") : std::string{};
  if (line.empty())
    out.push_back(fail("ffmpeg",
                       (ffmpeg ? "does not run: " + ffmpeg->string()
                               : "not found (tools.ffmpeg = " + cfg.tools.ffmpeg + ")"),
                       "apt-get install ffmpeg (scripts/setup does), or set tools.ffmpeg"));
  else
    out.push_back(
        ok("ffmpeg", line.substr(0, line.find(" Copyright")) + " (" + ffmpeg->string() + ")"));
  auto probe_name = ffmpeg && ffmpeg->has_parent_path()
                        ? (ffmpeg->parent_path() / "ffprobe").string()
                        : std::string{"ffprobe"};
  if (auto probe = find_program(probe_name))
    out.push_back(ok("ffprobe", probe->string()));
  else
    out.push_back(warn("ffprobe", "not found next to ffmpeg (" + probe_name + ")",
                       "install the ffmpeg package whole: without ffprobe, media without a "
                       "duration in its metadata shows 0:00"));
  return out;
}

check_result check_speech(const vfb_config& cfg) {
  const std::string name = "speech recognition";
  if (!cfg.speech.external_command.empty()) {
    auto program = cfg.speech.external_command.substr(0, cfg.speech.external_command.find(' '));
    if (auto p = find_program(program))
      return ok(name, "external command " + p->string());
    return fail(name, "speech.external_command's program not found: " + program,
                "install it or clear speech.external_command to use pocketsphinx");
  }
  std::error_code ec;
  fs::path dir{cfg.speech.model_dir}; // the layout adapters/speech loads
  if (fs::exists(dir / "en-us" / "mdef", ec) && fs::exists(dir / "en-us.lm.bin", ec) &&
      fs::exists(dir / "cmudict-en-us.dict", ec))
    return ok(name, "pocketsphinx, model " + cfg.speech.model_dir);
  return fail(name, "no pocketsphinx model at " + cfg.speech.model_dir,
              "apt-get install pocketsphinx-en-us (scripts/setup does), or set speech.model_dir");
}

/// Speaker adaptation needs sphinxtrain's bw and mllr_solve, sphinx_fe and
/// pocketsphinx_mdef_convert (the transcribe stage otherwise warns once and decodes without it).
std::optional<check_result> check_adaptation(const vfb_config& cfg) {
  const std::string name = "speaker adaptation";
  if (!cfg.speech.external_command.empty())
    return std::nullopt; // only pocketsphinx adapts
  if (!cfg.speech.adaptation)
    return ok(name, "off ([speech] adaptation = false)");
  adaptation_options o;
  o.model_dir = cfg.speech.model_dir;
  if (auto missing = adaptation_unavailable(o))
    return warn(
        name, "unavailable: " + *missing,
        "apt-get install sphinxtrain sphinxbase-utils pocketsphinx (scripts/setup does), or set "
        "[speech] adaptation = false");
  return ok(name, "per uploader (sphinxtrain's bw and mllr_solve, sphinx_fe found)");
}

check_result check_data_dir(const fs::path& dir) {
  const std::string name = "data dir";
  std::error_code ec;
  auto existing = dir;
  while (!existing.empty() && !fs::exists(existing, ec))
    existing = existing.parent_path();
  if (existing.empty())
    existing = ".";
  if (!fs::is_directory(existing, ec))
    return fail(name, existing.string() + " is not a directory", "choose another --data-dir");
  if (::access(existing.c_str(), W_OK) != 0)
    return fail(name, existing.string() + " is not writable: " + std::strerror(errno),
                "give this user write access, or choose another --data-dir");
  auto space = fs::space(existing, ec);
  auto what = existing == dir ? dir.string() : dir.string() + " (created on first use)";
  if (!ec && space.available < low_disk_bytes)
    return warn(name, what + ": only " + std::to_string(space.available >> 20) + " MiB free",
                "free space: downloads and the queue need room, and a full disk stops the queue");
  return ok(name, what + (ec ? std::string{}
                             : ", " + std::to_string(space.available >> 30) + " GiB free"));
}

std::vector<check_result> check_discord(const vfb_config& cfg) {
  std::vector<check_result> out;
  const auto& d = cfg.discord;
  out.push_back(ok("discord interactions", d.public_key.empty()
                                               ? "off (discord.public_key is not set)"
                                               : "on: POST /discord/interactions, public key set"));
  const char* env_token = std::getenv("VFB_DISCORD_BOT_TOKEN");
  bool bot = !d.bot_token.empty() || (env_token != nullptr && *env_token != '\0');
  for (const auto& [guild, workspace] : d.guilds) {
    auto slash = workspace.find('/');
    auto hook = webhook_for(cfg, workspace.substr(0, slash), workspace.substr(slash + 1));
    if (!bot && !hook)
      out.push_back(warn("discord guild " + guild,
                         "maps to " + workspace +
                             ", which has no webhook, and no bot token is "
                             "set: /analyze results cannot be delivered",
                         "set discord.bot_token (or $VFB_DISCORD_BOT_TOKEN), or a webhook for " +
                             workspace + " in [webhooks]"));
  }
  if (!d.public_key.empty())
    out.push_back(
        ok("discord bot token", bot ? "set: /analyze results go to the asking channel"
                                    : "not set: /analyze results go to the workspace's webhook"));
  out.push_back(ok("discord webhooks", std::to_string(d.webhooks.size()) + " configured"));
  return out;
}

check_result check_api(const vfb_config& cfg) {
  const std::string name = "http api";
  auto where = cfg.api.listen + ":" + std::to_string(cfg.api.port);
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_INET;
  if (inet_pton(AF_INET, cfg.api.listen.c_str(),
                &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr) == 1) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(cfg.api.port));
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, cfg.api.listen.c_str(),
                       &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr) == 1) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(cfg.api.port));
    family = AF_INET6;
    len = sizeof(sockaddr_in6);
  } else {
    return fail(name, "api.listen = " + cfg.api.listen + " is not an IP address",
                "set api.listen to an address such as 127.0.0.1");
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err == EADDRINUSE)
    return warn(name, where + " is in use (a running node, or another program)",
                "stop the other program, or set api.port");
  if (rc != 0)
    return fail(name, "cannot listen on " + where + ": " + std::strerror(err),
                "set api.listen and api.port to an address this machine has");
  bool loopback = cfg.api.listen.rfind("127.", 0) == 0 || cfg.api.listen == "::1";
  if (!loopback)
    return warn(name, "listens on " + where + ", beyond this machine",
                "serve it behind a TLS proxy: bearer tokens travel in clear otherwise");
  return ok(name, "can listen on " + where);
}

} // namespace

std::string_view to_string(check_status s) {
  switch (s) {
  case check_status::ok:
    return "ok";
  case check_status::warn:
    return "warn";
  case check_status::fail:
    return "fail";
  }
  return "?";
}

std::vector<check_result> run_checks(const vfb_config& cfg, const fs::path& data_dir,
                                     const ytdlp_tools& ytdlp,
                                     std::chrono::system_clock::time_point now) {
  std::vector<check_result> out;
  auto s = locate_ytdlp(ytdlp);
  out.push_back(check_ytdlp(s, now));
  out.push_back(check_js_runtime(s));
  for (auto& c : check_ffmpeg(cfg))
    out.push_back(std::move(c));
  out.push_back(check_speech(cfg));
  if (auto a = check_adaptation(cfg))
    out.push_back(*a);
  out.push_back(check_data_dir(data_dir));
  for (auto& c : check_discord(cfg))
    out.push_back(std::move(c));
  out.push_back(check_api(cfg));
  return out;
}

bool any_failed(const std::vector<check_result>& checks) {
  return std::any_of(checks.begin(), checks.end(),
                     [](const check_result& c) { return c.status == check_status::fail; });
}

} // namespace vfb
