// `vfb discord register-commands`: sends the slash command definitions
// (conf/discord-commands.json) to Discord, replacing the application's global commands.
#include "apps/cli.hpp"

#include <cstdlib>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

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
  std::ifstream in(file);
  if (!in)
    throw usage_error("cannot read " + file + " (--commands FILE)");
  std::stringstream text;
  text << in.rdbuf();
  auto commands = nlohmann::json::parse(text.str(), nullptr, false);
  if (!commands.is_array())
    throw usage_error(file + " is not a JSON array of commands");
  const auto& base = ctx.config.discord.api_base; // scheme://host[/path]
  auto host_end = base.find('/', base.find("://") + 3);
  httplib::Client client{base.substr(0, host_end)};
  client.set_connection_timeout(std::chrono::seconds{10});
  client.set_read_timeout(std::chrono::seconds{30});
  auto path = (host_end == std::string::npos ? std::string{} : base.substr(host_end)) +
              "/applications/" + app + "/commands";
  // PUT replaces the whole set: commands removed from the file disappear from Discord too.
  auto res = client.Put(path, httplib::Headers{{"Authorization", "Bot " + token}}, commands.dump(),
                        "application/json");
  if (!res) {
    ctx.err << "vfb: no answer from " << base << " (" << httplib::to_string(res.error()) << ")\n";
    return exit_refused;
  }
  if (res->status < 200 || res->status >= 300) {
    auto j = nlohmann::json::parse(res->body, nullptr, false);
    ctx.err << "vfb: Discord answered " << res->status << ": "
            << (j.is_object() ? j.value("message", res->body) : res->body) << '\n';
    return exit_refused;
  }
  if (ctx.json)
    ctx.out << nlohmann::json{{"registered", commands.size()}}.dump() << '\n';
  else
    ctx.out << "registered " << commands.size() << " commands for application " << app << '\n';
  return exit_ok;
}

} // namespace vfb::cli
