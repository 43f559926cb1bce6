// text::snippet: a window of words around the first query term, white space folded.
#include "text/snippet.hpp"

#include "text/tokenizer.hpp"

#include <algorithm>

namespace vfb::text {

std::string snippet(std::string_view text, const std::vector<std::string>& terms, size_t width) {
  auto tokens = tokenize(text);
  if (tokens.empty())
    return {};
  auto is_query_term = [&](const token& tok) {
    return std::find(terms.begin(), terms.end(), tok.term) != terms.end();
  };
  auto end_of = [&](size_t i) { return tokens[i].offset + tokens[i].length; };
  size_t match = 0;
  while (match < tokens.size() && !is_query_term(tokens[match]))
    ++match;
  if (match == tokens.size())
    match = 0;
  // Some words of context before the match (up to a quarter of the width), then as many after
  // as fit; when the text ends first, more before.
  size_t first = match;
  while (first > 0 && tokens[match].offset - tokens[first - 1].offset <= width / 4)
    --first;
  size_t last = match;
  while (last + 1 < tokens.size() && end_of(last + 1) - tokens[first].offset <= width)
    ++last;
  while (first > 0 && end_of(last) - tokens[first - 1].offset <= width)
    --first;
  // Keep punctuation that closes the last word ("end." rather than "end").
  auto stop = end_of(last);
  while (stop < text.size() &&
         std::string_view{".,;:!?)\"'"}.find(text[stop]) != std::string_view::npos)
    ++stop;
  std::string out;
  if (first > 0)
    out += "… ";
  bool space = false;
  for (auto ch : text.substr(tokens[first].offset, stop - tokens[first].offset)) {
    bool blank = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
    if (blank) {
      space = true;
      continue;
    }
    if (space)
      out.push_back(' ');
    space = false;
    out.push_back(ch);
  }
  if (last + 1 < tokens.size())
    out += " …";
  return out;
}

} // namespace vfb::text
