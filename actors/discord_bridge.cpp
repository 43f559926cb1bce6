#include "actors/discord_bridge.hpp"

#include "actors/blocking_ask.hpp"
#include "actors/follow_refresher.hpp"
#include "adapters/discord_webhook.hpp"
#include "messages/errors.hpp"
#include "storage/discord_store.hpp"
#include "storage/follow_registry.hpp"
#include "storage/memory_store.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <spdlog/spdlog.h>
#include <thread>

namespace vfb {

namespace {

/// A request that did not get its answer, for the user.
struct command_failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool over(job_state s) {
  return s == job_state::done || s == job_state::skipped || s == job_state::failed ||
         s == job_state::dead || s == job_state::cancelled;
}

/// A deferred command and where it acts.
struct task {
  interaction in;
  guild_binding where;
};

} // namespace

struct discord_bridge::impl {
  caf::actor_system& sys;
  node_handles node;
  discord_bridge_options opts;
  std::shared_ptr<follow_registry> follows;
  std::shared_ptr<memory_store> memory;
  std::shared_ptr<discord_store> replies;
  std::map<std::string, guild_binding> guilds;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<task> tasks;
  std::deque<uint64_t> ended; // jobs whose pending replies may be due
  bool stopping = false;
  std::vector<std::thread> threads;

  impl(caf::actor_system& sys, const node_handles& node, discord_bridge_options opts,
       std::shared_ptr<follow_registry> follows, std::shared_ptr<memory_store> memory,
       std::shared_ptr<discord_store> replies)
      : sys(sys), node(node), opts(std::move(opts)), follows(std::move(follows)),
        memory(std::move(memory)), replies(std::move(replies)) {
    const auto& cfg = this->opts.config.discord;
    for (const auto& [guild, where] : cfg.guilds) {
      guild_binding b;
      auto slash = where.find('/');
      b.tenant = where.substr(0, slash);
      b.workspace = where.substr(slash + 1);
      if (auto ops = cfg.guild_operators.find(guild); ops != cfg.guild_operators.end())
        b.operator_role_ids = ops->second;
      guilds.emplace(guild, std::move(b));
    }
  }

  template <class T, class Handle, class... Ts> T ask(const Handle& dest, Ts&&... xs) {
    if (!dest)
      throw command_failed("this node does not run that service");
    auto [out, err] = blocking_ask<T>(sys, dest, opts.timeout, std::forward<Ts>(xs)...);
    if (!out)
      throw command_failed(err == caf::sec::request_timeout ? "the node did not answer in time"
                                                            : error_message(err));
    return std::move(*out);
  }

  follow_registry& registry() {
    if (!follows)
      throw command_failed("this node does not keep follows");
    return *follows;
  }

  // -- the workers ---------------------------------------------------------------------------

  void run_tasks() {
    for (;;) {
      task t;
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
        text = run(t);
      } catch (const std::exception& e) {
        text = "/" + t.in.command + " failed: " + e.what();
      }
      edit_reply(t.in, text);
    }
  }

  /// PATCHes the deferred reply; Discord's refusal is logged (the user sees "thinking…").
  void edit_reply(const interaction& in, const std::string& text) {
    auto url = opts.config.discord.api_base + edit_original_path(in);
    auto res = send_to_discord("PATCH", url, edit_original_body(text));
    if (!res.ok)
      spdlog::warn("discord: the reply to /{} could not be edited: {}", in.command, res.error);
  }

  std::string run(const task& t) {
    const auto& in = t.in;
    const auto& tenant = t.where.tenant;
    const auto& workspace = t.where.workspace;
    if (in.command == "analyze")
      return analyze(t);
    if (in.command == "follow_uploader") {
      auto mode = in.option("mode");
      if (mode != "on" && mode != "off")
        return "Use /follow_uploader on or off.";
      registry().set_setting(tenant, workspace,
                             mode == "on" ? auto_follow_setting::on : auto_follow_setting::off);
      return "Auto-follow of uploaders is " + mode + " for this server.";
    }
    if (in.command == "follow" || in.command == "unfollow")
      return follow(t);
    if (in.command == "queue") {
      auto stats = ask<queue_stats>(node.scheduler, stats_atom::value);
      std::string text = "Jobs of this server:";
      bool any = false;
      for (const auto& b : stats.backlog) {
        if (b.tenant != tenant || b.workspace != workspace)
          continue;
        for (int i = 0; i < job_state_count; ++i)
          if (b.by_state[static_cast<size_t>(i)] > 0) {
            text += " " + std::string{to_string(static_cast<job_state>(i))} + " " +
                    std::to_string(b.by_state[static_cast<size_t>(i)]) + ",";
            any = true;
          }
      }
      if (!any)
        text += " none,";
      text.pop_back();
      return text + ".";
    }
    // search (answer() let no other command through)
    if (!memory)
      return "This node keeps no memory.";
    auto hits = memory->search(tenant, workspace, in.option("query"), 3);
    if (hits.empty())
      return "Nothing found for \"" + in.option("query") + "\".";
    std::string text;
    for (const auto& h : hits)
      text += "**" + h.title + "** (" + h.url + ")\n> " + h.snippet + "\n";
    return text;
  }

  std::string follow(const task& t) {
    const auto& in = t.in;
    const auto& cfg = opts.config;
    follow_record f;
    try {
      f = follow_for_url(in.option("url"), url_policy_from(cfg));
    } catch (const std::exception& e) {
      return e.what();
    }
    if (in.command == "unfollow") {
      auto known = registry().find(t.where.tenant, t.where.workspace, f.channel_url);
      if (!known || !registry().remove(known->id))
        return "Not following " + f.channel_url + ".";
      return "Stopped following " + f.channel_url + ".";
    }
    auto now = now_millis();
    f.tenant = t.where.tenant;
    f.workspace = t.where.workspace;
    f.origin = job_origin::discord;
    f.limit = static_cast<uint32_t>(cfg.auto_follow.max_videos);
    f.since = now - cfg.auto_follow.window_days * 24 * 3600 * 1000;
    f.next_refresh_at = now; // due: the node's refresher lists it within a minute
    auto added = registry().add(f, now);
    return added.created
               ? "Following " + f.channel_url + ": its last " +
                     std::to_string(cfg.auto_follow.window_days) + " days are being enqueued."
               : "Already following " + f.channel_url + ".";
  }

  /// Where a finished job's answer goes; empty when nowhere.
  std::string route_for(const std::string& tenant, const std::string& workspace) {
    if (!opts.config.discord.bot_token.empty())
      return "in this channel";
    if (webhook_for(opts.config, tenant, workspace))
      return "to this server's vfb webhook";
    return {};
  }

  std::string analyze(const task& t) {
    const auto& in = t.in;
    submission s;
    s.url = in.option("url");
    s.tenant = t.where.tenant;
    s.workspace = t.where.workspace;
    s.origin = job_origin::discord;
    enqueue_result r;
    try {
      r = ask<enqueue_result>(node.submission, submit_atom::value, s);
    } catch (const command_failed& e) {
      return "Not queued: " + std::string{e.what()};
    }
    auto id = std::to_string(r.job_id);
    // A duplicate of a job that is over already: its answer fits in this reply.
    auto v = ask<job_view>(node.scheduler, caf::get_atom::value, r.job_id);
    if (over(v.state))
      return result_text(v);
    auto route = route_for(s.tenant, s.workspace);
    if (route.empty())
      return "Queued as job " + id + ". This node has no bot token or webhook to post the " +
             "result: see /queue.";
    pending_reply p;
    p.job_id = r.job_id;
    p.tenant = s.tenant;
    p.workspace = s.workspace;
    p.guild_id = in.guild_id.value_or("");
    p.channel_id = in.channel_id;
    p.user_id = in.user_id;
    p.created_at = now_millis();
    replies->add_reply(p);
    // It may have ended while the reply was being recorded; the delivery thread checks.
    job_ended(r.job_id);
    return "Queued as job " + id + ". The result will be posted " + route + " when it is done.";
  }

  std::string result_text(const job_view& v) {
    auto id = std::to_string(v.job.id);
    if (v.state != job_state::done)
      return "Job " + id + " " + std::string{to_string(v.state)} +
             (v.last_error.empty() ? "." : ": " + v.last_error);
    auto r = opts.results_of ? opts.results_of(v) : nlohmann::json{};
    std::string text = "Job " + id + " done: " + v.job.url;
    if (r.is_object()) {
      text = "Job " + id + " done: **" + r.value("title", v.job.url) + "** " +
             r.value("webpage_url", v.job.url);
      std::string topics;
      for (const auto& x : r.value("topics", nlohmann::json::array()))
        topics += (topics.empty() ? "" : ", ") + x.get<std::string>();
      if (!topics.empty())
        text += "\nTopics: " + topics;
      for (const auto& x : r.value("summary", nlohmann::json::array()))
        text += "\n> " + x.get<std::string>();
    }
    return text;
  }

  // -- delivery ------------------------------------------------------------------------------

  void run_deliveries() {
    for (;;) {
      uint64_t id = 0;
      {
        std::unique_lock<std::mutex> lock{mu};
        cv.wait(lock, [&] { return stopping || !ended.empty(); });
        if (stopping)
          return;
        id = ended.front();
        ended.pop_front();
      }
      try {
        deliver(id);
      } catch (const std::exception& e) {
        spdlog::warn("discord: the answers for job {} wait for the next restart: {}", id, e.what());
      }
    }
  }

  void deliver(uint64_t id) {
    auto waiting = replies->replies_for(id);
    if (waiting.empty())
      return;
    auto [found, err] =
        blocking_ask<job_view>(sys, node.scheduler, opts.timeout, caf::get_atom::value, id);
    if (!found && err.category() == error_category &&
        err.code() == static_cast<uint8_t>(errc::not_found)) {
      // The queue no longer knows the job: nothing will ever end, so nobody is left waiting.
      spdlog::warn("discord: job {} is gone from the queue; its {} pending answers are dropped", id,
                   waiting.size());
      for (const auto& p : waiting)
        replies->remove_reply(p.job_id, p.id);
      return;
    }
    if (!found)
      throw command_failed(err == caf::sec::request_timeout ? "the node did not answer in time"
                                                            : error_message(err));
    auto v = std::move(*found);
    if (!over(v.state))
      return; // it runs again (a retry): the answers wait for its end
    auto text = result_text(v);
    for (const auto& p : waiting)
      if (send_answer(p, text))
        replies->remove_reply(p.job_id, p.id);
  }

  /// True when the reply is done with: delivered, or refused for good (logged).
  bool send_answer(const pending_reply& p, const std::string& text) {
    const auto& cfg = opts.config.discord;
    auto body = answer_message_body(text, p.user_id);
    auto post = [&]() -> webhook_result {
      if (!cfg.bot_token.empty() && !p.channel_id.empty())
        return send_to_discord("POST", cfg.api_base + channel_messages_path(p.channel_id), body,
                               std::chrono::seconds{30}, cfg.bot_token);
      if (auto hook = webhook_for(opts.config, p.tenant, p.workspace))
        return post_webhook(*hook, body);
      webhook_result none;
      none.error = "no bot token and no webhook for " + p.tenant + "/" + p.workspace;
      return none;
    };
    webhook_result res;
    for (int attempt = 1; attempt <= 3; ++attempt) {
      res = post();
      if (res.ok)
        return true;
      if (!res.retryable || attempt == 3)
        break;
      std::unique_lock<std::mutex> lock{mu}; // Discord's retry_after, unless the bridge stops
      if (cv.wait_for(lock, std::max(res.retry_after, std::chrono::milliseconds{500}),
                      [&] { return stopping; }))
        return false;
    }
    spdlog::warn("discord: the answer for job {} (reply {}) was not delivered: {}", p.job_id, p.id,
                 res.error);
    return !res.retryable; // a refusal is final; an outage waits for the next restart
  }

  void job_ended(uint64_t id) {
    {
      std::lock_guard<std::mutex> guard{mu};
      ended.push_back(id);
    }
    cv.notify_all();
  }
};

discord_bridge::discord_bridge(caf::actor_system& sys, const node_handles& node,
                               discord_bridge_options opts,
                               std::shared_ptr<follow_registry> follows,
                               std::shared_ptr<memory_store> memory,
                               std::shared_ptr<discord_store> replies)
    : impl_(std::make_unique<impl>(sys, node, std::move(opts), std::move(follows),
                                   std::move(memory), std::move(replies))) {}

discord_bridge::~discord_bridge() {
  stop();
}

void discord_bridge::start() {
  auto& m = *impl_;
  if (!m.threads.empty())
    return;
  for (size_t i = 0; i < std::max<size_t>(1, m.opts.workers); ++i)
    m.threads.emplace_back([&m] { m.run_tasks(); });
  m.threads.emplace_back([&m] { m.run_deliveries(); });
  for (auto id : m.replies->jobs_with_replies())
    m.job_ended(id);
}

void discord_bridge::stop() {
  auto& m = *impl_;
  {
    std::lock_guard<std::mutex> guard{m.mu};
    m.stopping = true;
  }
  m.cv.notify_all();
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
  impl_->job_ended(job_id);
}

} // namespace vfb
