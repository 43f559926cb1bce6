#include "actors/follow_refresher.hpp"

#include "actors/scheduler.hpp"
#include "messages/errors.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

namespace vfb {

namespace {

using self_ptr = follow_refresher_actor::stateful_pointer<follow_refresher_state>;

/// Lists one follow; `rp` (when given) gets the result.
void refresh(self_ptr self, const follow_record& f,
             std::optional<caf::typed_response_promise<enumeration_result>> rp) {
  auto& st = self->state;
  if (!st.in_flight.insert(f.id).second) {
    if (rp) {
      enumeration_result busy;
      busy.follow_id = f.id;
      busy.note = "follow " + std::to_string(f.id) + " is being listed already";
      rp->deliver(busy);
    }
    return;
  }
  auto id = f.id;
  self->request(st.enumerator, caf::infinite, enumerate_atom::value, st.follows->plan(f))
      .then(
          [=](const enumeration_result& r) mutable {
            auto& st = self->state;
            st.in_flight.erase(id);
            st.follows->store_listing(id, r);
            if (rp)
              rp->deliver(r);
          },
          [=](const caf::error& e) mutable {
            self->state.in_flight.erase(id);
            spdlog::error("follow {}: listing failed: {}", id, error_message(e));
            if (rp)
              rp->deliver(e);
          });
}

} // namespace

follow_refresher_actor::behavior_type
follow_refresher(follow_refresher_actor::stateful_pointer<follow_refresher_state> self,
                 std::shared_ptr<follow_registry> registry, channel_enumerator_actor enumerator,
                 refresher_options options) {
  auto& st = self->state;
  follow_options fo;
  fo.refresh = options;
  st.follows = std::make_unique<follow_service>(std::move(registry), fo);
  st.enumerator = std::move(enumerator);
  self->send(self, tick_atom::value);
  return {
      [=](tick_atom) {
        try {
          for (const auto& f : self->state.follows->registry().due(now_millis()))
            refresh(self, f, std::nullopt);
        } catch (const std::exception& e) {
          spdlog::error("follow refresher: cannot read the follows: {}", e.what());
        }
        self->delayed_send(self,
                           std::chrono::milliseconds{self->state.follows->options().refresh.tick},
                           tick_atom::value);
      },
      [=](refresh_atom, uint64_t id) -> caf::result<enumeration_result> {
        std::optional<follow_record> f;
        try {
          f = self->state.follows->registry().get(id);
        } catch (const std::exception& e) {
          return make_error(errc::storage_failure, e.what());
        }
        if (!f)
          return make_error(errc::not_found, "no follow " + std::to_string(id));
        auto rp = self->make_response_promise<enumeration_result>();
        refresh(self, *f, rp);
        return rp;
      },
  };
}

} // namespace vfb
