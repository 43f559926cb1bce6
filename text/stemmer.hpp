// The Snowball English stemmer (libstemmer) over the tokenizer's terms: "volcanoes" and
// "volcano" are one index term, so a search finds either spelling. Indexing and querying both
// go through `index_terms`, so the terms stored are the terms looked up.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfb::text {

/// The Snowball English stem of `term` (lower-case, UTF-8, as the tokenizer spells it):
/// "volcanoes" is "volcano", "running" is "run". Terms longer than 64 bytes come back
/// unchanged. Thread-safe (one stemmer per thread); throws std::runtime_error when libstemmer
/// cannot create a stemmer.
std::string stem(std::string_view term);

/// The stems of `content_terms(input)`, in order, duplicates kept (for term frequencies): what a
/// search index stores and what a query looks up.
std::vector<std::string> index_terms(std::string_view input);

/// The stems of all the words of `input` (`tokenize`, stop words and numbers included), in
/// order: what phrases are matched against.
std::vector<std::string> word_stems(std::string_view input);

} // namespace vfb::text
