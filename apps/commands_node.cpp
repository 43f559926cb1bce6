// `vfb node`: the whole node as a service: scheduler, pipeline, auto-follow and the follow
// refresher over the data dir, until SIGINT or SIGTERM. Then it stops gracefully: running
// stages stop, their jobs go back to the queue (no attempt counted), and the queue is
// checkpointed. Logs go to stderr as text or JSON lines ([log] in the config).
#include "actors/cluster_tls.hpp"
#include "actors/stages.hpp"
#include "apps/cli.hpp"
#include "apps/embedded_node.hpp"
#include "apps/service.hpp"
#include "frontends/http_api.hpp"
#include "storage/token_store.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace vfb::cli {

int cmd_node(context& ctx) {
  configure_logging(ctx.config, "vfb-node");
  auto stop_signals = block_stop_signals();
  // The doctor's checks, in the log: an old yt-dlp or a missing runtime shows before jobs fail.
  log_checks(doctor_checks(ctx.config, ctx.data_dir));
  embedded_node_options opts;
  opts.watch = false;
  opts.refresh_follows = true;
  opts.work = ctx.config.pipeline.enabled;
  const auto& cluster = ctx.config.cluster;
  if (!cluster.listen.empty())
    opts.cluster = cluster_identity_from(ctx.config, ctx.data_dir, cluster_role::node);
  int sig = 0;
  {
    embedded_node node{ctx, opts};
    uint16_t cluster_port = 0;
    if (opts.cluster) {
      auto published = publish_gateway_tls(node.handles().gateway, cluster.listen,
                                           static_cast<uint16_t>(cluster.port));
      if (!published)
        throw cluster_error("cannot serve workers on " + cluster.listen + ":" +
                            std::to_string(cluster.port) + ": " +
                            caf::to_string(published.error()));
      cluster_port = *published;
      spdlog::info("node: workers join on {}:{} (mutual TLS, CA {})", cluster.listen, cluster_port,
                   opts.cluster->ca.string());
    }
    auto tokens =
        std::make_shared<token_store>(tokens_options_for(ctx.config, ctx.data_dir, false));
    auto api_options = api_options_from(ctx.config, ctx.data_dir);
    api_options.media = node.stage_env()->media;
    http_api api{node.system(),      node.handles(),           std::move(api_options),   tokens,
                 node.follows_ptr(), node.stage_env()->memory, node.stage_env()->discord};
    auto port = api.start();
    spdlog::info("node: HTTP API on {}:{} (docs/API.md)", ctx.config.api.listen, port);
    spdlog::info("node: running on {} (auto-follow {}, backfill {}); SIGINT or SIGTERM stops it",
                 ctx.data_dir.string(), ctx.config.auto_follow.enabled ? "on" : "off",
                 ctx.config.auto_follow.backfill ? "on" : "off");
    if (ctx.json)
      ctx.out << nlohmann::json{{"event", "ready"},
                                {"data_dir", ctx.data_dir.string()},
                                {"port", port},
                                {"cluster_port", cluster_port},
                                {"pid", ::getpid()}}
                     .dump()
              << std::endl;
    sigwait(&stop_signals, &sig);
    if (opts.cluster)
      unpublish_gateway_tls(node.system(), node.handles().gateway, cluster_port);
    spdlog::info("node: {} received, stopping (running stages stop, their jobs go back to "
                 "the queue)",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT");
    api.stop(); // no new requests while the node drains
  }             // the node drains and the data dir is released here
  spdlog::info("node: stopped");
  return exit_ok;
}

} // namespace vfb::cli
