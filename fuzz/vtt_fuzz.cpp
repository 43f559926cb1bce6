// parse_vtt never crashes, throws only vtt_error, and its segments are well-formed: each starts
// at or after 0, ends at or after its start, and starts at or after the previous one's end.
#include "adapters/vtt.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto c = parse_vtt(fuzz::text(data, size));
    int64_t previous_end = 0;
    for (const auto& s : c.segments) {
      fuzz::require(s.start_ms >= 0 && s.start_ms <= s.end_ms, "a segment's start <= end");
      fuzz::require(s.start_ms >= previous_end, "segments do not overlap");
      fuzz::require(!s.text.empty(), "a segment has text");
      previous_end = s.end_ms;
    }
    transcript_text(c.segments);
  } catch (const vtt_error&) {
  }
  return 0;
}
