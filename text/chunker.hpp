// Cuts a transcript into memory chunks: about `target_chars` of whole segments, overlapping
// by about `overlap_chars`, keeping the times of the first and last segment. Pure code.
#pragma once

#include "messages/media.hpp"

#include <vector>

namespace vfb::text {

/// Chunks of whole segments joined by spaces. A chunk closes before a segment that would make
/// it longer than `target_chars`; the next one starts with the last segments of the previous
/// chunk that fit in `overlap_chars` (never with all of them, so chunks always advance). A
/// single segment longer than twice the target is cut at word boundaries, its time divided in
/// proportion. Empty segments are skipped.
std::vector<transcript_chunk> chunk_transcript(const std::vector<transcript_segment>& segments,
                                               size_t target_chars = 800,
                                               size_t overlap_chars = 150);

} // namespace vfb::text
