// `vfb tools update`: yt-dlp's official release, verified, under the data dir.
#include "actors/node.hpp"
#include "adapters/tool_update.hpp"
#include "apps/cli.hpp"

#include <nlohmann/json.hpp>

namespace vfb::cli {

int cmd_tools_update(context& ctx) {
  auto opts = tool_update_options_from(ctx.config, ctx.data_dir);
  if (!ctx.json)
    ctx.out << "fetching " << opts.release_url << "/" << opts.asset << " ..." << std::endl;
  tool_update_result r;
  try {
    r = update_ytdlp(opts);
  } catch (const tool_update_error& e) {
    if (ctx.json)
      ctx.out << nlohmann::json{{"ok", false}, {"error", e.what()}}.dump() << '\n';
    ctx.err << "vfb: tools update: " << e.what() << '\n';
    return exit_refused;
  }
  if (ctx.json) {
    nlohmann::json j{{"ok", true},     {"replaced", r.replaced}, {"version", r.version},
                     {"path", r.path}, {"sha256", r.sha256},     {"previous", nullptr}};
    if (r.previous)
      j["previous"] = *r.previous;
    ctx.out << j.dump() << '\n';
  } else if (r.replaced) {
    ctx.out << "yt-dlp " << r.version << " installed at " << r.path.string() << " (sha256 "
            << r.sha256 << " matches SHA2-256SUMS)"
            << (r.previous ? "; it replaces " + *r.previous : std::string{}) << '\n';
  } else {
    ctx.out << "yt-dlp " << r.version << " at " << r.path.string()
            << " is the current release already\n";
  }
  return exit_ok;
}

} // namespace vfb::cli
