// The follow service: the one place follows are created and their listings recorded, over the
// follow registry. `vfb follow add`, the HTTP API, the Discord bridge, auto-follow and the
// refresher all go through it, so a follow is made and kept the same way whoever asks.
// Thread-safe as the registry is (its own random source for the refresh jitter is locked).
#pragma once

#include "follows/follow_plan.hpp"
#include "storage/follow_registry.hpp"

#include <memory>
#include <mutex>
#include <random>

namespace vfb {

/// Who lists a new follow first.
enum class first_listing {
  by_caller,    // the caller lists it right away: the refresher's turn is one period later
  by_refresher, // due at once: the node's refresher lists it within a tick
};

class follow_service {
public:
  follow_service(std::shared_ptr<follow_registry> registry, follow_options options);

  follow_registry& registry() const { return *registry_; }
  const follow_options& options() const { return options_; }

  /// Follows what a person asked for: a new follow (new_follow), or the workspace's existing
  /// follow of that channel returned unchanged (`created` false). Throws follow_refused for a
  /// URL that cannot be followed (nothing stored), and what follow_registry::add throws.
  follow_added follow(const follow_request& req, millis now, first_listing first);

  /// Records a follow made elsewhere (`vfb follow add` checks its URL before it opens the
  /// registry; auto-follow decides its own) as `follow` does.
  follow_added add(follow_record f, millis now, first_listing first);

  /// The plan for the follow's next listing (the configured refresh cap).
  backfill_plan plan(const follow_record& f) const;

  /// Records a listing in the stored follow (unless it was removed meanwhile), with its next
  /// refresh time; a storage failure is logged, not thrown (the next listing records again).
  void store_listing(uint64_t follow_id, const enumeration_result& r);

private:
  millis next_refresh_after(millis now);

  std::shared_ptr<follow_registry> registry_;
  follow_options options_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_{std::random_device{}()};
};

} // namespace vfb
