// follows/follow_plan and follows/auto_follow_decision: the follow's pure rules (no registry,
// no actors). What a request becomes, when a follow is due again, how it is listed next, and
// what a listing changes in it.
#include "follows/auto_follow_decision.hpp"
#include "follows/follow_plan.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <set>

using namespace vfb;

namespace {

const std::string channel = "https://www.youtube.com/channel/UCsXVk37bltHxD1rDPwtNM8Q";
constexpr millis now = 1'764'419'400'000;

follow_options options() {
  follow_options o;
  o.max_videos = 50;
  o.window = 30 * 24 * 3600 * 1000LL;
  o.policy.allow_loopback = true;
  return o;
}

enumeration_result listed(std::string newest, int64_t newest_s, std::vector<std::string> per_url) {
  enumeration_result r;
  r.ran = true;
  r.enqueued = 3;
  r.newest_id = std::move(newest);
  r.newest_timestamp = newest_s;
  r.newest_ids = std::move(per_url);
  return r;
}

} // namespace

TEST_CASE("the next refresh is one period away, within the jitter, and spread over it") {
  refresher_options o;
  o.interval = 1'000'000;
  o.jitter_pct = 10;
  std::mt19937_64 rng{42};
  millis lowest = now + o.interval, highest = lowest;
  for (int i = 0; i < 2000; ++i) {
    auto next = next_refresh(now, o, rng);
    REQUIRE(next >= now + 900'000);
    REQUIRE(next <= now + 1'100'000);
    lowest = std::min(lowest, next);
    highest = std::max(highest, next);
  }
  // Both sides of the period are used: follows made together drift apart.
  CHECK(lowest < now + 950'000);
  CHECK(highest > now + 1'050'000);
  o.jitter_pct = 0;
  CHECK(next_refresh(now, o, rng) == now + o.interval);
  o.jitter_pct = 10;
  o.interval = 5; // a spread under a millisecond: exactly one period
  CHECK(next_refresh(now, o, rng) == now + 5);
}

TEST_CASE("a request becomes a follow with its own cap and window, or the configured ones") {
  follow_request req;
  req.url = "https://www.youtube.com/@Sci/videos";
  req.tenant = "acme";
  req.workspace = "main";
  req.origin = job_origin::api;
  auto f = new_follow(req, options(), now);
  CHECK(f.channel_url == "https://www.youtube.com/@sci");
  CHECK(f.source == "youtube");
  CHECK(f.tenant == "acme");
  CHECK(f.workspace == "main");
  CHECK(f.origin == job_origin::api);
  CHECK(f.limit == 50);
  CHECK(f.since == now - options().window);
  CHECK(f.id == 0);
  CHECK(f.next_refresh_at == 0); // the service decides who lists it first
  CHECK(f.created_from_job == 0);

  req.url = "http://127.0.0.1:8080/feed.xml";
  req.limit = 7;
  req.since = 1000;
  f = new_follow(req, options(), now);
  CHECK(f.source == "generic");
  CHECK(f.channel_url == "http://127.0.0.1:8080/feed.xml");
  CHECK(f.limit == 7);
  CHECK(f.since == 1000);
}

TEST_CASE("a URL that cannot be followed is refused, saying why and what can be") {
  follow_request req;
  req.tenant = "acme";
  req.workspace = "main";
  for (const char* url :
       {"https://youtu.be/dQw4w9WgXcQ", "https://www.youtube.com/", "http://127.0.0.1/feed.xml"}) {
    req.url = url;
    auto policy = options();
    policy.policy.allow_loopback = false;
    CHECK_THROWS_AS(new_follow(req, policy, now), follow_refused);
    try {
      new_follow(req, policy, now);
    } catch (const std::invalid_argument& e) { // the frontends' 400 / usage error
      CHECK_THAT(e.what(), Catch::StartsWith(std::string{"cannot follow '"} + url + "'"));
      CHECK_THAT(e.what(), Catch::Contains("Follow "));
    }
  }
}

TEST_CASE("the first listing is the backfill, later ones refresh from the newest known video") {
  follow_record f;
  f.id = 9;
  f.tenant = "acme";
  f.workspace = "main";
  f.channel_url = channel;
  f.source = "youtube";
  f.uploader = "Sci";
  f.since = 1234;
  f.limit = 500;
  auto backfill = plan_for(f, 200);
  CHECK(backfill.source_type == "youtube");
  CHECK(backfill.follow_id == 9);
  CHECK(backfill.uploader_handle == "Sci");
  CHECK(backfill.since == 1234);
  CHECK(backfill.limit == 500);
  CHECK(backfill.priority == priority_class::backfill);
  CHECK(backfill.origin == job_origin::backfill);
  CHECK(backfill.stop_at_id.empty());
  CHECK_FALSE(backfill.automatic); // a person's follow is listed whatever the backfill switch
  f.created_from_job = 3;
  CHECK(plan_for(f, 200).automatic);

  f.last_listed_at = now;
  f.newest_id = "newest00001";
  f.newest_ids = {"newest00001", "", "short000001"};
  f.newest_timestamp = 1'700'000'000'500;
  auto refresh = plan_for(f, 200);
  CHECK(refresh.limit == 200);
  CHECK(refresh.priority == priority_class::refresh);
  CHECK(refresh.origin == job_origin::refresh);
  CHECK(refresh.stop_at_id == "newest00001");
  CHECK(refresh.stop_at_ids == f.newest_ids);
  CHECK(refresh.known_until == 1'700'000'000); // seconds
  f.source = "generic";
  CHECK(plan_for(f, 200).source_type == "generic");
}

TEST_CASE("a listing's bookkeeping: counts, markers per URL, errors, the next refresh") {
  follow_record f;
  f.enqueued_total = 10;
  f.newest_id = "old00000001";
  f.newest_timestamp = 5000;
  f.newest_ids = {"old00000001", "oldstream01"};

  SECTION("a failed listing keeps what was known and says why") {
    enumeration_result failed;
    failed.ok = false;
    failed.ran = true;
    failed.note = "listing failed: HTTP 500";
    record_listing(f, failed, now, now + 60);
    CHECK(f.next_refresh_at == now + 60);
    CHECK(f.last_error == "listing failed: HTTP 500");
    CHECK(f.last_listed_at == 0);
    CHECK(f.enqueued_total == 10);
    CHECK(f.newest_id == "old00000001");
  }
  SECTION("nothing listed (backfill off, no yt-dlp): still never listed") {
    enumeration_result off;
    off.note = "backfill is off";
    record_listing(f, off, now, now + 60);
    CHECK(f.last_listed_at == 0); // the first real listing is still the backfill
    CHECK(f.last_error == "backfill is off");
    CHECK(f.next_refresh_at == now + 60);
  }
  SECTION("a listing that ran moves the markers it found and keeps the others") {
    f.last_error = "an earlier failure";
    record_listing(f, listed("new00000001", 1'700'000'000, {"new00000001", "", "short000001"}), now,
                   now + 60);
    CHECK(f.last_error.empty());
    CHECK(f.last_listed_at == now);
    CHECK(f.enqueued_total == 13);
    CHECK(f.newest_id == "new00000001");
    CHECK(f.newest_timestamp == 1'700'000'000'000);
    CHECK(f.newest_ids == std::vector<std::string>{"new00000001", "oldstream01", "short000001"});
    // A refresh that found nothing new keeps the stop markers.
    record_listing(f, listed("", 0, {"", "", ""}), now + 1, now + 61);
    CHECK(f.newest_id == "new00000001");
    CHECK(f.newest_timestamp == 1'700'000'000'000);
    CHECK(f.newest_ids.size() == 3);
    CHECK(f.enqueued_total == 16);
    CHECK(f.last_listed_at == now + 1);
  }
}

TEST_CASE("auto-follow's decision takes the window and cap from its options") {
  auto_follow_options o;
  o.enabled = true;
  o.max_videos = 12;
  o.window = 1000;
  download_completed d;
  d.job.id = 4;
  d.job.key = {"acme", "main", "youtube", "dQw4w9WgXcQ"};
  d.download.extractor = "Youtube";
  d.download.uploader = "Sci";
  d.download.channel_id = "UCsXVk37bltHxD1rDPwtNM8Q";
  auto decision = decide_follow(d, auto_follow_setting::inherit, o, now);
  REQUIRE(decision.follow);
  CHECK(decision.follow->limit == 12);
  CHECK(decision.follow->since == now - 1000);
  CHECK(decision.follow->origin == job_origin::backfill);
  CHECK(decision.follow->uploader == "Sci");
  CHECK(decision.result.channel_url == channel);
  CHECK(decision.result.job_id == 4);
  CHECK(decision.result.note.empty());
  d.download.channel_id.clear(); // no channel named anywhere
  auto unknown = decide_follow(d, auto_follow_setting::on, o, now);
  CHECK_FALSE(unknown.follow);
  CHECK_THAT(unknown.result.note, Catch::Contains("channel is unknown"));
  auto off = decide_follow(d, auto_follow_setting::off, o, now);
  CHECK_FALSE(off.result.enabled);
  CHECK(off.result.note == "auto-follow is off for acme/main");
}

TEST_CASE("a workspace's own auto-follow setting wins, inherit takes the node's switch") {
  CHECK(auto_follow_effective(auto_follow_setting::on, false));
  CHECK_FALSE(auto_follow_effective(auto_follow_setting::off, true));
  CHECK(auto_follow_effective(auto_follow_setting::inherit, true));
  CHECK_FALSE(auto_follow_effective(auto_follow_setting::inherit, false));
}
