#include "actors/auto_follow.hpp"

#include "actors/scheduler.hpp"
#include "adapters/channel.hpp"
#include "messages/errors.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace vfb {

follow_decision decide_follow(const download_completed& d, auto_follow_setting setting,
                              const auto_follow_options& opts, millis now) {
  follow_decision out;
  auto& r = out.result;
  const auto& job = d.job;
  r.job_id = job.id;
  r.key = job.key;
  r.enabled = setting == auto_follow_setting::on ||
              (setting == auto_follow_setting::inherit && opts.enabled);
  auto where = job.key.tenant + "/" + job.key.workspace;
  if (!r.enabled) {
    r.note = "auto-follow is off for " + where;
    return out;
  }
  if (job.key.source != "youtube" || !is_youtube_download(d.download)) {
    r.note = "not a YouTube video (" +
             (d.download.extractor.empty() ? std::string{"unknown site"} : d.download.extractor) +
             "): auto-follow skipped";
    return out;
  }
  if (d.download.uploader.empty()) {
    r.note = "the video names no uploader: auto-follow skipped";
    return out;
  }
  auto channel = resolve_channel(d.download);
  if (!channel) {
    r.note = "the uploader's channel is unknown: auto-follow skipped";
    return out;
  }
  r.channel_url = *channel;
  follow_record f;
  f.tenant = job.key.tenant;
  f.workspace = job.key.workspace;
  f.channel_url = *channel;
  f.source = "youtube";
  f.uploader = d.download.uploader;
  f.origin = job_origin::backfill;
  f.created_from_job = job.id;
  f.since = now - opts.window;
  f.limit = opts.max_videos;
  out.follow = std::move(f);
  return out;
}

namespace {

using self_ptr = auto_follow_actor::stateful_pointer<auto_follow_state>;

void publish(self_ptr self, const follow_result& r) {
  spdlog::info("job {}: {}", r.job_id, r.note);
  for (auto& sink : self->state.subscribers)
    self->send(sink, r);
}

} // namespace

auto_follow_actor::behavior_type
auto_follow(auto_follow_actor::stateful_pointer<auto_follow_state> self,
            std::shared_ptr<follow_registry> registry, channel_enumerator_actor enumerator,
            auto_follow_options options) {
  self->state.registry = std::move(registry);
  self->state.enumerator = std::move(enumerator);
  self->state.options = options;
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& subs = self->state.subscribers;
    subs.erase(
        std::remove_if(subs.begin(), subs.end(),
                       [&](const follow_result_sink& s) { return s.address() == msg.source; }),
        subs.end());
  });
  return {
      [=](const download_completed& d) {
        auto& st = self->state;
        auto now = now_millis();
        follow_decision decision;
        try {
          auto setting = st.registry->setting(d.job.key.tenant, d.job.key.workspace);
          decision = decide_follow(d, setting, st.options, now);
          if (!decision.follow)
            return publish(self, decision.result);
          // Listed right below: the refresher must not pick it up as due meanwhile.
          decision.follow->next_refresh_at = next_refresh(now, st.options.refresh, st.rng);
          auto added = st.registry->add(*decision.follow, now);
          decision.result.follow_id = added.follow.id;
          if (!added.created) {
            decision.result.note = "already following " + added.follow.channel_url + " (follow " +
                                   std::to_string(added.follow.id) + ")";
            return publish(self, decision.result);
          }
          decision.follow = added.follow;
        } catch (const std::exception& e) {
          decision.result.note = "auto-follow failed: " + std::string{e.what()};
          spdlog::error("job {}: {}", d.job.id, decision.result.note);
          return publish(self, decision.result);
        }
        auto follow = *decision.follow;
        auto result = decision.result;
        self->request(st.enumerator, caf::infinite, enumerate_atom::value,
                      plan_for(follow, st.options.refresh.refresh_limit))
            .then(
                [=](const enumeration_result& r) {
                  auto& st = self->state;
                  auto done = result;
                  done.enqueued = r.enqueued;
                  done.job_ids = r.job_ids;
                  done.note = "following " + follow.channel_url + ": " + r.note;
                  store_listing(*st.registry, follow.id, r, st.options.refresh, st.rng);
                  publish(self, done);
                },
                [=](const caf::error& e) {
                  auto failed = result;
                  failed.note = "following " + follow.channel_url +
                                ", but its backfill failed: " + error_message(e);
                  publish(self, failed);
                });
      },
      [=](subscribe_atom, const follow_result_sink& sink) {
        self->monitor(sink);
        self->state.subscribers.push_back(sink);
      },
  };
}

} // namespace vfb
