// Creating a follow and recording its listings, over the registry.
#include "follows/follow_service.hpp"

#include <spdlog/spdlog.h>

namespace vfb {

follow_service::follow_service(std::shared_ptr<follow_registry> registry, follow_options options)
    : registry_(std::move(registry)), options_(std::move(options)) {}

millis follow_service::next_refresh_after(millis now) {
  std::lock_guard<std::mutex> guard{rng_mu_};
  return next_refresh(now, options_.refresh, rng_);
}

follow_added follow_service::follow(const follow_request& req, millis now, first_listing first) {
  return add(new_follow(req, options_, now), now, first);
}

follow_added follow_service::add(follow_record f, millis now, first_listing first) {
  // Listed by the caller: the refresher must not pick it up as due meanwhile. Otherwise the
  // registry makes it due now.
  f.next_refresh_at = first == first_listing::by_caller ? next_refresh_after(now) : now;
  return registry_->add(std::move(f), now);
}

backfill_plan follow_service::plan(const follow_record& f) const {
  return plan_for(f, options_.refresh.refresh_limit);
}

void follow_service::store_listing(uint64_t follow_id, const enumeration_result& r) {
  try {
    auto now = now_millis();
    auto next = next_refresh_after(now);
    // One transaction: a pause made while the listing ran stays (a read, then a separate
    // update, would write back the follow as it was before the pause).
    registry_->modify(follow_id, [&](follow_record& f) { record_listing(f, r, now, next); });
  } catch (const std::exception& e) {
    spdlog::error("follow {}: cannot record its listing: {}", follow_id, e.what());
  }
}

} // namespace vfb
