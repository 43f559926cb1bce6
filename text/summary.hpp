// Extractive summary: the sentences that carry the text's most frequent content words, in
// their original order. Pure code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfb::text {

/// The best `max_sentences` of `sentences`, in original order. A sentence scores the mean
/// frequency (in all sentences) of its content words; sentences of fewer than four words only
/// count when there is nothing else.
std::vector<std::string> summarize(const std::vector<std::string>& sentences,
                                   size_t max_sentences = 3);

/// `summarize` over the sentences of `text`. Speech recognition writes no punctuation: a
/// "sentence" of more than 60 words is cut into windows of 25 words first.
std::vector<std::string> summarize_text(std::string_view text, size_t max_sentences = 3);

} // namespace vfb::text
