// Splits text into search and analysis terms. One tokenizer serves indexing, querying, topics
// and key phrases, so a term found at index time is the same term a query looks for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfb::text {

struct token {
  std::string term;  // lower-cased word (see `tokenize`)
  size_t offset = 0; // byte offset of the word in the input
  size_t length = 0; // byte length of the word in the input
};

/// The words of `input`: runs of letters, digits and inner apostrophes ("don't"; a typographic
/// "don’t" becomes "don't"). UTF-8 counts as letters, so words stay whole, except for Unicode
/// spaces and punctuation (no-break space, dashes, curly quotes, ellipses), which separate.
/// Lower-cased: ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals are folded ("CAFÉ"
/// is "café"); other scripts are kept as they are. Words longer than 64 bytes are cut (at a
/// character boundary), as nobody searches for them.
std::vector<token> tokenize(std::string_view input);

/// Only the terms of `tokenize(input)`.
std::vector<std::string> terms(std::string_view input);

/// Whether `term` (lower-case) is an English stop word ("the", "and", "is", ...).
bool is_stop_word(std::string_view term);

/// Whether `term` is a number written in digits ("42", "007").
bool is_number(std::string_view term);

/// Whether `term` (lower-case) is a word people say about nothing in particular ("stuff",
/// "lot", "kind", "guys", "gonna"): searchable, but never a topic or a key phrase.
bool is_filler_word(std::string_view term);

/// The terms worth indexing or weighing: no stop words, no single characters, no pure numbers.
std::vector<std::string> content_terms(std::string_view input);

/// Sentences of `input`, split after . ! ? (and any closing quotes or brackets) followed by white
/// space, or at a line break; trimmed. "3.5" does not split; "Dr. Who" does (no abbreviation list).
std::vector<std::string> sentences(std::string_view input);

} // namespace vfb::text
