#include "actors/follow_refresher.hpp"

#include "actors/scheduler.hpp"
#include "adapters/channel.hpp"
#include "adapters/follow_url.hpp"
#include "messages/errors.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

namespace vfb {

millis next_refresh(millis now, const refresher_options& o, std::mt19937_64& rng) {
  auto spread = o.interval * o.jitter_pct / 100;
  if (spread <= 0)
    return now + o.interval;
  std::uniform_int_distribution<millis> jitter{-spread, spread};
  return now + o.interval + jitter(rng);
}

namespace {

/// A refusal that says why, then what can be followed.
std::invalid_argument not_followable(const std::string& url, const std::string& why) {
  return std::invalid_argument("cannot follow '" + url + "': " + why + ". Follow " +
                               followable_urls + ".");
}

} // namespace

follow_record follow_for_url(const std::string& url, const url_policy& policy) {
  follow_record f;
  std::optional<std::string> youtube;
  try {
    youtube = youtube_follow_url(url);
  } catch (const std::invalid_argument& e) {
    throw not_followable(url, e.what());
  }
  if (youtube) {
    f.channel_url = *youtube;
    f.source = "youtube";
    return f;
  }
  auto c = canonicalize_url(url, policy);
  if (c.ok && c.ref.source == "youtube")
    throw not_followable(url, "it is a video, not a channel or playlist");
  if (!c.ok) // a YouTube page that is neither (the home page, a search) says so plainly
    throw not_followable(url, split_youtube_url(url) ? "it names no YouTube channel or playlist"
                                                     : c.error);
  f.channel_url = c.ref.canonical_url;
  f.source = "generic";
  return f;
}

backfill_plan plan_for(const follow_record& f, uint32_t refresh_limit) {
  backfill_plan p;
  p.source_type = f.source == "youtube" ? "youtube" : "generic";
  p.channel_url = f.channel_url;
  p.uploader_handle = f.uploader;
  p.tenant = f.tenant;
  p.workspace = f.workspace;
  p.since = f.since;
  p.follow_id = f.id;
  p.automatic = f.created_from_job != 0;
  if (f.last_listed_at == 0) { // never listed: the backfill itself
    p.limit = f.limit;
    p.priority = priority_class::backfill;
    p.origin = job_origin::backfill;
  } else {
    bool playlist = is_playlist_url(f.channel_url);
    p.limit = playlist ? f.limit : refresh_limit;
    // A playlist's refresh enqueues its whole window again (the queue's dedupe knows what is
    // new): at refresh priority it would promote every backfill job still queued.
    p.priority = playlist ? priority_class::backfill : priority_class::refresh;
    p.origin = job_origin::refresh;
    p.stop_at_id = f.newest_id;
    p.stop_at_ids = f.newest_ids;
    p.known_until = f.newest_timestamp / 1000;
  }
  return p;
}

void record_listing(follow_record& f, const enumeration_result& r, millis now, millis next) {
  f.next_refresh_at = next;
  if (!r.ok) {
    f.last_error = r.note;
    return;
  }
  if (!r.ran) {
    // Nothing was listed (backfill off, no yt-dlp): the first real listing is still the
    // backfill, with its window and cap.
    f.last_error = r.note;
    return;
  }
  f.last_error.clear();
  f.last_listed_at = now;
  f.enqueued_total += r.enqueued;
  if (!r.newest_id.empty()) {
    f.newest_id = r.newest_id;
    f.newest_timestamp = r.newest_timestamp * 1000;
  }
  // Each URL keeps its own marker until a listing finds something newer there.
  if (f.newest_ids.size() < r.newest_ids.size())
    f.newest_ids.resize(r.newest_ids.size());
  for (size_t i = 0; i < r.newest_ids.size(); ++i)
    if (!r.newest_ids[i].empty())
      f.newest_ids[i] = r.newest_ids[i];
}

void store_listing(follow_registry& registry, uint64_t follow_id, const enumeration_result& r,
                   const refresher_options& o, std::mt19937_64& rng) {
  try {
    auto now = now_millis();
    auto next = next_refresh(now, o, rng);
    // One transaction: a pause made while the listing ran stays (a read, then a separate
    // update, would write back the follow as it was before the pause).
    registry.modify(follow_id, [&](follow_record& f) { record_listing(f, r, now, next); });
  } catch (const std::exception& e) {
    spdlog::error("follow {}: cannot record its listing: {}", follow_id, e.what());
  }
}

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
  self->request(st.enumerator, caf::infinite, enumerate_atom::value,
                plan_for(f, st.options.refresh_limit))
      .then(
          [=](const enumeration_result& r) mutable {
            auto& st = self->state;
            st.in_flight.erase(id);
            store_listing(*st.registry, id, r, st.options, st.rng);
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
  st.registry = std::move(registry);
  st.enumerator = std::move(enumerator);
  st.options = options;
  self->send(self, tick_atom::value);
  return {
      [=](tick_atom) {
        try {
          for (const auto& f : self->state.registry->due(now_millis()))
            refresh(self, f, std::nullopt);
        } catch (const std::exception& e) {
          spdlog::error("follow refresher: cannot read the follows: {}", e.what());
        }
        self->delayed_send(self, std::chrono::milliseconds{self->state.options.tick},
                           tick_atom::value);
      },
      [=](refresh_atom, uint64_t id) -> caf::result<enumeration_result> {
        std::optional<follow_record> f;
        try {
          f = self->state.registry->get(id);
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
