// The Discord bridge's replies and result delivery (see discord_delivery.hpp).
#include "frontends/discord_delivery.hpp"

#include "adapters/discord_webhook.hpp"
#include "frontends/discord_ask.hpp"
#include "storage/discord_store.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace vfb {

bool job_over(job_state s) {
  return s == job_state::done || s == job_state::skipped || s == job_state::failed ||
         s == job_state::dead || s == job_state::cancelled;
}

discord_delivery::discord_delivery(caf::actor_system& sys, scheduler_impl scheduler,
                                   const discord_bridge_options& opts,
                                   std::shared_ptr<discord_store> replies)
    : sys_(sys), scheduler_(std::move(scheduler)), opts_(opts), replies_(std::move(replies)) {}

discord_delivery::~discord_delivery() {
  stop();
}

void discord_delivery::start() {
  if (thread_.joinable())
    return;
  thread_ = std::thread([this] { run_deliveries(); });
  for (auto id : replies_->jobs_with_replies())
    job_ended(id);
}

void discord_delivery::stop() {
  {
    std::lock_guard<std::mutex> guard{mu_};
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void discord_delivery::job_ended(uint64_t id) {
  {
    std::lock_guard<std::mutex> guard{mu_};
    ended_.push_back(id);
  }
  cv_.notify_all();
}

void discord_delivery::await_result(const interaction& in, const guild_binding& where,
                                    uint64_t job_id) {
  pending_reply p;
  p.job_id = job_id;
  p.tenant = where.tenant;
  p.workspace = where.workspace;
  p.guild_id = in.guild_id.value_or("");
  p.channel_id = in.channel_id;
  p.user_id = in.user_id;
  p.created_at = now_millis();
  replies_->add_reply(p);
  // It may have ended while the reply was being recorded; the delivery thread checks.
  job_ended(job_id);
}

std::string discord_delivery::result_text(const job_view& v) const {
  auto id = std::to_string(v.job.id);
  if (v.state != job_state::done)
    return "Job " + id + " " + std::string{to_string(v.state)} +
           (v.last_error.empty() ? "." : ": " + v.last_error);
  auto r = opts_.results_of ? opts_.results_of(v) : nlohmann::json{};
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

std::string discord_delivery::route_for(const std::string& tenant,
                                        const std::string& workspace) const {
  if (!opts_.config.discord.bot_token.empty())
    return "in this channel";
  if (webhook_for(opts_.config, tenant, workspace))
    return "to this server's vfb webhook";
  return {};
}

void discord_delivery::edit_reply(const interaction& in, const std::string& text) const {
  auto url = opts_.config.discord.api_base + edit_original_path(in);
  auto res = send_to_discord("PATCH", url, edit_original_body(text));
  if (!res.ok)
    spdlog::warn("discord: the reply to /{} could not be edited: {}", in.command, res.error);
}

void discord_delivery::run_deliveries() {
  for (;;) {
    uint64_t id = 0;
    {
      std::unique_lock<std::mutex> lock{mu_};
      cv_.wait(lock, [&] { return stopping_ || !ended_.empty(); });
      if (stopping_)
        return;
      id = ended_.front();
      ended_.pop_front();
    }
    try {
      deliver(id);
    } catch (const std::exception& e) {
      spdlog::warn("discord: the answers for job {} wait for the next restart: {}", id, e.what());
    }
  }
}

void discord_delivery::deliver(uint64_t id) {
  auto waiting = replies_->replies_for(id);
  if (waiting.empty())
    return;
  auto [found, err] =
      blocking_ask<job_view>(sys_, scheduler_, opts_.timeout, caf::get_atom::value, id);
  if (!found && err.category() == error_category &&
      err.code() == static_cast<uint8_t>(errc::not_found)) {
    // The queue no longer knows the job: nothing will ever end, so nobody is left waiting.
    spdlog::warn("discord: job {} is gone from the queue; its {} pending answers are dropped", id,
                 waiting.size());
    for (const auto& p : waiting)
      replies_->remove_reply(p.job_id, p.id);
    return;
  }
  if (!found)
    throw command_failed(failure_text(err));
  auto v = std::move(*found);
  if (!job_over(v.state))
    return; // it runs again (a retry): the answers wait for its end
  auto text = result_text(v);
  for (const auto& p : waiting)
    if (send_answer(p, text))
      replies_->remove_reply(p.job_id, p.id);
}

bool discord_delivery::send_answer(const pending_reply& p, const std::string& text) {
  const auto& cfg = opts_.config.discord;
  auto body = answer_message_body(text, p.user_id);
  auto post = [&]() -> webhook_result {
    if (!cfg.bot_token.empty() && !p.channel_id.empty())
      return send_to_discord("POST", cfg.api_base + channel_messages_path(p.channel_id), body,
                             std::chrono::seconds{30}, cfg.bot_token);
    if (auto hook = webhook_for(opts_.config, p.tenant, p.workspace))
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
    std::unique_lock<std::mutex> lock{mu_}; // Discord's retry_after, unless the bridge stops
    if (cv_.wait_for(lock, std::max(res.retry_after, std::chrono::milliseconds{500}),
                     [&] { return stopping_; }))
      return false;
  }
  spdlog::warn("discord: the answer for job {} (reply {}) was not delivered: {}", p.job_id, p.id,
               res.error);
  return !res.retryable; // a refusal is final; an outage waits for the next restart
}

} // namespace vfb
