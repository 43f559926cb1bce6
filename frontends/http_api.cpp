// The node's HTTP API: its parts made from the node's handles and stores, the route table, and
// serving on a thread of its own (see http_api.hpp).
#include "frontends/http_api.hpp"

#include "frontends/api_router.hpp"
#include "frontends/api_routes.hpp"
#include "frontends/discord_bridge.hpp"
#include "frontends/elastic_task_queue.hpp"
#include "frontends/event_hub.hpp"
#include "frontends/job_results.hpp"
#include "frontends/metrics.hpp"
#include "frontends/web_files.hpp"
#include "frontends/web_sessions.hpp"
#include "storage/discord_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <cstdlib>
#include <httplib.h>
#include <thread>

namespace vfb {

http_api_options api_options_from(const vfb_config& cfg, const std::filesystem::path& data_dir) {
  http_api_options o;
  o.host = cfg.api.listen;
  o.port = static_cast<int>(cfg.api.port);
  o.max_body_bytes = static_cast<size_t>(cfg.api.max_body_kb) * 1024;
  o.config = cfg;
  o.data_dir = data_dir;
  if (const char* dir = std::getenv("VFB_WEB_DIR"); dir && *dir)
    o.web_dir = dir;
  return o;
}

/// Headers on every answer. The page's script and styles come only from the node itself (no
/// inline script, nothing from elsewhere), it may not be framed (clickjacking), and browsers
/// must not guess types.
const httplib::Headers security_headers{
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
};

/// Connections the API serves at once (each on a thread of its own while it lasts; idle
/// keep-alive connections close after httplib's 5 s).
constexpr size_t max_connections = 1024;

/// Connections the kernel keeps waiting for the API to accept them.
constexpr int listen_backlog = 1024;

struct http_api::impl {
  caf::actor_system& sys;
  node_handles node;
  http_api_options opts;
  httplib::Server server;
  std::shared_ptr<web_sessions> sessions = std::make_shared<web_sessions>();
  std::shared_ptr<const web_files> files;
  api_router router;
  std::thread thread;
  int port = 0;
  socket_t listener = INVALID_SOCKET; // the API's listening socket, once bound
  std::shared_ptr<pipeline_counters> counters = std::make_shared<pipeline_counters>();
  std::shared_ptr<event_hub> events = std::make_shared<event_hub>();
  std::shared_ptr<discord_bridge> discord; // only with [discord] public_key
  pipeline_event_sink sink;

  impl(caf::actor_system& sys, const node_handles& node, http_api_options options,
       std::shared_ptr<token_store> tokens, std::shared_ptr<follow_registry> follows,
       std::shared_ptr<memory_store> memory, std::shared_ptr<discord_store> replies)
      : sys(sys), node(node), opts(std::move(options)),
        files(std::make_shared<web_files>(opts.web_dir)),
        router(server, std::move(tokens), sessions, opts.max_body_bytes,
               origin_of(opts.config.api.public_url).value_or("")) {
    server.set_default_headers(security_headers);
    if (opts.listing_timeout.count() == 0)
      opts.listing_timeout = std::chrono::seconds{opts.config.tools.ytdlp_timeout_s + 60};
    // httplib leaves Nagle's algorithm on unless asked: a response is written in two parts
    // (headers, then body), and the body waited for the client's delayed ACK, about 40 ms, on
    // every keep-alive request (wrk, 8 connections: 299 requests/s, p50 43 ms; 20,962/s and
    // p50 0.3 ms with this).
    server.set_tcp_nodelay(true);
    // A thread per connection as they come (up to a bound), not httplib's fixed 8: idle and
    // slow clients must not stop the API for everyone else.
    server.new_task_queue = [] { return new elastic_task_queue(max_connections); };
    // httplib closes a keep-alive connection after 5 requests, and its listening socket takes
    // 5 waiting connections (compiled into Debian's library): 64 clients reconnecting all the
    // time lost SYNs and waited a second for the retry (wrk, 64 connections on /v1/jobs: p99
    // 1.2 s, timeouts). Connections now serve up to 1,000 requests, and the listening socket
    // is given a backlog of its own after the bind (listen again; the options callback hands
    // us the socket, and replaces httplib's SO_REUSEADDR, hence that too).
    server.set_keep_alive_max_count(1000);
    server.set_socket_options([this](socket_t sock) {
      int one = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      listener = sock;
    });
    if (!opts.config.discord.public_key.empty())
      discord = make_discord_bridge(follows, memory, std::move(replies));
    routes(std::move(follows), std::move(memory));
  }

  std::shared_ptr<discord_bridge> make_discord_bridge(std::shared_ptr<follow_registry> follows,
                                                      std::shared_ptr<memory_store> memory,
                                                      std::shared_ptr<discord_store> replies) {
    if (!replies && !opts.data_dir.empty())
      replies =
          std::make_shared<discord_store>(discord_options_for(opts.config, opts.data_dir, false));
    if (!replies)
      throw std::runtime_error("the Discord bridge needs a data dir for its pending replies");
    discord_bridge_options bo;
    bo.config = opts.config;
    bo.timeout = opts.timeout;
    bo.results_of = [data_dir = opts.data_dir](const job_view& v) {
      return job_results(data_dir, v);
    };
    return std::make_shared<discord_bridge>(sys, node, std::move(bo), std::move(follows),
                                            std::move(memory), std::move(replies));
  }

  /// Tells the Discord bridge that a job's run ended (its /analyze askers may be due an
  /// answer); empty without a bridge.
  std::function<void(uint64_t)> tell_bridge() const {
    if (!discord)
      return {};
    return [bridge = discord](uint64_t id) { bridge->job_ended(id); };
  }

  /// The route table: every endpoint of docs/API.md, by concern.
  void routes(std::shared_ptr<follow_registry> follows, std::shared_ptr<memory_store> memory) {
    api_asker asker{&sys, opts.timeout};
    auto scheduler = caf::actor_cast<scheduler_actor>(node.scheduler);
    add_discord_routes(router, {opts.config.discord.public_key, discord});
    add_status_routes(router, {asker, scheduler, counters, node.gateway, opts.media});
    add_job_routes(router, {asker, scheduler, node.submission, counters, opts.data_dir,
                            tell_bridge(), events});
    add_overview_routes(router, {asker, scheduler, counters, opts.data_dir, opts.config, follows});
    add_follow_routes(router, {asker, node.enumerator, opts.listing_timeout, opts.config, follows});
    add_search_routes(router, {std::move(memory), follows});
    add_session_routes(router);
    add_web_routes(router, files);
    router.set_not_found_page(
        [files = files](const httplib::Request& req) { return web_not_found(*files, req); });
  }
};

http_api::http_api(caf::actor_system& sys, const node_handles& node, http_api_options opts,
                   std::shared_ptr<token_store> tokens, std::shared_ptr<follow_registry> follows,
                   std::shared_ptr<memory_store> memory, std::shared_ptr<discord_store> discord)
    : impl_(std::make_unique<impl>(sys, node, std::move(opts), std::move(tokens),
                                   std::move(follows), std::move(memory), std::move(discord))) {}

http_api::~http_api() {
  stop();
}

int http_api::start() {
  auto& m = *impl_;
  m.port = m.opts.port == 0 ? m.server.bind_to_any_port(m.opts.host)
                            : (m.server.bind_to_port(m.opts.host, m.opts.port) ? m.opts.port : -1);
  if (m.port <= 0)
    throw std::runtime_error("cannot listen on " + m.opts.host + ":" + std::to_string(m.opts.port));
  if (m.listener != INVALID_SOCKET)
    ::listen(m.listener, listen_backlog); // Linux takes a second listen() as a new backlog
  m.sink = m.sys.spawn(metrics_sink, m.counters,
                       [events = m.events, bridge = m.tell_bridge()](const pipeline_event& ev) {
                         events->publish(ev);
                         if (ev.kind == progress_kind::ended && bridge)
                           bridge(ev.job_id);
                       });
  caf::anon_send(m.node.pipeline, subscribe_atom::value, m.sink);
  if (m.discord)
    m.discord->start();
  m.thread = std::thread([&m] { m.server.listen_after_bind(); });
  // The socket listens already; this waits only until stop() can see the accept loop.
  while (!m.server.is_running())
    std::this_thread::yield();
  return m.port;
}

void http_api::stop() {
  auto& m = *impl_;
  if (!m.thread.joinable())
    return;
  m.events->close(); // open event streams end, so that stopping does not wait for them
  m.server.stop();
  m.thread.join();
  if (m.discord)
    m.discord->stop();
  caf::anon_send_exit(m.sink, caf::exit_reason::user_shutdown);
  m.sink = nullptr;
}

int http_api::port() const {
  return impl_->port;
}

} // namespace vfb
