// Splits text into search and analysis terms. One tokenizer serves indexing, querying, topics
// and key phrases, so a term found at index time is the same term a query looks for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfb::text {

struct token {
  std::string term;  // lower-cased word (ASCII letters folded; other UTF-8 bytes kept)
  size_t offset = 0; // byte offset of the word in the input
  size_t length = 0; // byte length of the word in the input
};

/// The words of `input`: runs of letters, digits and inner apostrophes ("don't"), lower-cased.
/// Bytes >= 0x80 count as letters, so UTF-8 words stay whole. Words longer than 64 bytes are
/// cut, as nobody searches for them.
std::vector<token> tokenize(std::string_view input);

/// Only the terms of `tokenize(input)`.
std::vector<std::string> terms(std::string_view input);

/// Whether `term` (lower-case) is an English stop word ("the", "and", "is", ...).
bool is_stop_word(std::string_view term);

/// The terms worth indexing or weighing: no stop words, no single characters, no pure numbers.
std::vector<std::string> content_terms(std::string_view input);

/// Sentences of `input`, split after . ! ? (or a line break) followed by white space, trimmed.
std::vector<std::string> sentences(std::string_view input);

} // namespace vfb::text
