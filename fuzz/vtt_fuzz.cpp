// parse_vtt never crashes, throws only vtt_error, and its segments are well-formed: each starts
// at or after 0 and ends at or after its start, and one that starts at or after the previous
// one's start (cues in order, as WebVTT wants them; others are kept as they come) starts at or
// after its end.
#include "adapters/vtt.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto c = parse_vtt(fuzz::text(data, size));
    for (size_t k = 0; k < c.segments.size(); ++k) {
      const auto& s = c.segments[k];
      fuzz::require(s.start_ms >= 0 && s.start_ms <= s.end_ms, "a segment's start <= end");
      fuzz::require(!s.text.empty(), "a segment has text");
      if (k > 0 && s.start_ms >= c.segments[k - 1].start_ms)
        fuzz::require(s.start_ms >= c.segments[k - 1].end_ms, "segments in order do not overlap");
    }
    transcript_text(c.segments);
  } catch (const vtt_error&) {
  }
  return 0;
}
