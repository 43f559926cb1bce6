// WebVTT captions (what yt-dlp writes, and what external transcribers write) into clean timed
// segments. Plain C++.
//
// Roll-up captions repeat themselves: YouTube's automatic captions show the previous line above
// the new one (whose words carry inline timestamps), and between two such cues a 10 ms cue
// shows the new line alone. Folding keeps every spoken line once, timed by the cue that
// introduced it: a cue's leading lines that repeat the previous cue's last lines are dropped,
// and a cue that repeats them entirely right after them (the line held on screen) lengthens the
// segment before it. The same text after a pause was said again and stays. Segments never
// overlap: a cue starting before the previous segment ends cuts that one short. (Cues out of
// order, which WebVTT does not allow, are kept where they come.)
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
  size_t skipped_cues = 0; // cues with malformed or backwards timings, left out
};

/// Parses a WebVTT file (UTF-8, optional BOM, LF or CRLF). Header fields, NOTE, STYLE and
/// REGION blocks and cue identifiers are skipped, cue settings ignored, tags (<c>, <i>,
/// <v Speaker>, <00:00:01.520>) stripped, entities (&amp; &nbsp; &#39; &#x41; ...) decoded,
/// white space collapsed and the lines of a cue joined by spaces. A cue with malformed timings
/// is skipped and counted in `skipped_cues`. Throws vtt_error when the text is not WebVTT, or
/// when it has cues but none with valid timings (the message names the first bad line).
/// Captions without cues are no error: they have no segments.
vtt_captions parse_vtt(std::string_view text);

/// The segments' text joined by spaces.
std::string transcript_text(const std::vector<transcript_segment>& segments);

} // namespace vfb
