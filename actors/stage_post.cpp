// The post stage: the job's card to its workspace's Discord webhook, paced by Discord's rate-limit
// headers; backfill and refresh results wait for their follow's digest instead.
#include "actors/stage_parts.hpp"
#include "adapters/discord_webhook.hpp"
#include "storage/discord_store.hpp"
#include "text/durations.hpp"

#include <filesystem>
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
  if (s.env->artifacts->checkpoint(job.id, stage_kind::post))
    return went_on("already posted"); // never post twice for one job
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
  auto payload =
      build_webhook_payload(make_post(d, *a, d.webpage_url.empty() ? job.url : d.webpage_url));
  auto attempts = std::max<int64_t>(1, cfg.discord.post_attempts);
  webhook_result res;
  for (int64_t i = 1;; ++i) {
    auto ready = s.webhooks.ready_at(*hook);
    auto until_ready =
        std::chrono::duration_cast<std::chrono::milliseconds>(ready - webhook_pacer::clock::now());
    if (until_ready > longest_inline_wait)
      return ended(job_outcome::throttled("discord", until_ready.count(),
                                          "Discord asked to wait before the next post"));
    std::this_thread::sleep_until(ready); // Discord's rate limit: nothing to do meanwhile
    res = post_webhook(*hook, payload);
    if (res.retry_after.count() > 0)
      s.webhooks.wait_after(*hook, res.retry_after);
    if (res.ok) {
      s.env->artifacts->save_checkpoint(job.id, stage_kind::post,
                                        nlohmann::json{{"status", res.status}});
      return went_on("posted to Discord");
    }
    if (!res.retryable)
      return ended(job_outcome::permanent("Discord refused the post: " + res.error));
    if (i >= attempts)
      return ended(job_outcome::transient("Discord post failed " + std::to_string(i) +
                                          " times: " + res.error));
    // Discord says how long to wait on a 429; without that, back off 1 s, 2 s, 4 s ...
    auto wait = res.retry_after.count() > 0
                    ? res.retry_after
                    : std::chrono::milliseconds{1000 << std::min<int64_t>(i - 1, 5)};
    if (wait > longest_inline_wait)
      return ended(job_outcome::throttled("discord", wait.count(), res.error));
    report(0, "Discord: " + res.error + ", retrying in " + std::to_string(wait.count()) + " ms");
    s.webhooks.wait_after(*hook, wait); // the loop's next round waits for it
  }
}

} // namespace vfb::stage_parts
