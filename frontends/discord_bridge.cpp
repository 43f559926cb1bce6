// The Discord bridge: the guild map, answer()'s triage and the worker threads that run deferred
// commands (see discord_bridge.hpp; the commands and the replies have files of their own).
#include "frontends/discord_bridge.hpp"

#include "frontends/discord_commands.hpp"
#include "frontends/discord_delivery.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace vfb {

namespace {

/// Guild id -> the tenant/workspace it acts on and its operator roles, from [guilds] and
/// [guild_operators]. Built once, when the bridge is made: every command only looks it up.
std::map<std::string, guild_binding> guild_map_from(const vfb_config& config) {
  const auto& cfg = config.discord;
  std::map<std::string, guild_binding> guilds;
  for (const auto& [guild, where] : cfg.guilds) {
    guild_binding b;
    auto slash = where.find('/');
    b.tenant = where.substr(0, slash);
    b.workspace = where.substr(slash + 1);
    if (auto ops = cfg.guild_operators.find(guild); ops != cfg.guild_operators.end())
      b.operator_role_ids = ops->second;
    guilds.emplace(guild, std::move(b));
  }
  return guilds;
}

} // namespace

struct discord_bridge::impl {
  size_t workers;
  const std::map<std::string, guild_binding> guilds;
  discord_delivery delivery;
  discord_commands commands;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<discord_task> tasks;
  bool stopping = false;
  std::vector<std::thread> threads;

  impl(caf::actor_system& sys, const node_handles& node, const discord_bridge_options& opts,
       std::shared_ptr<follow_registry> follows, std::shared_ptr<memory_store> memory,
       std::shared_ptr<discord_store> replies)
      : workers(opts.workers), guilds(guild_map_from(opts.config)),
        delivery(sys, node.scheduler, opts, std::move(replies)),
        commands(sys, node, opts, std::move(follows), std::move(memory), delivery) {}

  void run_tasks() {
    for (;;) {
      discord_task t;
      {
        std::unique_lock<std::mutex> lock{mu};
        cv.wait(lock, [&] { return stopping || !tasks.empty(); });
        if (stopping)
          return;
        t = std::move(tasks.front());
        tasks.pop_front();
      }
      std::string text;
      try {
        text = commands.run(t);
      } catch (const std::exception& e) {
        text = "/" + t.in.command + " failed: " + e.what();
      }
      delivery.edit_reply(t.in, text);
    }
  }
};

discord_bridge::discord_bridge(caf::actor_system& sys, const node_handles& node,
                               discord_bridge_options opts,
                               std::shared_ptr<follow_registry> follows,
                               std::shared_ptr<memory_store> memory,
                               std::shared_ptr<discord_store> replies)
    : impl_(std::make_unique<impl>(sys, node, opts, std::move(follows), std::move(memory),
                                   std::move(replies))) {}

discord_bridge::~discord_bridge() {
  stop();
}

void discord_bridge::start() {
  auto& m = *impl_;
  if (!m.threads.empty())
    return;
  for (size_t i = 0; i < std::max<size_t>(1, m.workers); ++i)
    m.threads.emplace_back([&m] { m.run_tasks(); });
  m.delivery.start();
}

void discord_bridge::stop() {
  auto& m = *impl_;
  {
    std::lock_guard<std::mutex> guard{m.mu};
    m.stopping = true;
  }
  m.cv.notify_all();
  m.delivery.stop(); // meanwhile the workers see `stopping` too
  for (auto& t : m.threads)
    if (t.joinable())
      t.join();
  m.threads.clear();
}

nlohmann::json discord_bridge::answer(const interaction& in) {
  auto& m = *impl_;
  auto binding = resolve_guild(m.guilds, in);
  if (!binding)
    return message_response("This server is not connected to vfb (see [guilds] in vfb.conf).",
                            true);
  static const std::set<std::string> operator_commands{"analyze", "follow", "unfollow",
                                                       "follow_uploader"};
  static const std::set<std::string> known{"analyze",         "follow", "unfollow",
                                           "follow_uploader", "queue",  "search"};
  if (known.count(in.command) == 0)
    return message_response("Unknown command /" + in.command + ".", true);
  if (operator_commands.count(in.command) != 0 && !is_operator(*binding, in))
    return message_response("/" + in.command + " needs one of the vfb operator roles.", true);
  {
    std::lock_guard<std::mutex> guard{m.mu};
    m.tasks.push_back({in, *binding});
  }
  m.cv.notify_all();
  // The backlog is only for the asker; everything else is the server's business.
  return deferred_response(in.command == "queue");
}

void discord_bridge::job_ended(uint64_t job_id) {
  impl_->delivery.job_ended(job_id);
}

} // namespace vfb
