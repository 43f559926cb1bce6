// The HTTP API's routes by concern, each file adding its own to the router (http_api.cpp calls
// them in turn). Each concern gets only what its handlers use: the jobs routes never see the
// follow registry, the search route sees nothing but the memory store.
//
//   api_status.cpp   GET /healthz, GET /metrics, GET /v1/cluster
//   api_overview.cpp GET /v1/overview (the web page's first view)
//   api_discord.cpp  POST /discord/interactions
//   api_jobs.cpp     POST /v1/submissions, GET /v1/jobs[/ID[/transcript.F]], GET /v1/events,
//                    POST /v1/jobs/ID/{retry,cancel}
//   api_follows.cpp  GET|POST /v1/follows, DELETE /v1/follows/ID, POST .../{pause,resume},
//                    GET|PUT /v1/settings/auto-follow
//   api_search.cpp   GET /v1/memory/search
//   api_session.cpp  POST|GET|DELETE /v1/session (the web page's sign-in)
//   api_web.cpp      the web page: /assets/FILE and the page's addresses
#pragma once

#include "adapters/config_file.hpp"
#include "frontends/api_ask.hpp"
#include "frontends/api_router.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vfb {

struct pipeline_counters;
class discord_bridge;
class follow_registry;
class media_cache;
class event_hub;
class memory_store;
class web_files;

/// /healthz and /metrics: the queue's counts, the pipeline's counters, the breakers, the
/// cluster's workers; /v1/cluster: the workers in detail.
struct status_routes {
  api_asker node;
  scheduler_actor scheduler;
  std::shared_ptr<pipeline_counters> counters;
  /// The node's cluster gateway; none: the node serves no workers.
  cluster_gateway_actor gateway;
  /// The node's media cache; none: not reported.
  std::shared_ptr<const media_cache> media;
};
void add_status_routes(api_router& router, status_routes deps);

/// When each source's circuit breaker closes (a past time: it is closed), in breaker_sources'
/// order.
std::vector<std::pair<std::string, millis>> breaker_closes(const api_asker& node,
                                                           const scheduler_actor& scheduler);

/// The workspace at a glance: counts, jobs in flight, recent failures, follows due, breakers.
struct overview_routes {
  api_asker node;
  scheduler_actor scheduler;
  std::shared_ptr<pipeline_counters> counters;
  std::filesystem::path data_dir; // results of the jobs in flight (job_results)
  vfb_config config;
  std::shared_ptr<follow_registry> follows; // null: no follows shown
};
void add_overview_routes(api_router& router, overview_routes deps);

/// Discord's interactions, verified with the application's public key, answered by the bridge.
struct discord_routes {
  std::string public_key; // empty: the endpoint answers 404
  std::shared_ptr<discord_bridge> bridge;
};
void add_discord_routes(api_router& router, discord_routes deps);

/// Submitting, viewing, listing, retrying and cancelling the token's workspace's jobs.
struct job_routes {
  api_asker node;
  scheduler_actor scheduler;
  submission_actor submission;
  std::shared_ptr<pipeline_counters> counters;
  /// Where results are read (job_results); empty: jobs are shown without results.
  std::filesystem::path data_dir;
  /// Hears of a job cancelled before it ran (the pipeline reports no end for it); may be empty.
  std::function<void(uint64_t)> job_cancelled;
  /// The pipeline's events for GET /v1/events.
  std::shared_ptr<event_hub> events;
};
void add_job_routes(api_router& router, job_routes deps);

/// The workspace's follows and its auto-follow setting.
struct follow_routes {
  api_asker node;
  channel_enumerator_actor enumerator;
  /// How long POST /v1/follows waits for its listing.
  std::chrono::milliseconds listing_timeout;
  vfb_config config;
  std::shared_ptr<follow_registry> follows; // null: 503
};
void add_follow_routes(api_router& router, follow_routes deps);
/// The workspace's auto-follow setting and whether auto-follow is on for it: {setting,
/// effective} (GET /v1/settings/auto-follow, GET /v1/overview).
nlohmann::json auto_follow_json(const follow_registry& follows, const token_record& who,
                                const vfb_config& config);

/// Search over the workspace's memory.
struct search_routes {
  std::shared_ptr<memory_store> memory;     // null: 503
  std::shared_ptr<follow_registry> follows; // for ?follow= (null: no follow is known)
};
void add_search_routes(api_router& router, search_routes deps);

/// Signing the web page in and out (sessions kept by the router).
void add_session_routes(api_router& router);

/// The web page's files and addresses.
void add_web_routes(api_router& router, std::shared_ptr<const web_files> files);
/// The answer for an address no route knows: index.html with 404 for a browser's page request
/// (Accept: text/html) outside /v1/, so the page shows its not-found view; nullopt otherwise.
std::optional<httplib::Response> web_not_found(const web_files& files, const httplib::Request& req);

} // namespace vfb
