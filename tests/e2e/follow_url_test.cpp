// What a follow URL becomes (follow_for_url) and how a follow is planned (plan_for): pure
// functions of the actors that follow, tested without an actor system.
#include "adapters/follow_url.hpp"
#include "follows/follow_plan.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

namespace {

const std::string uc = "UCabcdefghijklmnopqrstuv";
const std::string pl = "PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU";

} // namespace

TEST_CASE("both spellings of a non-ASCII handle are one follow") {
  url_policy policy;
  auto typed = follow_for_url("https://www.youtube.com/@Caf\xC3\xA9", policy);
  CHECK(typed.channel_url == "https://www.youtube.com/@caf%C3%A9");
  CHECK(typed.source == "youtube");
  // The registry's dedupe key is this URL.
  CHECK(follow_for_url("https://www.youtube.com/@caf%C3%A9/streams", policy).channel_url ==
        typed.channel_url);
  CHECK(follow_for_url("@caf\xC3\xA9", policy).channel_url == typed.channel_url);
}

TEST_CASE("a playlist, or a video played in one, is followed as the playlist") {
  auto canonical = "https://www.youtube.com/playlist?list=" + pl;
  auto f = follow_for_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=" + pl, url_policy{});
  CHECK(f.channel_url == canonical);
  CHECK(f.source == "youtube");
  // A refresh of a playlist lists up to the follow's cap again: no marker can stop it early;
  // the queue's dedupe keeps it exact, at backfill priority so as to promote no queued job.
  follow_record listed;
  listed.channel_url = canonical;
  listed.source = "youtube";
  listed.limit = 500;
  listed.last_listed_at = 1;
  CHECK(plan_for(listed, 200).limit == 500);
  CHECK(plan_for(listed, 200).priority == priority_class::backfill);
  CHECK(plan_for(listed, 200).origin == job_origin::refresh);
  listed.channel_url = "https://www.youtube.com/@x";
  CHECK(plan_for(listed, 200).limit == 200);
  CHECK(plan_for(listed, 200).priority == priority_class::refresh);
}

TEST_CASE("a channel's feed URL is followed as the channel") {
  auto f =
      follow_for_url("https://www.youtube.com/feeds/videos.xml?channel_id=" + uc, url_policy{});
  CHECK(f.channel_url == "https://www.youtube.com/channel/" + uc);
  CHECK(f.source == "youtube");
}

TEST_CASE("a URL that cannot be followed is refused with what can be") {
  url_policy policy;
  auto refusal = [&](const std::string& url) {
    try {
      follow_for_url(url, policy);
    } catch (const std::invalid_argument& e) {
      return std::string{e.what()};
    }
    return std::string{"followed"};
  };
  // Each refusal ends with the same list of what can be followed.
  auto reason = [&](const std::string& url) {
    auto message = refusal(url);
    auto list = message.find(". Follow a YouTube channel (https://www.youtube.com/@handle");
    REQUIRE(list != std::string::npos);
    auto tail = message.substr(list);
    CHECK_THAT(tail, Catch::Contains("a YouTube playlist (https://www.youtube.com/playlist?list="));
    CHECK_THAT(tail, Catch::Contains("(https://www.youtube.com/feeds/videos.xml?channel_id=UC"));
    CHECK_THAT(tail, Catch::Contains("RSS feed or playlist on another site that yt-dlp can list"));
    return message.substr(0, list);
  };
  CHECK(reason("https://youtu.be/dQw4w9WgXcQ") ==
        "cannot follow 'https://youtu.be/dQw4w9WgXcQ': it is a video, not a channel or playlist");
  CHECK_THAT(reason("https://www.youtube.com/results?search_query=x"),
             Catch::EndsWith("it names no YouTube channel or playlist"));
  CHECK_THAT(reason("https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=RDdQw4w9WgXcQ"),
             Catch::Contains("is a mix"));
  CHECK_THAT(reason("http://127.0.0.1/feed.xml"), Catch::Contains("is local or private"));
  CHECK_THAT(reason("ftp://example.com/feed"), Catch::Contains("unsupported URL scheme"));
  CHECK(refusal("https://example.com/feed.xml") == "followed");
}
