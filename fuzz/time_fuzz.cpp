// parse_iso_utc (dates in API bodies, Discord options and the config) never crashes, never
// returns a time before 1970, and a time it reads prints (iso_utc) as text it reads back to
// the same time.
#include "fuzz/fuzz_check.hpp"
#include "messages/time.hpp"

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (auto t = parse_iso_utc(fuzz::text(data, size))) {
    fuzz::require(*t >= 0, "no time before 1970");
    fuzz::require(parse_iso_utc(iso_utc(*t)) == t, "a printed time reads back");
    utc_date(*t);
  }
  return 0;
}
