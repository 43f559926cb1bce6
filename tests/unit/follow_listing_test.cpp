// follows/follow_listing without yt-dlp: why a listing does not run, and how the queue's
// answers become the counts and the one line people read.
#include "follows/follow_listing.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

namespace {

backfill_plan feed_plan() {
  backfill_plan p;
  p.source_type = "generic";
  p.channel_url = "http://127.0.0.1:9/feed.xml";
  p.tenant = "acme";
  p.workspace = "main";
  p.follow_id = 5;
  return p;
}

enqueue_result answer(enqueue_status s, uint64_t id) {
  enqueue_result a;
  a.status = s;
  a.job_id = id;
  return a;
}

} // namespace

TEST_CASE("the queue's answers become counts, new job ids and one line") {
  auto plan = feed_plan();
  plan.uploader_handle = "Feed";
  enumeration_result r;
  r.listed = 5;
  r.duplicates = 1; // known to the follow already
  r.skipped = 1;
  count_enqueued(r, plan,
                 {answer(enqueue_status::created, 11), answer(enqueue_status::duplicate, 3),
                  answer(enqueue_status::invalid, 0), answer(enqueue_status::created, 12)});
  CHECK(r.enqueued == 2);
  CHECK(r.job_ids == std::vector<uint64_t>{11, 12});
  CHECK(r.duplicates == 2);
  CHECK(r.skipped == 2);
  CHECK(r.note == "listed 5 videos of Feed (http://127.0.0.1:9/feed.xml): 2 enqueued, 2 already "
                  "known, 2 skipped (unavailable, too old, not yet streamed or premiered, or "
                  "refused)");
  enumeration_result plain;
  plain.malformed = 3;
  count_enqueued(plain, feed_plan(), {});
  CHECK(plain.note == "listed 0 videos of http://127.0.0.1:9/feed.xml: 0 enqueued, 0 already "
                      "known, 3 malformed lines");
}

TEST_CASE("a listing without jobs is finished without the queue, keeping a note that says why") {
  auto plan = feed_plan();
  std::vector<ingest_job> jobs;
  enumeration_result ran;
  ran.ran = true;
  ran.listed = 2;
  ran.duplicates = 2;
  CHECK(finish_without_jobs(ran, plan, jobs));
  CHECK_THAT(ran.note, Catch::StartsWith("listed 2 videos"));
  enumeration_result failed;
  failed.ok = false;
  failed.note = "listing failed";
  CHECK(finish_without_jobs(failed, plan, jobs));
  CHECK(failed.note == "listing failed");
  jobs.emplace_back();
  enumeration_result some;
  CHECK_FALSE(finish_without_jobs(some, plan, jobs));
  CHECK(some.note.empty());
}

TEST_CASE("a listing that cannot run says why, and lists nothing") {
  enumerator_options o;
  o.ytdlp.program = "/nonexistent/yt-dlp";
  o.policy.allow_loopback = true;
  std::vector<ingest_job> jobs{ingest_job{}}; // cleared by every listing
  auto plan = feed_plan();

  plan.automatic = true; // auto-follow's follows wait for the backfill switch
  auto off = list_for_plan(o, plan, jobs);
  CHECK(off.ok);
  CHECK_FALSE(off.ran);
  CHECK(off.follow_id == 5);
  CHECK(jobs.empty());
  CHECK_THAT(off.note, Catch::Contains("ENABLE_UPLOADER_BACKFILL"));

  plan.automatic = false;
  auto missing = list_for_plan(o, plan, jobs);
  CHECK(missing.ok);
  CHECK_FALSE(missing.ran);
  CHECK_THAT(missing.note, Catch::Contains("yt-dlp not found (tools.ytdlp = /nonexistent/yt-dlp)"));

  o.policy.allow_loopback = false; // the policy changed since the follow was made
  auto refused = list_for_plan(o, plan, jobs);
  CHECK_FALSE(refused.ok);
  CHECK_THAT(refused.note, Catch::StartsWith("not listing http://127.0.0.1:9/feed.xml: "));

  o.stop = std::make_shared<std::atomic<bool>>(true);
  auto stopping = list_for_plan(o, plan, jobs);
  CHECK_FALSE(stopping.ok);
  CHECK(stopping.note == "the node is stopping: http://127.0.0.1:9/feed.xml is listed later");
}

TEST_CASE("a plan's listings count against its source") {
  auto plan = feed_plan();
  CHECK(source_of(plan) == "generic");
  plan.source_type = "youtube";
  CHECK(source_of(plan) == "youtube");
  plan.source_type = "anything else";
  CHECK(source_of(plan) == "generic");
}
