// ISO 8601 and day stamps over gmtime_r/timegm (UTC only: no time zone database involved).
#include "messages/time.hpp"

#include <cstdio>
#include <ctime>

namespace vfb {

namespace {

/// The calendar time of `when` (floored to the second) and its milliseconds.
std::tm utc_tm(millis when, int* ms = nullptr) {
  auto secs = when / 1000;
  auto rest = when % 1000;
  if (rest < 0) { // floor, so that times before 1970 print their own second
    rest += 1000;
    --secs;
  }
  if (ms != nullptr)
    *ms = static_cast<int>(rest);
  auto t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

/// `timegm` in ms: fields past their range run on (February 30 is March 2).
millis timegm_ms(int y, int mo, int d, int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<millis>(timegm(&tm)) * 1000;
}

/// The time of a UTC date and time given by people: nullopt when the day does not exist.
std::optional<millis> utc_time(int y, int mo, int d, int h, int mi, int s) {
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      s < 0 || s > 60)
    return std::nullopt;
  auto when = timegm_ms(y, mo, d, h, mi, s);
  if (utc_tm(when).tm_mday != d) // 2026-02-31 and the like
    return std::nullopt;
  return when;
}

} // namespace

std::string iso_utc(millis when) {
  int ms = 0;
  auto tm = utc_tm(when, &ms);
  char buf[48];
  auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", ms);
  return buf;
}

std::string iso_utc_or_empty(millis when) {
  return when <= 0 ? std::string{} : iso_utc(when);
}

std::optional<millis> parse_iso_utc(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  char tail = 0;
  std::string t{text};
  int n = 0;
  if (t.size() == 10 && std::sscanf(t.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10) {
    // a date alone: midnight UTC
  } else if (t.size() == 20 &&
             std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) ==
                 7 &&
             tail == 'Z') {
  } else if (t.size() == 24 &&
             std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c%n", &y, &mo, &d, &h, &mi, &s,
                         &ms, &tail, &n) == 8 &&
             tail == 'Z' && n == 24 && t[20] >= '0' && t[20] <= '9') {
    // with milliseconds, as iso_utc prints times
  } else {
    return std::nullopt;
  }
  auto when = utc_time(y, mo, d, h, mi, s);
  if (!when || ms < 0)
    return std::nullopt;
  return *when + ms;
}

millis utc_midnight(int year, int month, int day) {
  return timegm_ms(year, month, day, 0, 0, 0);
}

std::string utc_date(millis when) {
  auto tm = utc_tm(when);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

} // namespace vfb
