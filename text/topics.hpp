// Topics: the terms that set a transcript apart from the rest of its workspace's memory
// (TF-IDF against the workspace corpus). Pure code.
#pragma once

#include "messages/media.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vfb::text {

/// How many documents (videos) a workspace has, and in how many each term occurs.
struct corpus_stats {
  uint64_t documents = 0;
  std::unordered_map<std::string, uint64_t> document_frequency;
};

/// The distinct content terms of a text, sorted: what a store counts per document.
std::vector<std::string> document_terms(std::string_view text);

/// The best `max` topics, best first (ties alphabetical). Weight: (1 + ln tf) *
/// (ln((N + 1) / (df + 1)) + 1) over the text's content terms, so an empty corpus still ranks by
/// frequency. In texts of 50 content terms or more, a term must occur at least twice. `corpus`
/// may or may not count the text itself already; a df above N counts as N.
///
/// Topics are things: a term used more often as a verb, adjective or adverb than as a noun
/// (word_classes) is never one. Terms that also occur in `context` (what the video says it is
/// about: its title, description, tags) weigh twice as much.
std::vector<weighted_term> topics(std::string_view text, const corpus_stats& corpus, size_t max = 8,
                                  std::string_view context = {});

} // namespace vfb::text
