// What a search query asks for: the stemmed terms to score and the quoted phrases a hit must
// hold. Pure text work: the memory store looks the terms up in its index and checks the phrases
// against the texts of its candidates (text/phrase.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfb::text {

/// At most this many distinct terms are scored: bounds the work of a pasted paragraph as query.
constexpr size_t max_query_terms = 32;
/// At most this many quoted phrases are kept; the terms of further ones still count.
constexpr size_t max_query_phrases = 8;

struct search_query {
  /// Distinct stemmed index terms (`index_terms`) to score, in order of first appearance, at
  /// most max_query_terms; those of quoted phrases included.
  std::vector<std::string> terms;
  /// Each distinct quoted phrase: the stems of all its words (`word_stems`: stop words and
  /// numbers included), in order; at least two words each.
  std::vector<std::vector<std::string>> phrases;
};

/// The terms and phrases of `query`. Text between double quotes (" or the typographic “ ”, any
/// of which opens or closes) is a phrase; an unclosed quote runs to the end of the query. A
/// quoted single word is just a term. A phrase with no content term ("to be or not to be") is
/// dropped: the index holds no term that could find it, so it would only ever match nothing.
search_query parse_search_query(std::string_view query);

} // namespace vfb::text
