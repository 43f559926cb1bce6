// follows/follow_service over a real registry in a temporary directory: one follow per channel
// per workspace whoever asks, who lists it first, the refresh cap of its plan, and a listing
// recorded without undoing a change made while it ran.
#include "follows/follow_service.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

namespace {

std::shared_ptr<follow_registry> open_registry(const test::temp_dir& dir) {
  follow_registry_options o;
  o.dir = dir / "follows";
  o.sync = false;
  return std::make_shared<follow_registry>(o);
}

follow_options options() {
  follow_options o;
  o.max_videos = 40;
  o.window = 10 * 24 * 3600 * 1000LL;
  o.refresh.interval = 1'000'000;
  o.refresh.jitter_pct = 10;
  o.refresh.refresh_limit = 25;
  return o;
}

follow_request request(const std::string& url) {
  follow_request r;
  r.url = url;
  r.tenant = "acme";
  r.workspace = "main";
  r.origin = job_origin::discord;
  return r;
}

constexpr millis now = 1'764'419'400'000;

} // namespace

TEST_CASE("a follow is created once per channel and workspace, asking again returns it") {
  test::temp_dir dir;
  auto registry = open_registry(dir);
  follow_service follows{registry, options()};
  auto first =
      follows.follow(request("https://www.youtube.com/@Sci"), now, first_listing::by_caller);
  CHECK(first.created);
  CHECK(first.follow.id != 0);
  CHECK(first.follow.origin == job_origin::discord);
  CHECK(first.follow.limit == 40);
  CHECK(first.follow.since == now - options().window);
  CHECK(first.follow.created_at == now);
  // Listed by the caller: the refresher's turn comes one period (with jitter) later.
  CHECK(first.follow.next_refresh_at >= now + 900'000);
  CHECK(first.follow.next_refresh_at <= now + 1'100'000);
  CHECK(registry->due(now + 899'999).empty());

  // Another spelling of the same channel, another origin, a later time: the same follow.
  auto again = request("https://www.youtube.com/@sci/streams");
  again.origin = job_origin::api;
  auto second = follows.follow(again, now + 5, first_listing::by_refresher);
  CHECK_FALSE(second.created);
  CHECK(second.follow.id == first.follow.id);
  CHECK(second.follow.origin == job_origin::discord);
  CHECK(second.follow.next_refresh_at == first.follow.next_refresh_at);
  CHECK(registry->list().size() == 1);

  // Another workspace follows it on its own; left to the refresher, it is due at once.
  auto other = request("https://www.youtube.com/@sci");
  other.workspace = "side";
  auto third = follows.follow(other, now, first_listing::by_refresher);
  CHECK(third.created);
  CHECK(third.follow.next_refresh_at == now);
  REQUIRE(registry->due(now).size() == 1);
  CHECK(registry->due(now).front().id == third.follow.id);
}

TEST_CASE("a refused URL stores nothing") {
  test::temp_dir dir;
  auto registry = open_registry(dir);
  follow_service follows{registry, options()};
  CHECK_THROWS_AS(
      follows.follow(request("https://youtu.be/dQw4w9WgXcQ"), now, first_listing::by_caller),
      follow_refused);
  CHECK(registry->list().empty());
}

TEST_CASE("a follow's plan refreshes with the configured cap once it has been listed") {
  test::temp_dir dir;
  follow_service follows{open_registry(dir), options()};
  auto f =
      follows.follow(request("https://www.youtube.com/@sci"), now, first_listing::by_caller).follow;
  CHECK(follows.plan(f).limit == 40); // the backfill: the follow's own cap
  f.last_listed_at = now;
  CHECK(follows.plan(f).limit == 25);
  CHECK(follows.plan(f).priority == priority_class::refresh);
}

TEST_CASE("a stored listing keeps a pause made meanwhile, and a removed follow stays removed") {
  test::temp_dir dir;
  auto registry = open_registry(dir);
  follow_service follows{registry, options()};
  auto id = follows.follow(request("https://www.youtube.com/@sci"), now, first_listing::by_caller)
                .follow.id;
  // The CLI pauses the follow while its listing runs.
  registry->modify(id, [](follow_record& f) { f.paused = true; });
  enumeration_result r;
  r.ran = true;
  r.enqueued = 4;
  r.newest_id = "vid0xxxxxxx";
  r.newest_timestamp = 1'700'000'000;
  auto before = now_millis();
  follows.store_listing(id, r);
  auto after = now_millis();
  auto stored = registry->get(id);
  REQUIRE(stored);
  CHECK(stored->paused);
  CHECK(stored->enqueued_total == 4);
  CHECK(stored->newest_id == "vid0xxxxxxx");
  CHECK(stored->last_listed_at >= before);
  CHECK(stored->last_listed_at <= after);
  CHECK(stored->next_refresh_at >= stored->last_listed_at + 900'000);
  CHECK(stored->next_refresh_at <= stored->last_listed_at + 1'100'000);

  REQUIRE(registry->remove(id));
  follows.store_listing(id, r); // the listing of a follow removed meanwhile: nothing to record
  CHECK(registry->list().empty());
}
