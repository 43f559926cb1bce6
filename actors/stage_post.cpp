// The post stage: the job's card to its workspace's Discord webhook, paced by Discord's rate-limit
// headers; backfill and refresh results wait for their follow's digest instead.
#include "actors/stage_parts.hpp"
#include "adapters/discord_webhook.hpp"
#include "storage/discord_store.hpp"
#include "text/durations.hpp"

#include <filesystem>
#include <spdlog/spdlog.h>
#include <thread>

namespace vfb::stage_parts {

namespace fs = std::filesystem;

namespace {

/// The longest Discord rate-limit wait a post sits out in its worker; a longer one hands the
/// job back to the queue as throttled, so the worker is free meanwhile.
constexpr std::chrono::milliseconds longest_inline_wait{30'000};

/// The follow a backfill or refresh video came from, as its download tells: the channel.
std::string digest_group_of(const download_result& d) {
  for (const auto* v : {&d.channel_url, &d.uploader_url, &d.channel_id, &d.uploader})
    if (!v->empty())
      return *v;
  return "unknown uploader";
}

} // namespace

stage_result post_stage(shared_state& s, const stage_request& req, const progress_fn& report) {
  const auto& job = req.job;
  const auto& cfg = s.env->config;
  auto hook = webhook_for(cfg, job.key.tenant, job.key.workspace);
  if (!hook)
    return went_on("no Discord webhook for " + job.key.tenant + "/" + job.key.workspace);
  // Never post twice for one job: a checkpoint says it was posted (or waits for a digest). One
  // that only says "posting" is from a run that stopped between asking Discord and hearing
  // back: the card may be there already, and a webhook cannot be asked. It is posted again, so
  // at most one repeat per crash (README, docs/RELIABILITY.md), and the log says so.
  bool repeat = false;
  if (auto done = s.env->artifacts->checkpoint(job.id, stage_kind::post)) {
    if (!done->contains("posting"))
      return went_on("already posted");
    repeat = true;
    spdlog::warn("job {}: the last run stopped while it posted to Discord; posting again (the "
                 "card may show twice)",
                 job.id);
  }
  // /analyze: the Discord bridge answers the asker with the result when the job ends (a bot
  // message, else this same webhook); a card here too would be the same answer twice.
  if (job.origin == job_origin::discord)
    return went_on("answered by the Discord bridge");
  auto d = need_download(s, job);
  // A new follow enqueues up to 200 backfill videos: one message each would flood the channel.
  if (job.priority != priority_class::interactive) {
    auto mode = backfill_posts_for(cfg, job.key.tenant, job.key.workspace);
    if (mode == "off")
      return went_on("backfill posts are off for " + job.key.tenant + "/" + job.key.workspace);
    if (mode == "digest" && s.env->discord) {
      digest_entry e{job.key.tenant,
                     job.key.workspace,
                     digest_group_of(d),
                     job.id,
                     d.uploader,
                     d.title.empty() ? d.video_id : d.title,
                     d.webpage_url.empty() ? job.url : d.webpage_url,
                     now_millis()};
      s.env->discord->add_digest_entry(e);
      s.env->artifacts->save_checkpoint(job.id, stage_kind::post,
                                        nlohmann::json{{"digest", e.group}});
      return went_on("waits for its follow's digest");
    }
  }
  auto a = load_checkpoint<analysis>(s, job, stage_kind::analyze);
  if (!a)
    throw std::runtime_error("the analysis checkpoint is missing; the job starts over");
  auto post = make_post(d, *a, d.webpage_url.empty() ? job.url : d.webpage_url);
  if (!cfg.api.public_url.empty())
    post.page_url = cfg.api.public_url + "/jobs/" + std::to_string(job.id);
  auto payload = build_webhook_payload(post);
  auto attempts = std::max<int64_t>(1, cfg.discord.post_attempts);
  webhook_result res;
  s.env->artifacts->save_checkpoint(job.id, stage_kind::post,
                                    nlohmann::json{{"posting", now_millis()}});
  // A post that surely did not happen (Discord answered every try with an error) leaves no
  // "posting" behind; one whose answer never came may have been made.
  bool unanswered = false;
  auto not_posted = [&](stage_result r) {
    if (!unanswered)
      s.env->artifacts->remove_checkpoint(job.id, stage_kind::post);
    return r;
  };
  for (int64_t i = 1;; ++i) {
    auto ready = s.webhooks.ready_at(*hook);
    auto until_ready =
        std::chrono::duration_cast<std::chrono::milliseconds>(ready - webhook_pacer::clock::now());
    if (until_ready > longest_inline_wait)
      return not_posted(ended(job_outcome::throttled(
          "discord", until_ready.count(), "Discord asked to wait before the next post")));
    std::this_thread::sleep_until(ready); // Discord's rate limit: nothing to do meanwhile
    bool earlier_unanswered = unanswered;
    res = post_webhook(*hook, payload);
    unanswered = unanswered || res.status == 0;
    if (res.retry_after.count() > 0)
      s.webhooks.wait_after(*hook, res.retry_after);
    if (res.ok) {
      if (earlier_unanswered) {
        repeat = true; // Discord may have made the post whose answer never came
        spdlog::warn("job {}: an earlier try got no answer from Discord; the card may show twice",
                     job.id);
      }
      auto message = nlohmann::json::parse(res.body, nullptr, false);
      nlohmann::json posted{{"status", res.status}, {"repeat", repeat}};
      if (message.is_object() && message.contains("id"))
        posted["message_id"] = message["id"];
      s.env->artifacts->save_checkpoint(job.id, stage_kind::post, posted);
      return went_on(repeat ? "posted to Discord again (after a crash)" : "posted to Discord");
    }
    if (!res.retryable)
      return not_posted(ended(job_outcome::permanent("Discord refused the post: " + res.error)));
    if (i >= attempts)
      return not_posted(ended(job_outcome::transient("Discord post failed " + std::to_string(i) +
                                                     " times: " + res.error)));
    // Discord says how long to wait on a 429; without that, back off 1 s, 2 s, 4 s ...
    auto wait = res.retry_after.count() > 0
                    ? res.retry_after
                    : std::chrono::milliseconds{1000 << std::min<int64_t>(i - 1, 5)};
    if (wait > longest_inline_wait)
      return not_posted(ended(job_outcome::throttled("discord", wait.count(), res.error)));
    report(0, "Discord: " + res.error + ", retrying in " + std::to_string(wait.count()) + " ms");
    s.webhooks.wait_after(*hook, wait); // the loop's next round waits for it
  }
}

} // namespace vfb::stage_parts
