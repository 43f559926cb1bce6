#include "actors/auto_follow.hpp"

#include "actors/scheduler.hpp"
#include "messages/errors.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace vfb {

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
  self->state.follows = std::make_unique<follow_service>(std::move(registry), options);
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
          auto setting = st.follows->registry().setting(d.job.key.tenant, d.job.key.workspace);
          decision = decide_follow(d, setting, st.options, now);
          if (!decision.follow)
            return publish(self, decision.result);
          // Listed right below: the refresher must not pick it up as due meanwhile.
          auto added = st.follows->add(*decision.follow, now, first_listing::by_caller);
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
        self->request(st.enumerator, caf::infinite, enumerate_atom::value, st.follows->plan(follow))
            .then(
                [=](const enumeration_result& r) {
                  auto done = result;
                  done.enqueued = r.enqueued;
                  done.job_ids = r.job_ids;
                  done.note = "following " + follow.channel_url + ": " + r.note;
                  self->state.follows->store_listing(follow.id, r);
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
