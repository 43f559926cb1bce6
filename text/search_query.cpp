// text::parse_search_query: quoted phrases and stemmed terms of a search query.
#include "text/search_query.hpp"

#include "text/stemmer.hpp"

#include <algorithm>

namespace vfb::text {

namespace {

/// The byte length of a double quote at `i` (" “ ”), else 0.
size_t quote_at(std::string_view s, size_t i) {
  if (s[i] == '"')
    return 1;
  auto s3 = s.substr(i, 3);
  return s3 == "\xE2\x80\x9C" || s3 == "\xE2\x80\x9D" ? 3 : 0;
}

} // namespace

search_query parse_search_query(std::string_view query) {
  search_query out;
  auto add_terms = [&](std::string_view part) {
    for (auto& term : index_terms(part))
      if (out.terms.size() < max_query_terms &&
          std::find(out.terms.begin(), out.terms.end(), term) == out.terms.end())
        out.terms.push_back(std::move(term));
  };
  auto add_phrase = [&](std::string_view part) {
    auto words = word_stems(part);
    if (words.size() < 2) {
      add_terms(part); // a quoted word is a word
      return;
    }
    if (index_terms(part).empty())
      return; // only stop words and numbers: no index term could find it
    add_terms(part);
    if (out.phrases.size() < max_query_phrases &&
        std::find(out.phrases.begin(), out.phrases.end(), words) == out.phrases.end())
      out.phrases.push_back(std::move(words));
  };
  size_t start = 0; // of the current unquoted text or phrase
  bool quoted = false;
  for (size_t i = 0; i < query.size();) {
    auto q = quote_at(query, i);
    if (q == 0) {
      ++i;
      continue;
    }
    auto part = query.substr(start, i - start);
    if (quoted)
      add_phrase(part);
    else
      add_terms(part);
    quoted = !quoted;
    i += q;
    start = i;
  }
  if (quoted)
    add_phrase(query.substr(start));
  else
    add_terms(query.substr(start));
  return out;
}

} // namespace vfb::text
