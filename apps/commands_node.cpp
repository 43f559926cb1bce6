// `vfb node`: the whole node as a service: scheduler, pipeline, auto-follow and the follow
// refresher over the data dir, until SIGINT or SIGTERM. Then it stops gracefully: running
// stages stop, their jobs go back to the queue (no attempt counted), and the queue is
// checkpointed. Logs go to stderr as text or JSON lines ([log] in the config).
#include "actors/stages.hpp"
#include "apps/cli.hpp"
#include "apps/embedded_node.hpp"
#include "frontends/http_api.hpp"
#include "storage/token_store.hpp"

#include <csignal>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace vfb::cli {

namespace {

/// `%*` in a pattern: the message as the inside of a JSON string (quotes, backslashes and
/// control characters escaped), so JSON log lines stay valid whatever a message holds.
class json_message_flag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    auto quoted = nlohmann::json(std::string{msg.payload.data(), msg.payload.size()})
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(quoted.data() + 1, quoted.data() + quoted.size() - 1); // without the quotes
  }
  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<json_message_flag>();
  }
};

void configure_logging(const vfb_config& cfg) {
  auto logger = spdlog::stderr_color_mt("vfb-node");
  logger->set_level(spdlog::level::from_str(cfg.log.level));
  if (cfg.log.format == "json") {
    // One object per line (journald, log shippers).
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<json_message_flag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%*"})");
    logger->set_formatter(std::move(f));
  } else
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
  spdlog::set_default_logger(logger);
}

} // namespace

int cmd_node(context& ctx) {
  configure_logging(ctx.config);
  // SIGINT and SIGTERM are taken by this thread alone (sigwait below): every thread the node
  // starts inherits the blocked mask, and child processes get a clean one from the runner.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // The doctor's checks, in the log: an old yt-dlp or a missing runtime shows before jobs fail.
  log_checks(doctor_checks(ctx.config, ctx.data_dir));
  embedded_node_options opts;
  opts.watch = false;
  opts.refresh_follows = true;
  int sig = 0;
  {
    embedded_node node{ctx, opts};
    auto tokens =
        std::make_shared<token_store>(tokens_options_for(ctx.config, ctx.data_dir, false));
    http_api api{node.system(),
                 node.handles(),
                 api_options_from(ctx.config, ctx.data_dir),
                 tokens,
                 node.follows_ptr(),
                 node.stage_env()->memory,
                 node.stage_env()->discord};
    auto port = api.start();
    spdlog::info("node: HTTP API on {}:{} (docs/API.md)", ctx.config.api.listen, port);
    spdlog::info("node: running on {} (auto-follow {}, backfill {}); SIGINT or SIGTERM stops it",
                 ctx.data_dir.string(), ctx.config.auto_follow.enabled ? "on" : "off",
                 ctx.config.auto_follow.backfill ? "on" : "off");
    if (ctx.json)
      ctx.out << R"({"event":"ready","data_dir":")" << ctx.data_dir.string() << R"(","port":)"
              << port << "}" << std::endl;
    sigwait(&stop_signals, &sig);
    spdlog::info("node: {} received, stopping (running stages stop, their jobs go back to "
                 "the queue)",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT");
    api.stop(); // no new requests while the node drains
  }             // the node drains and the data dir is released here
  spdlog::info("node: stopped");
  return exit_ok;
}

} // namespace vfb::cli
