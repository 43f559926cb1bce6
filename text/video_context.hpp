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

} // namespace vfb::text
