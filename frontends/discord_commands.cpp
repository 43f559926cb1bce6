// What each of the bridge's slash commands does (see discord_commands.hpp).
#include "frontends/discord_commands.hpp"

#include "actors/config_options.hpp"
#include "follows/follow_service.hpp"
#include "follows/search_filter.hpp"
#include "frontends/discord_ask.hpp"
#include "frontends/discord_delivery.hpp"
#include "frontends/job_results.hpp"
#include "storage/memory_store.hpp"

namespace vfb {

discord_commands::discord_commands(caf::actor_system& sys, const node_handles& node,
                                   const discord_bridge_options& opts,
                                   std::shared_ptr<follow_registry> follows,
                                   std::shared_ptr<memory_store> memory, discord_delivery& delivery)
    : sys_(sys), node_(node), opts_(opts), memory_(std::move(memory)), delivery_(delivery) {
  if (follows)
    follows_ =
        std::make_unique<follow_service>(std::move(follows), follow_options_from(opts_.config));
}

discord_commands::~discord_commands() = default;

template <class T, class Handle, class... Ts>
T discord_commands::ask(const Handle& dest, Ts&&... xs) {
  return discord_ask<T>(sys_, dest, opts_.timeout, std::forward<Ts>(xs)...);
}

follow_service& discord_commands::follows() {
  if (!follows_)
    throw command_failed("this node does not keep follows");
  return *follows_;
}

follow_registry& discord_commands::registry() {
  return follows().registry();
}

std::string discord_commands::run(const discord_task& t) {
  const auto& in = t.in;
  if (in.command == "analyze")
    return analyze(t);
  if (in.command == "follow_uploader") {
    auto mode = in.option("mode");
    if (mode != "on" && mode != "off")
      return "Use /follow_uploader on or off.";
    registry().set_setting(t.where.tenant, t.where.workspace,
                           mode == "on" ? auto_follow_setting::on : auto_follow_setting::off);
    return "Auto-follow of uploaders is " + mode + " for this server.";
  }
  if (in.command == "follow" || in.command == "unfollow")
    return follow(t);
  if (in.command == "queue")
    return queue(t);
  // search (answer() let no other command through)
  return search(t);
}

std::string discord_commands::queue(const discord_task& t) {
  auto stats = ask<queue_stats>(node_.scheduler, stats_atom::value);
  std::string text = "Jobs of this server:";
  bool any = false;
  for (const auto& b : stats.backlog) {
    if (b.tenant != t.where.tenant || b.workspace != t.where.workspace)
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

namespace {

/// `text` with Discord's markdown characters escaped, so a transcript shows as said.
std::string escape_markdown(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view{"\\*_~`|>#[]()-<:"}.find(c) != std::string_view::npos)
      out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

/// A hit's snippet for Discord: the matched words in bold, everything else escaped.
std::string bold_marks(const memory_hit& h) {
  std::string out;
  size_t at = 0;
  for (auto& m : h.marks) {
    if (m.begin < at || m.end > h.snippet.size() || m.end <= m.begin)
      continue;
    out += escape_markdown(std::string_view{h.snippet}.substr(at, m.begin - at));
    out +=
        "**" + escape_markdown(std::string_view{h.snippet}.substr(m.begin, m.end - m.begin)) + "**";
    at = m.end;
  }
  return out + escape_markdown(std::string_view{h.snippet}.substr(at));
}

} // namespace

std::string discord_commands::search(const discord_task& t) {
  const auto& in = t.in;
  if (!memory_)
    return "This node keeps no memory.";
  memory_query q;
  q.text = in.option("query");
  q.limit = 3;
  try {
    q.filter =
        make_search_filter({"", in.option("channel"), in.option("from"), in.option("to"), ""},
                           nullptr, t.where.tenant, t.where.workspace);
  } catch (const std::invalid_argument& e) {
    return std::string{e.what()} + ".";
  }
  auto hits = memory_->search(t.where.tenant, t.where.workspace, q);
  if (hits.empty())
    return "Nothing found for \"" + in.option("query") + "\".";
  // Whole hits only, within Discord's limit (escaping may double a snippet's length): a cut
  // inside one would leave its bold or an escape open.
  std::string text;
  for (const auto& h : hits) {
    auto one = "**" + escape_markdown(h.title) + "** (" + hit_moment_url(h) + ")\n> " +
               bold_marks(h) + "\n";
    if (!text.empty() && text.size() + one.size() > discord_content_limit)
      break;
    text += one;
  }
  return text;
}

std::string discord_commands::follow(const discord_task& t) {
  const auto& in = t.in;
  if (in.command == "unfollow") {
    follow_record f;
    try {
      f = follow_for_url(in.option("url"), url_policy_from(opts_.config));
    } catch (const std::exception& e) {
      return e.what();
    }
    auto known = registry().find(t.where.tenant, t.where.workspace, f.channel_url);
    if (!known || !registry().remove(known->id))
      return "Not following " + f.channel_url + ".";
    return "Stopped following " + f.channel_url + ".";
  }
  follow_request fr;
  fr.url = in.option("url");
  fr.tenant = t.where.tenant;
  fr.workspace = t.where.workspace;
  fr.origin = job_origin::discord;
  follow_added added;
  try {
    // Due at once: the node's refresher lists it within a minute.
    added = follows().follow(fr, now_millis(), first_listing::by_refresher);
  } catch (const follow_refused& e) {
    return e.what();
  }
  const auto& url = added.follow.channel_url;
  return added.created ? "Following " + url + ": its last " +
                             std::to_string(opts_.config.auto_follow.window_days) +
                             " days are being enqueued."
                       : "Already following " + url + ".";
}

std::string discord_commands::analyze(const discord_task& t) {
  const auto& in = t.in;
  submission s;
  s.url = in.option("url");
  s.tenant = t.where.tenant;
  s.workspace = t.where.workspace;
  s.origin = job_origin::discord;
  enqueue_result r;
  try {
    r = ask<enqueue_result>(node_.submission, submit_atom::value, s);
  } catch (const command_failed& e) {
    return "Not queued: " + std::string{e.what()};
  }
  auto id = std::to_string(r.job_id);
  // A duplicate of a job that is over already: its answer fits in this reply.
  auto v = ask<job_view>(node_.scheduler, caf::get_atom::value, r.job_id);
  if (job_over(v.state))
    return delivery_.result_text(v);
  auto route = delivery_.route_for(s.tenant, s.workspace);
  if (route.empty())
    return "Queued as job " + id + ". This node has no bot token or webhook to post the " +
           "result: see /queue.";
  delivery_.await_result(in, t.where, r.job_id);
  return "Queued as job " + id + ". The result will be posted " + route + " when it is done.";
}

} // namespace vfb
