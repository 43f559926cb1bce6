// messages/time: one ISO form for every time vfb prints (jobs, follows, tokens), read back by
// the same parser people's dates go through, and yt-dlp's day stamps.
#include "messages/time.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

TEST_CASE("times print as ISO 8601 UTC with milliseconds, and read back") {
  CHECK(iso_utc(1'764'419'400'250) == "2025-11-29T12:30:00.250Z");
  CHECK(iso_utc(0) == "1970-01-01T00:00:00.000Z");
  CHECK(iso_utc_or_empty(0).empty()); // not set: never listed, no deadline
  CHECK(iso_utc_or_empty(1'764'419'400'000) == "2025-11-29T12:30:00.000Z");
  for (millis t : {millis{0}, millis{1'764'419'400'000}, millis{1'764'419'400'999}})
    CHECK(parse_iso_utc(iso_utc(t)) == t);
  for (const char* bad :
       {"2025-11-29T12:30:00.25Z", "2025-11-29T12:30:00.2500", "2025-11-29T12:30:00.-25Z",
        "2025-11-29T12:30:00. 25Z", "2025-02-30T00:00:00.000Z"})
    CHECK_FALSE(parse_iso_utc(bad));
}

TEST_CASE("day stamps for yt-dlp and calendar days that run on") {
  CHECK(utc_date(1'764'419'400'000) == "20251129");
  CHECK(utc_date(0) == "19700101");
  CHECK(utc_midnight(2025, 11, 29) == 1'764'374'400'000);
  // A day past the month's end counts on into the next, as timegm does (yt-dlp's versions are
  // dates read without a calendar).
  CHECK(utc_midnight(2025, 2, 30) == utc_midnight(2025, 3, 2));
}
