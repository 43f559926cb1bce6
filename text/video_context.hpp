// What a video's uploader says it is about, as one text: it biases the recogniser towards the
// words the video is about and weighs them among its topics. Pure code: no CAF.
#pragma once

#include "messages/media.hpp"

#include <string>

namespace vfb::text {

/// The title, the tags, the chapter titles and the description's own lines, one per line. Left
/// out of the description: lines with links, calls to subscribe, follow, donate or buy (words
/// every channel uses, which say nothing about this video), and timestamps before chapter
/// names ("00:42 Lava flows" gives "Lava flows"). At most the description's first 2,000 bytes.
std::string video_context(const download_result& d);

/// What biases the recogniser: video_context when the uploader said more than a title (tags,
/// chapters or a description), else nothing. On the demo's videos a title alone raised the
/// WER (0.21 to 0.24), title and tags lowered it to 0.14, all of it to 0.16 (transcribe_bench).
std::string recogniser_context(const download_result& d);

} // namespace vfb::text
