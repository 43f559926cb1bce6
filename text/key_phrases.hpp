// Key phrases, RAKE-style: runs of content words between stop words and punctuation, scored
// by how connected their words are (degree / frequency). Pure code.
#pragma once

#include "messages/media.hpp"

#include <string_view>
#include <vector>

namespace vfb::text {

/// The best `max` phrases of 1-4 words, lower-case, best first (ties alphabetical).
std::vector<weighted_term> key_phrases(std::string_view text, size_t max = 10);

} // namespace vfb::text
