// `vfb discord register-commands`: sends the slash command definitions
// (conf/discord-commands.json) to Discord, replacing the application's global commands.
#include "adapters/discord_webhook.hpp"
#include "apps/cli.hpp"
#include "text/files.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <ostream>

namespace vfb::cli {

int cmd_discord_register(context& ctx) {
  auto app = ctx.inv.required("--application-id");
  if (app.empty() || app.find_first_not_of("0123456789") != std::string::npos)
    throw usage_error("--application-id is the numeric id from Discord's developer portal");
  const char* env_token = std::getenv("VFB_DISCORD_BOT_TOKEN");
  auto token = ctx.inv.value("--bot-token").value_or(env_token != nullptr ? env_token : "");
  if (token.empty())
    throw usage_error("no bot token: pass --bot-token or set $VFB_DISCORD_BOT_TOKEN");
  auto file = ctx.inv.value("--commands").value_or("conf/discord-commands.json");
  auto defined = text::read_file(file);
  if (!defined) {
    auto code = errno;
    throw usage_error("cannot read " + file + " (--commands FILE): " + std::strerror(code));
  }
  auto commands = nlohmann::json::parse(*defined, nullptr, false);
  if (!commands.is_array())
    throw usage_error(file + " is not a JSON array of commands");
  // PUT replaces the whole set: commands removed from the file disappear from Discord too.
  auto url = ctx.config.discord.api_base + "/applications/" + app + "/commands";
  auto res = send_to_discord("PUT", url, commands, std::chrono::seconds{30}, token);
  if (!res.ok) {
    ctx.err << "vfb: " << res.error << '\n';
    return exit_refused;
  }
  if (ctx.json)
    ctx.out << nlohmann::json{{"registered", commands.size()}}.dump() << '\n';
  else
    ctx.out << "registered " << commands.size() << " commands for application " << app << '\n';
  return exit_ok;
}

} // namespace vfb::cli
