#include "text/tokenizer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
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

/// The length of a typographic apostrophe (U+2019) at `i`, else 0. Many editors write "don’t";
/// it becomes "don't" so stop words and searches match either spelling.
size_t curly_apostrophe(std::string_view s, size_t i) {
  return s.substr(i, 3) == "\xE2\x80\x99" ? 3 : 0;
}

/// The lower-case form of a capital in the two-byte UTF-8 range: Latin-1, Latin Extended-A,
/// Greek, Cyrillic. The lower-case letter is two bytes long too, so offsets stay valid.
uint32_t fold_code_point(uint32_t c) {
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
      (c >= 0x410 && c <= 0x42F))
    return c + 0x20;
  if (c >= 0x400 && c <= 0x40F)
    return c + 0x50;
  // Latin Extended-A pairs capitals with the next code point (İ and ı excepted).
  if (((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) &&
      c % 2 == 0)
    return c + 1;
  if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && c % 2 == 1)
    return c + 1;
  if (c == 0x178)
    return 0xFF;
  return c;
}

/// Appends the character at `s[i]` (an ASCII byte or a whole UTF-8 sequence) to `out`,
/// lower-cased; returns how many bytes it consumed.
size_t append_folded(std::string& out, std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto c = byte(i);
  if (c >= 'A' && c <= 'Z') {
    out.push_back(static_cast<char>(c - 'A' + 'a'));
    return 1;
  }
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  size_t len = 1;
  while (len < n && i + len < s.size() && (byte(i + len) & 0xC0) == 0x80)
    ++len;
  if (n == 2 && len == 2) {
    auto cp = fold_code_point(((c & 0x1Fu) << 6) | (byte(i + 1) & 0x3Fu));
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.append(s.substr(i, len));
  }
  return len;
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
  auto in_word = [&](size_t k) {
    return k < input.size() && word_byte(static_cast<unsigned char>(input[k])) &&
           utf8_separator(input, k) == 0;
  };
  size_t i = 0;
  while (i < input.size()) {
    if (!in_word(i)) {
      i += std::max<size_t>(1, utf8_separator(input, i));
      continue;
    }
    token t;
    t.offset = i;
    bool full = false; // words are cut at `max_term` bytes, never inside a UTF-8 sequence
    for (;;) {
      if (in_word(i)) {
        auto before = t.term.size();
        i += append_folded(t.term, input, i);
        if (full || t.term.size() > max_term) {
          t.term.resize(before);
          full = true;
        }
        continue;
      }
      if (i >= input.size())
        break;
      // An apostrophe joins two word runs ("don't"), but never starts or ends a word.
      auto apostrophe = input[i] == '\'' ? 1 : curly_apostrophe(input, i);
      if (apostrophe == 0 || !in_word(i + apostrophe))
        break;
      if (t.term.size() < max_term && !full)
        t.term.push_back('\'');
      i += apostrophe;
    }
    if (!t.term.empty() && t.term.back() == '\'')
      t.term.pop_back(); // the cut fell just after an apostrophe
    t.length = i - t.offset;
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

bool is_number(std::string_view term) {
  return !term.empty() &&
         std::all_of(term.begin(), term.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_filler_word(std::string_view term) {
  static const std::unordered_set<std::string_view> words{
      "stuff",  "lot",      "lots",      "kind",     "kinds",      "sort",    "sorts",
      "guy",    "guys",     "gonna",     "wanna",    "gotta",      "kinda",   "sorta",
      "hmm",    "huh",      "anyway",    "bit",      "folks",      "yep",     "nope",
      "hey",    "hi",       "hello",     "bye",      "mhm",        "uhm",     "er",
      "ah",     "whatever", "something", "anything", "everything", "nothing", "someone",
      "anyone", "everyone", "somebody",  "anybody",  "everybody",  "nobody"};
  return words.count(term) != 0;
}

bool is_stop_word(std::string_view term) {
  return stop_words().count(term) != 0;
}

std::vector<std::string> content_terms(std::string_view input) {
  std::vector<std::string> out;
  for (auto& t : tokenize(input)) {
    if (t.term.size() < 2 || is_stop_word(t.term) || is_number(t.term))
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
  // Closing quotes and brackets stay with the sentence they end: 'He said "stop." Then'.
  auto closer = [&](size_t k) -> size_t {
    if (input[k] == '"' || input[k] == '\'' || input[k] == ')' || input[k] == ']')
      return 1;
    if (input.substr(k, 2) == "\xC2\xBB") // »
      return 2;
    auto s3 = input.substr(k, 3);
    return s3 == "\xE2\x80\x9D" || s3 == "\xE2\x80\x99" ? 3 : 0; // ” ’
  };
  size_t start = 0;
  for (size_t i = 0; i < input.size(); ++i) {
    char c = input[i];
    if (c == '\n') {
      flush(start, i);
      start = i + 1;
      continue;
    }
    if (c != '.' && c != '!' && c != '?')
      continue;
    auto end = i + 1;
    while (end < input.size() && closer(end) > 0)
      end += closer(end);
    if (end == input.size() || is_space(input[end])) {
      flush(start, end);
      start = end;
      i = end - 1;
    }
  }
  flush(start, input.size());
  return out;
}

} // namespace vfb::text
