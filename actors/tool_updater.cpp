#include "actors/tool_updater.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace vfb {

namespace {

/// One update, logged; the log line is the answer.
std::string update_now(const tool_update_options& opts) {
  std::string line;
  try {
    auto r = update_ytdlp(opts);
    line = r.replaced ? "yt-dlp " + r.version + " installed at " + r.path.string() + " (was " +
                            r.previous.value_or("none") + ")"
                      : "yt-dlp " + r.version + " is the current release";
    spdlog::info("tools: {}", line);
  } catch (const std::exception& e) {
    line = std::string{"updating yt-dlp failed: "} + e.what();
    spdlog::warn("tools: {}", line);
  }
  return line;
}

} // namespace

tool_updater_actor::behavior_type tool_updater(tool_updater_actor::pointer self,
                                               tool_updater_options opts) {
  self->send(self, tick_atom::value);
  return {
      [=](tick_atom) {
        update_now(opts.update);
        self->delayed_send(self, opts.period, tick_atom::value);
      },
      [=](update_tools_atom) { return update_now(opts.update); },
  };
}

} // namespace vfb
