#include "text/tokenizer.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

namespace vfb::text {

namespace {

constexpr size_t max_term = 64;

bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/// The length of the UTF-8 sequence at `i` if it is punctuation or a space rather than part of
/// a word (no-break space, « », general punctuation such as dashes, quotes and ellipses, CJK
/// punctuation), else 0.
size_t utf8_separator(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  if (b(i) == 0xC2 && i + 1 < s.size() &&
      (b(i + 1) == 0xA0 || b(i + 1) == 0xAB || b(i + 1) == 0xBB || b(i + 1) == 0xBF))
    return 2;
  if (b(i) == 0xE2 && i + 2 < s.size() && (b(i + 1) == 0x80 || b(i + 1) == 0x81))
    return 3; // U+2000-U+207F
  if (b(i) == 0xE3 && i + 2 < s.size() && b(i + 1) == 0x80)
    return 3; // U+3000-U+303F
  return 0;
}

char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// A common English list (articles, pronouns, auxiliaries, prepositions, conjunctions) plus the
// fillers speech recognition produces.
const std::unordered_set<std::string_view>& stop_words() {
  static const std::unordered_set<std::string_view> words{
      "a",        "about",      "above",      "after",     "again",    "against",   "all",
      "also",     "am",         "an",         "and",       "any",      "are",       "aren't",
      "as",       "at",         "be",         "because",   "been",     "before",    "being",
      "below",    "between",    "both",       "but",       "by",       "can",       "can't",
      "cannot",   "could",      "couldn't",   "did",       "didn't",   "do",        "does",
      "doesn't",  "doing",      "don't",      "down",      "during",   "each",      "even",
      "ever",     "every",      "few",        "for",       "from",     "further",   "get",
      "gets",     "got",        "had",        "hadn't",    "has",      "hasn't",    "have",
      "haven't",  "having",     "he",         "he'd",      "he'll",    "he's",      "her",
      "here",     "here's",     "hers",       "herself",   "him",      "himself",   "his",
      "how",      "how's",      "i",          "i'd",       "i'll",     "i'm",       "i've",
      "if",       "in",         "into",       "is",        "isn't",    "it",        "it's",
      "its",      "itself",     "just",       "let's",     "like",     "me",        "more",
      "most",     "much",       "must",       "mustn't",   "my",       "myself",    "no",
      "nor",      "not",        "now",        "of",        "off",      "oh",        "ok",
      "okay",     "on",         "once",       "one",       "only",     "or",        "other",
      "ought",    "our",        "ours",       "ourselves", "out",      "over",      "own",
      "really",   "right",      "said",       "same",      "say",      "says",      "shan't",
      "she",      "she'd",      "she'll",     "she's",     "should",   "shouldn't", "so",
      "some",     "such",       "than",       "that",      "that's",   "the",       "their",
      "theirs",   "them",       "themselves", "then",      "there",    "there's",   "these",
      "they",     "they'd",     "they'll",    "they're",   "they've",  "thing",     "things",
      "this",     "those",      "through",    "to",        "too",      "uh",        "um",
      "under",    "until",      "up",         "us",        "very",     "was",       "wasn't",
      "we",       "we'd",       "we'll",      "we're",     "we've",    "well",      "were",
      "weren't",  "what",       "what's",     "when",      "when's",   "where",     "where's",
      "which",    "while",      "who",        "who's",     "whom",     "why",       "why's",
      "will",     "with",       "won't",      "would",     "wouldn't", "yeah",      "yes",
      "you",      "you'd",      "you'll",     "you're",    "you've",   "your",      "yours",
      "yourself", "yourselves", "going",      "know",      "want",     "way",       "make",
      "made",     "many",       "may",        "might",     "new",      "see",       "still",
      "two",      "use",        "used",       "via",       "go",       "goes",      "let",
  };
  return words;
}

} // namespace

std::vector<token> tokenize(std::string_view input) {
  std::vector<token> out;
  size_t i = 0;
  while (i < input.size()) {
    if (!word_byte(static_cast<unsigned char>(input[i]))) {
      ++i;
      continue;
    }
    if (auto n = utf8_separator(input, i)) {
      i += n;
      continue;
    }
    auto start = i;
    // An apostrophe joins two word runs ("don't"), but never starts or ends a word.
    while (i < input.size() && utf8_separator(input, i) == 0 &&
           (word_byte(static_cast<unsigned char>(input[i])) ||
            (input[i] == '\'' && i + 1 < input.size() &&
             word_byte(static_cast<unsigned char>(input[i + 1])) && i > start)))
      ++i;
    token t;
    t.offset = start;
    t.length = i - start;
    auto n = std::min(t.length, max_term);
    // Never cut inside a UTF-8 sequence: back up to a lead byte.
    while (n < t.length && n > 0 && (static_cast<unsigned char>(input[start + n]) & 0xC0) == 0x80)
      --n;
    t.term.reserve(n);
    for (size_t k = 0; k < n; ++k)
      t.term.push_back(fold(input[start + k]));
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> terms(std::string_view input) {
  std::vector<std::string> out;
  for (auto& t : tokenize(input))
    out.push_back(std::move(t.term));
  return out;
}

bool is_stop_word(std::string_view term) {
  return stop_words().count(term) != 0;
}

std::vector<std::string> content_terms(std::string_view input) {
  std::vector<std::string> out;
  for (auto& t : tokenize(input)) {
    if (t.term.size() < 2 || is_stop_word(t.term))
      continue;
    if (std::all_of(t.term.begin(), t.term.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    out.push_back(std::move(t.term));
  }
  return out;
}

std::vector<std::string> sentences(std::string_view input) {
  std::vector<std::string> out;
  auto flush = [&](size_t from, size_t to) {
    while (from < to && is_space(input[from]))
      ++from;
    while (to > from && is_space(input[to - 1]))
      --to;
    if (to > from)
      out.emplace_back(input.substr(from, to - from));
  };
  size_t start = 0;
  for (size_t i = 0; i < input.size(); ++i) {
    char c = input[i];
    bool end_mark = c == '.' || c == '!' || c == '?';
    if (c == '\n' || (end_mark && (i + 1 == input.size() || is_space(input[i + 1])))) {
      flush(start, i + (c == '\n' ? 0 : 1));
      start = i + 1;
    }
  }
  flush(start, input.size());
  return out;
}

} // namespace vfb::text
