// WebVTT captions (what yt-dlp writes) into clean timed segments. YouTube's automatic captions
// roll: each cue repeats the previous line above the new one, and 10 ms cues repeat it alone;
// folding keeps every spoken line once, timed by the cue that introduced it. Plain C++.
#pragma once

#include "messages/media.hpp"

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

class vtt_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct vtt_captions {
  std::vector<transcript_segment> segments;
  size_t skipped_cues = 0; // cues with malformed timings, left out
};

/// Parses a WebVTT file. Throws vtt_error when it is not WebVTT, or when it has cues but none
/// of them has valid timings (the message names the first bad line).
vtt_captions parse_vtt(std::string_view text);

/// The segments' text joined by spaces.
std::string transcript_text(const std::vector<transcript_segment>& segments);

} // namespace vfb
