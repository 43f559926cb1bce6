// The node's HTTP API (docs/API.md, docs/openapi.yaml) on cpp-httplib: JSON in and out, bearer
// tokens bound to one tenant/workspace (storage/token_store), everything scoped to the token's
// workspace. httplib serves on its own threads; each request talks to the node's actors through
// a scoped actor of its own with a timeout, so no handler ever blocks CAF's shared threads.
//
// `vfb node` builds one from the node's handles and stores (it must pass the stage
// environment's memory store: LMDB forbids opening one environment twice in a process).
//
// The parts: this class (start, stop, the route table, the headers every answer carries),
// api_router.hpp (authentication, sessions and the error shape), api_routes.hpp (the handlers
// by concern), metrics.hpp (the pipeline's counters and /metrics), http_helpers.hpp (answering
// requests), web_files.hpp (the web page) and discord_bridge.hpp.
#pragma once

#include "actors/node.hpp"

#include <caf/fwd.hpp>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

namespace vfb {

class token_store;
class follow_registry;
class memory_store;
class discord_store;
class media_cache;

struct http_api_options {
  std::string host = "127.0.0.1";
  int port = 0; // 0: any free port (start() says which)
  size_t max_body_bytes = 64 * 1024;
  vfb_config config;
  /// Results (title, topics, summary) are read from this data dir's artifact store; empty: jobs
  /// are shown without results.
  std::filesystem::path data_dir;
  /// How long a request waits for an actor's answer before it answers 503.
  std::chrono::milliseconds timeout{30'000};
  /// How long POST /v1/follows waits for its listing (yt-dlp may take minutes); 0: the
  /// configured yt-dlp timeout plus a minute.
  std::chrono::milliseconds listing_timeout{0};
  /// Where the web page's files are read at each request (VFB_WEB_DIR, for working on the
  /// page); empty: the files built into the binary.
  std::filesystem::path web_dir;
  /// The node's media cache, reported by /metrics (none: not reported).
  std::shared_ptr<const media_cache> media;
};

/// The options from the config's [api] section, reading results from `data_dir`.
http_api_options api_options_from(const vfb_config& cfg, const std::filesystem::path& data_dir);

class http_api {
public:
  /// `follows` and `memory` may be null: their endpoints then answer 503. `discord` keeps the
  /// Discord bridge's pending replies; null: the API opens DATA_DIR/discord itself when
  /// [discord] public_key is set (a node whose stages use that store must pass theirs: LMDB
  /// forbids opening one environment twice in a process).
  http_api(caf::actor_system& sys, const node_handles& node, http_api_options opts,
           std::shared_ptr<token_store> tokens, std::shared_ptr<follow_registry> follows,
           std::shared_ptr<memory_store> memory, std::shared_ptr<discord_store> discord = nullptr);
  /// Stops serving (as stop()).
  ~http_api();
  http_api(const http_api&) = delete;
  http_api& operator=(const http_api&) = delete;

  /// Binds, starts serving on a thread of its own and subscribes the metrics to the pipeline;
  /// returns the bound port. Throws std::runtime_error when the address cannot be bound.
  int start();
  /// Stops serving: requests in progress finish first. Idempotent.
  void stop();
  /// The bound port (0 before start()).
  int port() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace vfb
