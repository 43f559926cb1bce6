#include "text/key_phrases.hpp"

#include "text/ranking.hpp"
#include "text/tokenizer.hpp"
#include "text/word_classes.hpp"

#include <algorithm>
#include <map>

namespace vfb::text {

namespace {

constexpr size_t max_words = 4;

using words = std::vector<std::string>;

/// Whether the bytes between two words break a phrase: sentence or clause punctuation, a
/// spaced hyphen, or Unicode punctuation (the tokenizer only leaves Unicode spaces and
/// punctuation between words, and a no-break space is the one that does not break).
bool breaks_phrase(std::string_view between) {
  if (between.find_first_of(".,;:!?()[]{}\"\n") != std::string_view::npos ||
      between.find(" - ") != std::string_view::npos)
    return true;
  for (size_t i = 0; i < between.size(); ++i) {
    if (static_cast<unsigned char>(between[i]) < 0x80)
      continue;
    if (between.substr(i, 2) != "\xC2\xA0")
      return true;
    ++i;
  }
  return false;
}

/// Runs of content words: what lies between stop words, numbers, verbs, adverbs and
/// punctuation, ending in a noun (a phrase is a thing: "black rock", not "rock black").
std::vector<words> content_runs(std::string_view input) {
  const auto& classes = word_classes::system();
  std::vector<words> runs(1);
  auto close = [&] {
    auto& run = runs.back();
    while (!run.empty() && classes.kind_of(run.back()) == word_kind::adjective)
      run.pop_back();
    if (!run.empty())
      runs.emplace_back();
  };
  auto tokens = tokenize(input);
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto& t = tokens[i];
    if (i > 0) {
      auto prev_end = tokens[i - 1].offset + tokens[i - 1].length;
      if (breaks_phrase(input.substr(prev_end, t.offset - prev_end)))
        close();
    }
    auto kind = classes.kind_of(t.term);
    if (is_stop_word(t.term) || is_filler_word(t.term) || t.term.size() < 2 || is_number(t.term) ||
        kind == word_kind::verb || kind == word_kind::adverb) {
      close();
      continue;
    }
    runs.back().push_back(std::move(t.term));
  }
  close();
  if (runs.back().empty())
    runs.pop_back();
  return runs;
}

std::string join(const words& ws, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i)
    out += (i > from ? " " : "") + ws[i];
  return out;
}

struct phrase {
  words parts;
  size_t said = 0;        // occurrences: anywhere in a run for several words, alone for one
  bool candidate = false; // a whole candidate (a run, or a piece of a long one) at least once
  bool redundant = false; // only ever said inside one longer phrase
};

} // namespace

std::vector<weighted_term> key_phrases(std::string_view input, size_t max) {
  std::map<std::string, double> freq, degree;
  std::map<std::string, phrase> phrases;
  for (auto& run : content_runs(input)) {
    // Candidates: the run, or for long runs (unpunctuated speech) balanced pieces of at most
    // `max_words`. RAKE counts each word's frequency and degree (the lengths of its candidates).
    auto pieces = (run.size() + max_words - 1) / max_words;
    for (size_t p = 0; p < pieces; ++p) {
      auto from = run.size() * p / pieces, to = run.size() * (p + 1) / pieces;
      for (auto k = from; k < to; ++k) {
        freq[run[k]] += 1;
        degree[run[k]] += static_cast<double>(to - from);
      }
      auto& ph = phrases[join(run, from, to)];
      ph.parts.assign(run.begin() + from, run.begin() + to);
      ph.candidate = true;
      if (to - from == 1)
        ++ph.said;
    }
    // Multi-word phrases count wherever they are said, also inside longer runs, so "solar
    // panels" is found in "solar panels charge" and "solar panels work".
    for (size_t i = 0; i < run.size(); ++i)
      for (size_t n = 2; n <= max_words && i + n <= run.size(); ++n) {
        auto& ph = phrases[join(run, i, i + n)];
        ph.parts.assign(run.begin() + i, run.begin() + i + n);
        ++ph.said;
      }
  }
  auto eligible = [](const phrase& ph) { return ph.candidate || ph.said >= 2; };
  // A phrase said exactly as often as a longer one containing it is only ever part of that
  // one ("solar panel" in "solar panel array"): keep the longer phrase alone.
  for (auto& [text, ph] : phrases) {
    if (!eligible(ph) || ph.parts.size() < 3)
      continue;
    for (size_t i = 0; i < ph.parts.size(); ++i)
      for (size_t n = 2; i + n <= ph.parts.size() && n < ph.parts.size(); ++n) {
        auto sub = phrases.find(join(ph.parts, i, i + n));
        if (sub != phrases.end() && sub->second.said == ph.said)
          sub->second.redundant = true;
      }
  }
  std::vector<weighted_term> out;
  for (auto& [text, ph] : phrases) {
    if (!eligible(ph) || ph.redundant)
      continue;
    double sum = 0;
    for (auto& w : ph.parts)
      sum += degree[w] / freq[w];
    // A recurring phrase is what the text is about: every time it is said counts. A phrase said
    // once scores the mean of its words instead of RAKE's sum, which favours long one-off runs
    // of words (in unpunctuated speech mostly accidents) over phrases that recur.
    auto n = static_cast<double>(ph.parts.size());
    out.push_back({text, ph.said >= 2 ? sum * static_cast<double>(ph.said) : sum / n});
  }
  keep_best(out, max);
  return out;
}

} // namespace vfb::text
