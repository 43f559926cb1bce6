// text::marked_snippet: the window of words with the most query words, white space folded, the
// matches marked.
#include "text/snippet.hpp"

#include "text/phrase.hpp"
#include "text/stemmer.hpp"
#include "text/tokenizer.hpp"

#include <algorithm>

namespace vfb::text {

namespace {

constexpr size_t none = static_cast<size_t>(-1);

bool is_blank(char ch) {
  return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
}

/// One occurrence of a phrase: its index and its first and last word.
struct occurrence {
  size_t phrase = 0;
  size_t first = 0;
  size_t last = 0;
};

} // namespace

marked_text marked_snippet(std::string_view text, const std::vector<std::string>& stems,
                           const std::vector<std::vector<std::string>>& phrases, size_t width) {
  auto tokens = tokenize(text);
  if (tokens.empty())
    return {};
  auto n = tokens.size();
  auto end_of = [&](size_t i) { return tokens[i].offset + tokens[i].length; };
  // Each word's stem, and which of `stems` it is (the first equal one), if any.
  std::vector<std::string> words;
  words.reserve(n);
  std::vector<size_t> stem_id(n, none);
  for (size_t i = 0; i < n; ++i) {
    words.push_back(stem(tokens[i].term));
    auto it = std::find(stems.begin(), stems.end(), words.back());
    if (it != stems.end())
      stem_id[i] = static_cast<size_t>(it - stems.begin());
  }
  std::vector<occurrence> occurrences;
  std::vector<std::vector<size_t>> starting(n), ending(n); // occurrences by first and last word
  for (size_t p = 0; p < phrases.size(); ++p)
    for (auto at : phrase_starts(words, phrases[p])) {
      starting[at].push_back(occurrences.size());
      ending[at + phrases[p].size() - 1].push_back(occurrences.size());
      occurrences.push_back({p, at, at + phrases[p].size() - 1});
    }

  // The best window: words [first, stop) within `width` bytes, slid over the text, counting the
  // distinct phrases with an occurrence inside it and the distinct stems in it.
  std::vector<size_t> stem_count(stems.size(), 0), phrase_count(phrases.size(), 0);
  size_t distinct_stems = 0, distinct_phrases = 0, first = 0, stop = 0;
  auto add = [&](size_t j) {
    if (stem_id[j] != none && stem_count[stem_id[j]]++ == 0)
      ++distinct_stems;
    for (auto o : ending[j])
      if (occurrences[o].first >= first && phrase_count[occurrences[o].phrase]++ == 0)
        ++distinct_phrases;
  };
  auto remove = [&](size_t j) {
    if (stem_id[j] != none && --stem_count[stem_id[j]] == 0)
      --distinct_stems;
    for (auto o : starting[j])
      if (occurrences[o].last < stop && --phrase_count[occurrences[o].phrase] == 0)
        --distinct_phrases;
  };
  std::pair<size_t, size_t> best{0, 0};
  size_t best_first = 0, best_stop = 1;
  for (first = 0; first < n; ++first) {
    if (stop == first) { // a word longer than the width is a window of its own
      add(stop);
      ++stop;
    }
    while (stop < n && end_of(stop) - tokens[first].offset <= width) {
      add(stop);
      ++stop;
    }
    if (std::pair{distinct_phrases, distinct_stems} > best) {
      best = {distinct_phrases, distinct_stems};
      best_first = first;
      best_stop = stop;
    }
    remove(first);
  }
  auto inside = [&](const occurrence& o, size_t from, size_t to) {
    return o.first >= from && o.last <= to;
  };
  // The matches of the best window, from `match` to `match_last`.
  size_t match = none, match_last = best_first;
  for (size_t i = best_first; i < best_stop; ++i) {
    bool hit = stem_id[i] != none;
    for (auto o : starting[i])
      hit = hit || inside(occurrences[o], best_first, best_stop - 1);
    for (auto o : ending[i])
      hit = hit || inside(occurrences[o], best_first, best_stop - 1);
    if (!hit)
      continue;
    if (match == none)
      match = i;
    match_last = i;
  }
  if (match == none)
    match = match_last = best_first;

  // Some words of context before the matches (up to a quarter of the width), then as many after
  // as fit; when the text ends first, more before.
  first = match;
  while (first > 0 && tokens[match].offset - tokens[first - 1].offset <= width / 4 &&
         end_of(match_last) - tokens[first - 1].offset <= width)
    --first;
  size_t last = match_last;
  while (last + 1 < n && end_of(last + 1) - tokens[first].offset <= width)
    ++last;
  while (first > 0 && end_of(last) - tokens[first - 1].offset <= width)
    --first;
  // Keep punctuation that closes the last word ("end." rather than "end").
  auto from = tokens[first].offset;
  auto to = end_of(last);
  while (to < text.size() &&
         std::string_view{".,;:!?)\"'"}.find(text[to]) != std::string_view::npos)
    ++to;

  // The passage, white space folded; `at` maps each byte of text[from, to] to the passage.
  marked_text out;
  if (first > 0)
    out.text += "… ";
  std::vector<size_t> at(to - from + 1);
  bool space = false;
  for (auto k = from; k < to; ++k) {
    at[k - from] = out.text.size();
    if (is_blank(text[k])) {
      space = true;
      continue;
    }
    if (space)
      out.text.push_back(' ');
    space = false;
    at[k - from] = out.text.size();
    out.text.push_back(text[k]);
  }
  at[to - from] = out.text.size();
  if (last + 1 < n)
    out.text += " …";

  // The marks: matched words and whole phrase occurrences shown, merged where they overlap.
  // Both ends of a mark are bytes of words, never folded white space.
  std::vector<std::pair<size_t, size_t>> ranges;
  for (auto i = first; i <= last; ++i)
    if (stem_id[i] != none)
      ranges.emplace_back(tokens[i].offset, end_of(i));
  for (auto& o : occurrences)
    if (inside(o, first, last))
      ranges.emplace_back(tokens[o.first].offset, end_of(o.last));
  std::sort(ranges.begin(), ranges.end());
  for (auto [b, e] : ranges) {
    auto begin = at[b - from], end = at[e - 1 - from] + 1;
    if (!out.marks.empty() && begin <= out.marks.back().second)
      out.marks.back().second = std::max(out.marks.back().second, end);
    else
      out.marks.emplace_back(begin, end);
  }
  return out;
}

std::string render_marks(const marked_text& m, std::string_view open, std::string_view close) {
  std::string out;
  size_t done = 0;
  for (auto [b, e] : m.marks) {
    if (b < done || e < b || e > m.text.size())
      continue;
    out.append(m.text, done, b - done);
    out.append(open);
    out.append(m.text, b, e - b);
    out.append(close);
    done = e;
  }
  out.append(m.text, done);
  return out;
}

} // namespace vfb::text
