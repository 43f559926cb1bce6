// Time as vfb prints and reads it: ISO 8601 in UTC for people and JSON (jobs, follows, tokens
// alike, one precision), and yt-dlp's YYYYMMDD day stamps. The one place that turns
// milliseconds into calendar time and back, so that every output agrees.
#pragma once

#include "messages/job.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace vfb {

/// ISO 8601 UTC with milliseconds ("2025-11-29T12:30:00.000Z"), as docs/API.md shows times.
std::string iso_utc(millis when);

/// `iso_utc`, or "" for 0 and earlier: a time that is not set (never listed, no deadline).
std::string iso_utc_or_empty(millis when);

/// A date ("2025-11-29": midnight UTC) or a UTC time ("2025-11-29T12:30:00Z", also with
/// milliseconds as `iso_utc` prints them) in ms; nullopt for anything else, a day that does not
/// exist (2026-02-31) or a time before 1970.
std::optional<millis> parse_iso_utc(std::string_view text);

/// Midnight UTC of a calendar day in ms (a day past the month's end runs on into the next, as
/// timegm counts: February 30 is March 2).
millis utc_midnight(int year, int month, int day);

/// YYYYMMDD (UTC) of a time in ms, as yt-dlp writes dates (--dateafter, upload_date).
std::string utc_date(millis when);

} // namespace vfb
