// Extractive summary: the sentences that carry the text's topics and its most frequent content
// words, in their original order. Pure code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfb::text {

/// The best `max_sentences` of `sentences`, in original order. A sentence scores the sum of
/// its content words' frequencies (in all sentences) divided by its number of words. Sentences
/// of fewer than 4 or more than 60 words are only picked when there are not enough others; a
/// sentence said several times is picked once. Ties go to the earlier sentence.
///
/// With `topics` (the text's topic terms), the summary carries them: each pick is the
/// best-scoring sentence among those that add the most topics not yet in the summary.
std::vector<std::string> summarize(const std::vector<std::string>& sentences,
                                   size_t max_sentences = 3,
                                   const std::vector<std::string>& topics = {});

/// `summarize` over the sentences of `text` (see `sentences`). Speech recognition writes no
/// punctuation, so its transcript is one huge "sentence": any sentence of more than 60 words is
/// cut into windows of about 25 words first, which keeps the summary readable.
std::vector<std::string> summarize_text(std::string_view text, size_t max_sentences = 3,
                                        const std::vector<std::string>& topics = {});

} // namespace vfb::text
