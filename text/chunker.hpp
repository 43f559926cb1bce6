// Cuts a transcript into memory chunks: about `target_chars` of whole segments, overlapping
// by about `overlap_chars`, keeping the times of the first and last segment. Pure code.
#pragma once

#include "messages/media.hpp"

#include <vector>

namespace vfb::text {

/// Chunks of whole segments joined by single spaces, in order, each from the start of its first
/// segment to the end of its last. A chunk closes before a segment that would make it longer
/// than `target_chars`, so only a chunk of one segment can be longer. The next chunk starts with
/// the trailing segments of the previous one whose length comes closest to `overlap_chars`, but
/// never with all of them and always with room for a new segment, so chunks always advance.
/// A single segment longer than twice the target is cut at word boundaries into pieces of at
/// most about `target_chars`, its time divided in proportion to the characters. Empty or
/// white-space segments are skipped.
std::vector<transcript_chunk> chunk_transcript(const std::vector<transcript_segment>& segments,
                                               size_t target_chars = 800,
                                               size_t overlap_chars = 150);

} // namespace vfb::text
