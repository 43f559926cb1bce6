#include "actors/digest_poster.hpp"

#include "adapters/discord_webhook.hpp"
#include "storage/discord_store.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace vfb {

size_t flush_digests(discord_store& store, const vfb_config& cfg,
                     const std::set<std::pair<std::string, std::string>>& busy, millis now) {
  size_t posted = 0;
  auto interval = cfg.discord.digest_interval_min * 60'000;
  for (const auto& g : store.digest_groups()) {
    auto oldest = g.entries.front().added_at;
    for (const auto& e : g.entries)
      oldest = std::min(oldest, e.added_at);
    if (busy.count({g.tenant, g.workspace}) != 0 && now - oldest < interval)
      continue; // more of this follow's videos are on their way
    auto hook = webhook_for(cfg, g.tenant, g.workspace);
    if (!hook) {
      spdlog::warn("discord: a digest of {} videos for {}/{} is dropped: no webhook",
                   g.entries.size(), g.tenant, g.workspace);
      store.remove_digest_entries(g);
      continue;
    }
    std::vector<digest_item> items;
    for (const auto& e : g.entries)
      items.push_back({e.title, e.url});
    auto res =
        post_webhook(*hook, build_digest_payload(g.entries.front().uploader, g.group, items));
    if (res.ok) {
      store.remove_digest_entries(g);
      ++posted;
    } else if (!res.retryable) {
      spdlog::warn("discord: the digest for {}/{} was refused: {}", g.tenant, g.workspace,
                   res.error);
      store.remove_digest_entries(g);
    } else {
      spdlog::info("discord: the digest for {}/{} waits: {}", g.tenant, g.workspace, res.error);
    }
  }
  return posted;
}

digest_poster_actor::behavior_type digest_poster(digest_poster_actor::pointer self,
                                                 scheduler_actor scheduler,
                                                 std::shared_ptr<discord_store> store,
                                                 vfb_config cfg, digest_poster_options opts) {
  self->delayed_send(self, opts.tick, tick_atom::value);
  return {[=](tick_atom) {
    auto next = [=] { self->delayed_send(self, opts.tick, tick_atom::value); };
    if (store->digest_groups().empty())
      return next();
    job_filter filter;
    filter.states = {job_state::queued, job_state::leased, job_state::retrying};
    filter.limit = 100'000;
    self->request(scheduler, opts.timeout, list_atom::value, filter)
        .then(
            [=](const std::vector<job_view>& pending) {
              std::set<std::pair<std::string, std::string>> busy;
              for (const auto& v : pending)
                if (v.job.priority != priority_class::interactive)
                  busy.emplace(v.job.key.tenant, v.job.key.workspace);
              try {
                flush_digests(*store, cfg, busy, now_millis());
              } catch (const std::exception& e) {
                spdlog::warn("discord: digests not posted: {}", e.what());
              }
              next();
            },
            [=](const caf::error&) { next(); });
  }};
}

} // namespace vfb
