// `vfb worker`: a machine that joins a node's cluster and works through the node's queue. It
// leases jobs through its node link (actors/node_link.hpp), runs download, transcribe and
// analyze with its own tools, slots ([pipeline]) and artifact cache, and has the node store
// memory and post (actors/worker_stages.hpp). It reconnects with backoff and jitter when the
// node goes away, and on SIGINT/SIGTERM gives its held jobs back to the queue.
#include "actors/cluster_tls.hpp"
#include "actors/config_options.hpp"
#include "actors/node.hpp"
#include "actors/node_link.hpp"
#include "actors/pipeline.hpp"
#include "actors/stages.hpp"
#include "actors/worker_stages.hpp"
#include "adapters/host_port.hpp"
#include "apps/cli.hpp"
#include "apps/service.hpp"
#include "messages/errors.hpp"
#include "messages/register.hpp"
#include "storage/data_dir_lock.hpp"

#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <spdlog/spdlog.h>
#include <thread>
#include <unistd.h>

namespace vfb::cli {

namespace {

/// Where this worker runs, as the node shows it.
std::string own_address() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0)
    host[0] = '\0';
  return std::string{host[0] != '\0' ? host : "unknown host"} + " (pid " +
         std::to_string(::getpid()) + ")";
}

/// Waits before the next attempt to reach the node: exponential from 0.5 s to 30 s, each wait
/// drawn between half and all of it, so workers that lost the same node do not all come back
/// at the same moment.
class backoff {
public:
  std::chrono::milliseconds next() {
    std::uniform_int_distribution<int64_t> draw{current_ / 2, current_};
    auto wait = std::chrono::milliseconds{draw(rng_)};
    current_ = std::min<int64_t>(current_ * 2, 30'000);
    return wait;
  }
  void reset() { current_ = 500; }

private:
  int64_t current_ = 500;
  std::mt19937_64 rng_{std::random_device{}()};
};

} // namespace

int cmd_worker(context& ctx) {
  auto join = ctx.inv.value("--join").value_or(ctx.config.cluster.join);
  if (join.empty())
    throw usage_error("vfb worker needs its node's address: --join HOST:PORT, or [cluster] join");
  auto node = parse_host_port(join);
  if (!node)
    throw usage_error("--join: expected HOST:PORT (e.g. node.example:7420), got '" + join + "'");
  auto id = cluster_identity_from(ctx.config, ctx.data_dir, cluster_role::worker);
  if (auto name = ctx.inv.value("--name"))
    id.name = *name;
  configure_logging(ctx.config, "vfb-worker");
  auto stop_signals = block_stop_signals();
  std::error_code ec;
  std::filesystem::create_directories(ctx.data_dir, ec);
  if (ec)
    throw std::runtime_error("cannot create data dir " + ctx.data_dir.string() + ": " +
                             ec.message());
  data_dir_lock lock{ctx.data_dir}; // a worker's cache is its own
  caf::actor_system_config cfg;
  register_message_types(cfg);
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  configure_cluster_tls(cfg, id); // missing or foreign certificates: a clear error now
  if (id.name.empty())
    id.name = certificate_name(id.cert);
  if (!valid_cluster_name(id.name))
    throw usage_error("worker name '" + id.name +
                      "': use 1 to 64 letters, digits, '.', '_' or '-'");
  auto env = open_tool_environment(ctx.config, ctx.data_dir);
  int sig = 0;
  auto counters = std::make_shared<link_counters>();
  {
    caf::actor_system sys{cfg};
    caf::scoped_actor self{sys};
    node_link_options lo;
    lo.identity.name = id.name;
    lo.identity.address = own_address();
    lo.counters = counters;
    auto link = sys.spawn(node_link, lo, caf::actor_cast<caf::actor>(self));
    auto po = pipeline_options_from(ctx.config);
    po.worker_name = id.name;
    po.cancel = env->cancel;

    auto stages = worker_stages(sys, caf::actor_cast<node_link_actor>(link), env);
    auto work = sys.spawn(pipeline, caf::actor_cast<lease_source_actor>(link), stages, po);
    self->send(link, report_atom::value, caf::actor_cast<pipeline_actor>(work));
    // The signal thread only turns a signal into a message for this thread.
    auto me = caf::actor_cast<caf::actor>(self);
    std::thread{[stop_signals, me, &sig]() mutable {
      int got = 0;
      sigwait(&stop_signals, &got);
      sig = got;
      caf::anon_send(me, drain_atom::value);
    }}.detach();
    spdlog::info("worker {}: joining {} from {} (data dir {}); SIGINT or SIGTERM stops it", id.name,
                 join, lo.identity.address, ctx.data_dir.string());
    if (ctx.json)
      ctx.out << nlohmann::json{{"event", "ready"}, {"name", id.name}, {"pid", ::getpid()}}.dump()
              << std::endl;
    backoff wait;
    bool stopping = false;
    bool connected = false;
    while (!stopping) {
      if (auto gateway = connect_gateway_tls(sys, node->host, node->port)) {
        spdlog::info("worker {}: joined the node at {}", id.name, join);
        self->send(link, connect_atom::value, *gateway);
        connected = true;
        wait.reset();
        self->receive(
            [&](disconnect_atom) {
              connected = false;
              spdlog::warn("worker {}: reconnecting to {}", id.name, join);
            },
            [&](drain_atom) { stopping = true; });
        continue;
      } else {
        auto pause = wait.next();
        spdlog::warn("worker {}: cannot reach the node at {} ({}); next try in {} ms", id.name,
                     join, caf::to_string(gateway.error()), pause.count());
        self->receive([&](drain_atom) { stopping = true; },
                      [&](disconnect_atom) {}, // a connection that already went
                      caf::after(pause) >> [] {});
      }
    }
    spdlog::info("worker {}: {} received, stopping (running stages stop, held jobs go back to "
                 "the queue)",
                 id.name, sig == SIGTERM ? "SIGTERM" : "SIGINT");
    if (!connected) // nothing it waits for can be answered now: its leases expire on the node
      self->send(link, disconnect_atom::value);
    self->request(work, std::chrono::seconds{30}, drain_atom::value)
        .receive([&](uint64_t n) { spdlog::info("worker {}: {} jobs given back", id.name, n); },
                 [&](const caf::error& e) {
                   spdlog::warn("worker {}: could not give every job back ({}); their leases "
                                "expire on the node",
                                id.name, error_message(e));
                 });
    for (const auto& a : {caf::actor_cast<caf::actor>(work), caf::actor_cast<caf::actor>(link)}) {
      self->send_exit(a, caf::exit_reason::user_shutdown);
      self->wait_for(a);
    }
  }
  spdlog::info("worker {}: stopped ({} messages to the node, {} from it)", id.name,
               counters->sent.load(), counters->received.load());
  return exit_ok;
}

} // namespace vfb::cli
