// Durations as people read them, in the two forms vfb prints: a clock ("1:02:03", a video's
// length or an offset into it, in Discord posts and `vfb show`) and an elapsed time ("850 ms",
// "4.2 s", "3 min 05 s", how long a stage took in `vfb run`). Lives here, below the adapters
// and apps, so the command line does not borrow it from the Discord adapter. Pure code.
#pragma once

#include <cstdint>
#include <string>

namespace vfb::text {

/// "1:02:03" / "3:32" for a duration in seconds (rounded); empty for 0 or less.
std::string clock_duration(double seconds);

/// "850 ms", "4.2 s", "3 min 05 s" for a duration in milliseconds.
std::string elapsed_duration(int64_t ms);

} // namespace vfb::text
