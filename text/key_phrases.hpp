// Key phrases, RAKE-style: runs of content words between stop words and punctuation, scored
// by how connected their words are (degree / frequency), with recurring phrases first. Pure code.
#pragma once

#include "messages/media.hpp"

#include <string_view>
#include <vector>

namespace vfb::text {

/// The best `max` phrases of 1-4 words, lower-case, best first (ties alphabetical).
///
/// Candidates are runs of content words (see `content_terms`) between stop words, numbers and
/// punctuation; runs longer than four words are cut into balanced pieces. A word scores its
/// RAKE degree / frequency. A phrase said at least twice weighs the sum of its words' scores
/// times the number of times it is said, counting occurrences inside longer runs too; a phrase
/// said once weighs the mean of its words' scores, so recurring phrases outrank accidental
/// one-off runs. A phrase only ever said as part of one longer phrase is left out in its favour.
std::vector<weighted_term> key_phrases(std::string_view text, size_t max = 10);

} // namespace vfb::text
