// The pure parts of following: channel resolution, the listing command line and its output,
// turning entries into backfill jobs, ISO dates.

#include "adapters/backfill.hpp"
#include "adapters/channel.hpp"
#include "adapters/follow_url.hpp"
#include "adapters/rate_limits.hpp"
#include "messages/time.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace vfb;

namespace {

const std::string uc = "UCabcdefghijklmnopqrstuv"; // 24 characters, like a real channel id

bool has_pair(const std::vector<std::string>& argv, const std::string& a, const std::string& b) {
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == a && argv[i + 1] == b)
      return true;
  return false;
}

} // namespace

TEST_CASE("every spelling of a channel becomes one canonical URL") {
  auto canonical = "https://www.youtube.com/channel/" + uc;
  CHECK(canonical_channel_url(canonical) == canonical);
  CHECK(canonical_channel_url("http://m.youtube.com/channel/" + uc + "/videos?view=0") ==
        canonical);
  CHECK(canonical_channel_url("https://music.youtube.com/channel/" + uc) == canonical);
  CHECK(canonical_channel_url(uc) == canonical);
  CHECK(canonical_channel_url("@SciShow") == "https://www.youtube.com/@scishow");
  CHECK(canonical_channel_url("https://youtube.com/@SciShow/streams#x") ==
        "https://www.youtube.com/@scishow");
  CHECK(canonical_channel_url("https://www.youtube.com/c/SciShow/videos") ==
        "https://www.youtube.com/c/SciShow");
  CHECK(canonical_channel_url("https://www.youtube.com/user/scishow") ==
        "https://www.youtube.com/user/scishow");
}

TEST_CASE("a handle in another script: one percent-encoded spelling, ASCII lower-cased") {
  const std::string cafe = "https://www.youtube.com/@caf%C3%A9";
  CHECK(canonical_channel_url("@caf\xC3\xA9") == cafe); // "@café" as typed
  CHECK(canonical_channel_url("https://www.youtube.com/@caf\xC3\xA9/videos") == cafe);
  CHECK(canonical_channel_url("https://m.youtube.com/@caf%c3%a9") == cafe);
  CHECK(canonical_channel_url("@CAF%C3%A9") == cafe);
  // Cyrillic and CJK handles; upper-case letters outside ASCII keep their case (and UTF-8).
  CHECK(canonical_channel_url("@\xD0\x9A\xD0\xBE\xD1\x82") == // "@Кот"
        "https://www.youtube.com/@%D0%9A%D0%BE%D1%82");
  CHECK(canonical_channel_url("@\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E") ==
        "https://www.youtube.com/@%E6%97%A5%E6%9C%AC%E8%AA%9E");
  for (const char* bad : {"@caf\xC3", // cut UTF-8
                          "@caf%C3",  // the same, encoded
                          "@caf%ZZ",  // not an escape
                          "@\xC0\xAF"
                          "abc", // overlong '/'
                          "@ab\xC2\xA0"
                          "cd", // no-break space
                          "@ab\xE2\x80\x8B"
                          "cd",                 // zero-width space
                          "@ab%2Fcd",           // an encoded '/'
                          "@\xC3\xA9\xC3\xA9"}) // two letters
    CHECK_FALSE(canonical_channel_url(bad));
  // The URL yt-dlp gets is ASCII, as every URL check here wants.
  CHECK(canonicalize_url(cafe + "/videos", url_policy{}).error ==
        "not a YouTube video URL (no video id): channel and playlist URLs are followed, not "
        "submitted");
}

TEST_CASE("playlists: playlist?list=, a video in a playlist, a playlist's feed, mixes refused") {
  const std::string pl = "PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU";
  const std::string canonical = "https://www.youtube.com/playlist?list=" + pl;
  CHECK(canonical_playlist_url(canonical) == canonical);
  CHECK(canonical_playlist_url("http://m.youtube.com/playlist?list=" + pl + "&si=x#t") ==
        canonical);
  CHECK(canonical_playlist_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=" + pl +
                               "&index=3") == canonical);
  CHECK(canonical_playlist_url("https://www.youtube.com/feeds/videos.xml?playlist_id=" + pl) ==
        canonical);
  CHECK(canonical_playlist_url("https://www.youtube.com/playlist?list=UUsXVk37bltHxD1rDPwtNM8Q") ==
        "https://www.youtube.com/playlist?list=UUsXVk37bltHxD1rDPwtNM8Q");
  CHECK(canonical_playlist_url("https://music.youtube.com/playlist?list="
                               "OLAK5uy_kZCTHeVLrd5y6bZyuQqUzLEzKPLwkCPTI") ==
        "https://www.youtube.com/playlist?list=OLAK5uy_kZCTHeVLrd5y6bZyuQqUzLEzKPLwkCPTI");
  CHECK_FALSE(canonical_playlist_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ"));
  CHECK_FALSE(canonical_playlist_url("https://example.com/playlist?list=" + pl));
  CHECK_THROWS_WITH(canonical_playlist_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ&list="
                                           "RDdQw4w9WgXcQ"),
                    Catch::Contains("mix"));
  CHECK_THROWS_WITH(canonical_playlist_url("https://www.youtube.com/playlist?list=WL"),
                    Catch::Contains("signed-in account"));
  CHECK_THROWS_WITH(canonical_playlist_url("https://www.youtube.com/playlist?list=PL<x>"),
                    Catch::Contains("malformed playlist id"));
  CHECK(is_playlist_url(canonical));
  CHECK_FALSE(is_playlist_url("https://www.youtube.com/@x"));

  backfill_plan plan;
  plan.channel_url = canonical;
  CHECK(plan_urls(plan, {"videos", "streams", "shorts"}) == std::vector<std::string>{canonical});
}

TEST_CASE("a channel's feed is followed as the channel") {
  auto channel = "https://www.youtube.com/channel/" + uc;
  CHECK(youtube_follow_url("https://www.youtube.com/feeds/videos.xml?channel_id=" + uc) == channel);
  CHECK(youtube_follow_url("https://youtube.com/feeds/videos.xml?user=scishow") ==
        "https://www.youtube.com/user/scishow");
  CHECK_FALSE(youtube_follow_url("https://www.youtube.com/feeds/videos.xml?channel_id=UCshort"));
  CHECK_FALSE(youtube_follow_url("https://www.youtube.com/feeds/videos.xml"));
}

TEST_CASE("a video URL or another site never becomes a channel") {
  for (const char* s :
       {"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube.com/live/dQw4w9WgXcQ",
        "https://www.youtube.com/embed/dQw4w9WgXcQ", "https://www.youtube.com/",
        "https://www.youtube.com/playlist?list=PL123", "https://vimeo.com/channels/staffpicks",
        "https://www.youtube.com/feeds/videos.xml?channel_id=UCabcdefghijklmnopqrstuv",
        "https://www.youtube.com.evil.example/@scishow", "@a", "@bad handle", "UCshort", "",
        "https://www.youtube.com/channel/notanid"})
    CHECK_FALSE(canonical_channel_url(s));
}

TEST_CASE("the uploader's channel: channel_url, then channel_id, then uploader_url, then handle") {
  download_result d;
  d.extractor = "Youtube";
  d.channel_url = "https://www.youtube.com/channel/" + uc;
  d.channel_id = "UCzzzzzzzzzzzzzzzzzzzzzz";
  d.uploader_url = "https://www.youtube.com/@other";
  d.uploader_id = "@third";
  CHECK(resolve_channel(d) == "https://www.youtube.com/channel/" + uc);
  d.channel_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"; // not a channel: next rule
  CHECK(resolve_channel(d) == "https://www.youtube.com/channel/UCzzzzzzzzzzzzzzzzzzzzzz");
  d.channel_id.clear();
  CHECK(resolve_channel(d) == "https://www.youtube.com/@other");
  d.uploader_url = "https://www.youtube.com/user/legacy"; // no /@: the handle comes next
  CHECK(resolve_channel(d) == "https://www.youtube.com/@third");
  d.uploader_id = "third"; // without the @
  CHECK(resolve_channel(d) == "https://www.youtube.com/@third");
  d.uploader_id.clear();
  CHECK_FALSE(resolve_channel(d));
  CHECK(channel_tabs("https://www.youtube.com/@x", {"videos", "streams"}) ==
        std::vector<std::string>{"https://www.youtube.com/@x/videos",
                                 "https://www.youtube.com/@x/streams"});
}

TEST_CASE("the chosen tabs in one order, each tab keeps its marker slot whatever is chosen") {
  CHECK(channel_tabs("https://www.youtube.com/@x", {"shorts", "videos"}) ==
        std::vector<std::string>{"https://www.youtube.com/@x/videos",
                                 "https://www.youtube.com/@x/shorts"});
  CHECK(marker_slot("https://www.youtube.com/@x/videos") == 0);
  CHECK(marker_slot("https://www.youtube.com/@x/streams") == 1);
  CHECK(marker_slot("https://www.youtube.com/@x/shorts") == 2);
  CHECK(marker_slot("https://www.youtube.com/playlist?list=PLt5yu3-wZAlSLRHmI1qNm0wjyVNWw1pCU") ==
        0);
  CHECK(marker_slot("http://127.0.0.1/feed.xml") == 0);
}

TEST_CASE("YouTube downloads are recognised by extractor, or by page when none is given") {
  download_result d;
  d.extractor = "Youtube";
  CHECK(is_youtube_download(d));
  d.extractor = "Generic";
  d.webpage_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
  CHECK_FALSE(is_youtube_download(d));
  d.extractor.clear();
  CHECK(is_youtube_download(d));
  d.webpage_url = "http://127.0.0.1:8080/watch/x";
  CHECK_FALSE(is_youtube_download(d));
}

TEST_CASE("the listing command: flat, lazy, JSON lines, a break filter, the URL after --") {
  listing_options o;
  o.since = 1'700'000'000'000;
  o.stop_at_id = "abc";
  auto argv = listing_argv(o, "-https://www.youtube.com/@x/videos");
  CHECK(argv.front() == "yt-dlp");
  for (const char* flag : {"--flat-playlist", "--lazy-playlist", "-j", "--ignore-config"})
    CHECK(std::find(argv.begin(), argv.end(), flag) != argv.end());
  CHECK(has_pair(argv, "--extractor-args", "youtubetab:approximate_date"));
  // No margin below the window: the first entry dated at or before it ends the listing. YouTube's
  // approximate dates are midnights (yt-dlp rounds them to the day), so the edge is the midnight
  // after the window's start (2023-11-14T22:13:20Z -> 2023-11-15T00:00:00Z).
  CHECK(has_pair(argv, "--break-match-filters", "timestamp>?1700006400 & id!=?abc"));
  CHECK(listing_edge(o) == 1'700'006'400);
  auto midnight = o;
  midnight.since = 1'699'920'000'000; // 2023-11-14T00:00:00Z: already a midnight
  CHECK(listing_edge(midnight) == 1'699'920'000);
  REQUIRE(argv.size() >= 2);
  CHECK(argv[argv.size() - 2] == "--");
  CHECK(argv.back() == "-https://www.youtube.com/@x/videos");

  o.youtube = false; // a feed: exact dates, no YouTube extractor arguments
  o.stop_at_id.clear();
  argv = listing_argv(o, "http://127.0.0.1/feed.xml");
  CHECK(std::find(argv.begin(), argv.end(), "--extractor-args") == argv.end());
  CHECK(has_pair(argv, "--break-match-filters", "timestamp>?1700000000"));
  o.since = 0;
  argv = listing_argv(o, "http://127.0.0.1/feed.xml");
  CHECK(std::find(argv.begin(), argv.end(), "--break-match-filters") == argv.end());

  // A playlist is in its owner's order: neither the window nor a marker may end its listing.
  listing_options playlist;
  playlist.since = 1'700'000'000'000;
  playlist.stop_at_id = "abc";
  playlist.chronological = false;
  argv = listing_argv(playlist, "https://www.youtube.com/playlist?list=PLx");
  CHECK(std::find(argv.begin(), argv.end(), "--break-match-filters") == argv.end());
  CHECK(has_pair(argv, "--extractor-args", "youtubetab:approximate_date"));
}

TEST_CASE("listing lines: entries, YouTube ids as URLs, malformed lines, unavailable videos") {
  auto e = parse_listing_line(
      R"({"_type":"url","ie_key":"Youtube","id":"dQw4w9WgXcQ","url":"dQw4w9WgXcQ","title":"T","timestamp":1700000000.0})");
  REQUIRE(e);
  CHECK(e->url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
  CHECK(e->timestamp == 1'700'000'000);
  CHECK(e->title == "T");
  auto feed = parse_listing_line(R"({"id":"g1","url":"http://127.0.0.1/watch/a","title":"A"})");
  REQUIRE(feed);
  CHECK(feed->url == "http://127.0.0.1/watch/a");
  CHECK(feed->timestamp == 0);
  // A feed entry: no id, the URL with yt-dlp's smuggled data in the fragment.
  auto rss = parse_listing_line(
      R"({"_type":"url_transparent","url":"http://127.0.0.1:5/watch/v#__youtubedl_smuggle=%7B%7D","title":"V","timestamp":1795694400.0})");
  REQUIRE(rss);
  CHECK(rss->url == "http://127.0.0.1:5/watch/v");
  CHECK(rss->id == "url:http://127.0.0.1:5/watch/v");
  listing_options feed_listing;
  feed_listing.youtube = false;
  feed_listing.stop_at_id = rss->id; // cannot be a yt-dlp filter: no stop condition
  auto argv = listing_argv(feed_listing, "http://127.0.0.1:5/feed.xml");
  CHECK(std::find(argv.begin(), argv.end(), "--break-match-filters") == argv.end());
  for (const char* bad : {"", "not json", "[1,2]", R"({"id":5})", R"({"title":"no id"})",
                          R"({"id":"x"})", "{\"id\":\"a\",\"url\":\"b\""})
    CHECK_FALSE(parse_listing_line(bad));
  listing_entry p;
  p.id = "x";
  p.url = "u";
  p.title = "[Private video]";
  CHECK(is_unavailable(p));
  p.title = "[Deleted video]";
  CHECK(is_unavailable(p));
  p.title = "Fine";
  CHECK_FALSE(is_unavailable(p));
  p.availability = "subscriber_only";
  CHECK(is_unavailable(p));
}

listing_entry entry(const std::string& id, const std::string& url) {
  listing_entry e;
  e.id = id;
  e.url = url;
  return e;
}

TEST_CASE("entries become backfill jobs: same workspace, cutoff, cap, no duplicates") {
  backfill_plan plan;
  plan.tenant = "acme";
  plan.workspace = "main";
  plan.since = 1'700'000'000'000;
  plan.limit = 3;
  std::vector<listing_entry> entries = {
      entry("a", "https://www.youtube.com/watch?v=aaaaaaaaaaa"),
      entry("a2", "https://youtu.be/aaaaaaaaaaa"), // the same video
      entry("l", "http://127.0.0.1/x"),            // loopback: refused by the policy
      entry("b", "https://www.youtube.com/watch?v=bbbbbbbbbbb"),
      entry("c", "https://www.youtube.com/watch?v=ccccccccccc"),
      entry("d", "https://www.youtube.com/watch?v=ddddddddddd"),
  };
  size_t refused = 0;
  auto jobs = jobs_for_entries(entries, plan, url_policy{}, &refused);
  REQUIRE(jobs.size() == 3);
  CHECK(refused == 1);
  CHECK(jobs[0].key.external_id == "aaaaaaaaaaa");
  CHECK(jobs[1].key.external_id == "bbbbbbbbbbb");
  CHECK(jobs[2].key.external_id == "ccccccccccc");
  for (const auto& j : jobs) {
    CHECK(j.key.tenant == "acme");
    CHECK(j.key.workspace == "main");
    CHECK(j.key.source == "youtube");
    CHECK(j.priority == priority_class::backfill);
    CHECK(j.origin == job_origin::backfill);
    CHECK(j.upload_cutoff == plan.since);
  }
  CHECK(plan_urls(plan, {"videos", "streams"}).size() == 2); // YouTube: /videos and /streams
  plan.source_type = "generic";
  plan.channel_url = "http://127.0.0.1/feed.xml";
  CHECK(plan_urls(plan, {"videos"}) == std::vector<std::string>{"http://127.0.0.1/feed.xml"});
}

TEST_CASE("ISO dates for --since, in UTC") {
  CHECK(parse_iso_utc("2025-11-29") == 1'764'374'400'000);
  CHECK(parse_iso_utc("2025-11-29T12:30:00Z") == 1'764'419'400'000);
  CHECK(iso_utc(1'764'419'400'000) == "2025-11-29T12:30:00.000Z");
  for (const char* bad : {"", "2025-13-01", "2025-02-30", "29.11.2025", "2025-11-29T12:30:00",
                          "2025-11-29x", "1969-01-01"})
    CHECK_FALSE(parse_iso_utc(bad));
}

TEST_CASE("token buckets: a burst at once, then one token per interval, per source") {
  using namespace std::chrono;
  rate_limits limits{60, 2}; // one a second, two saved up
  auto t0 = token_bucket::clock::time_point{} + hours{1};
  CHECK(limits.reserve("youtube", t0) == nanoseconds{0});
  CHECK(limits.reserve("youtube", t0) == nanoseconds{0});
  // Empty: the next caller waits a second, the one after two (reservations queue up).
  CHECK(duration_cast<milliseconds>(limits.reserve("youtube", t0)) == milliseconds{1000});
  CHECK(duration_cast<milliseconds>(limits.reserve("youtube", t0)) == milliseconds{2000});
  // Another source has a bucket of its own.
  CHECK(limits.reserve("generic", t0) == nanoseconds{0});
  // Time pays the debt back, and the bucket never holds more than its burst.
  CHECK(duration_cast<milliseconds>(limits.reserve("youtube", t0 + seconds{3})) == milliseconds{0});
  CHECK(limits.reserve("generic", t0 + hours{1}) == nanoseconds{0});
  CHECK(limits.reserve("generic", t0 + hours{1}) == nanoseconds{0});
  CHECK(limits.reserve("generic", t0 + hours{1}) > nanoseconds{0});
  token_bucket unlimited{0, 1};
  for (int i = 0; i < 1000; ++i)
    CHECK(unlimited.reserve(t0) == nanoseconds{0});
}

// Found by fuzz/listing_fuzz: a timestamp of 1e125 was converted to an integer (undefined
// behaviour); it is no time, so the entry has none.
TEST_CASE("a listing entry's timestamps out of range are unknown (0)") {
  auto e = parse_listing_line(
      R"({"ie_key":"Youtube","id":"abcdefghijk","timestamp":1.764e125,"release_timestamp":-1e30})");
  REQUIRE(e);
  CHECK(e->timestamp == 0);
  CHECK(e->release_timestamp == 0);
  e = parse_listing_line(R"({"ie_key":"Youtube","id":"abcdefghijk","timestamp":1764000000.9})");
  REQUIRE(e);
  CHECK(e->timestamp == 1764000000);
}
