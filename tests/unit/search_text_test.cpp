// Search text: stems, the query's terms and phrases, phrase matching, marked snippets
// (text/stemmer.hpp, text/search_query.hpp, text/phrase.hpp, text/snippet.hpp).
#include "tests/support/filler_words.hpp"
#include "text/phrase.hpp"
#include "text/search_query.hpp"
#include "text/snippet.hpp"
#include "text/stemmer.hpp"
#include "text/tokenizer.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <thread>

using namespace vfb;
using namespace vfb::text;

namespace {

using strings = std::vector<std::string>;
using spans = std::vector<std::pair<size_t, size_t>>;

/// The marked words of `m`, as they read in its text.
strings marked(const marked_text& m) {
  strings out;
  for (auto [b, e] : m.marks) {
    REQUIRE(b < e);
    REQUIRE(e <= m.text.size());
    out.push_back(m.text.substr(b, e - b));
  }
  return out;
}

/// Marks ascending and disjoint.
void check_ordered(const marked_text& m) {
  for (size_t i = 1; i < m.marks.size(); ++i)
    CHECK(m.marks[i - 1].second < m.marks[i].first);
}

using test::filler;

} // namespace

// -- stems -------------------------------------------------------------------------------------

TEST_CASE("stems join the forms of a word and the index terms are stems") {
  CHECK(stem("volcanoes") == "volcano");
  CHECK(stem("volcano") == "volcano");
  CHECK(stem("running") == "run");
  CHECK(stem("erupted") == stem("eruption"));
  CHECK(stem("cafés") == "café");
  CHECK(stem("東京") == "東京");
  CHECK(stem("").empty());
  // Longer than the tokenizer's longest term: unchanged (no suffix stripped).
  std::string long_word(60, 'x');
  long_word += "ingsss";
  CHECK(stem(long_word) == long_word);
  CHECK(stem("\x80\xff\xc3") == "\x80\xff\xc3"); // not UTF-8: no crash, returned as it is
  // A search for "volcanoes" finds a text that says "volcano", and the other way round.
  CHECK(index_terms("The Volcanoes erupted, the volcano erupts!") ==
        strings{"volcano", "erupt", "volcano", "erupt"});
  CHECK(index_terms("volcanoes")[0] == index_terms("a volcano")[0]);
  CHECK(index_terms("the and of 42 a").empty());
  CHECK(word_stems("The 2 volcanoes") == strings{"the", "2", "volcano"});
}

TEST_CASE("every thread stems with its own stemmer") {
  strings results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] {
      std::string last;
      for (int i = 0; i < 2000; ++i)
        last = stem(i % 2 ? "volcanoes" : "running");
      results[t] = last + stem("volcanoes");
    });
  for (auto& t : threads)
    t.join();
  for (auto& r : results)
    CHECK(r == "volcanovolcano");
}

// -- queries -----------------------------------------------------------------------------------

TEST_CASE("a query has stemmed terms and quoted phrases") {
  auto q = parse_search_query("volcanoes \"black rock\"");
  CHECK(q.terms == strings{"volcano", "black", "rock"});
  CHECK(q.phrases == std::vector<strings>{{"black", "rock"}});
  // Stop words stay in a phrase, out of the terms.
  q = parse_search_query("\"the lava\"");
  CHECK(q.terms == strings{"lava"});
  CHECK(q.phrases == std::vector<strings>{{"the", "lava"}});
  // Words of a phrase are stemmed like the text they are matched against.
  q = parse_search_query("\"Erupting Volcanoes\" 2 volcano");
  CHECK(q.terms == strings{"erupt", "volcano"});
  CHECK(q.phrases == std::vector<strings>{{"erupt", "volcano"}});
  // Numbers are phrase words too.
  q = parse_search_query("\"apollo 11\"");
  CHECK(q.terms == strings{"apollo"});
  CHECK(q.phrases == std::vector<strings>{{"apollo", "11"}});
}

TEST_CASE("typographic quotes make phrases and an unclosed quote runs to the end") {
  auto q = parse_search_query("\xE2\x80\x9C"
                              "black rock\xE2\x80\x9D lava");
  CHECK(q.terms == strings{"black", "rock", "lava"});
  CHECK(q.phrases == std::vector<strings>{{"black", "rock"}});
  // Any of the quotes closes.
  q = parse_search_query("\xE2\x80\x9C"
                         "black rock\" lava \"hot ash\xE2\x80\x9D");
  CHECK(q.phrases == std::vector<strings>{{"black", "rock"}, {"hot", "ash"}});
  CHECK(q.terms == strings{"black", "rock", "lava", "hot", "ash"});
  // Unclosed: one word is just a term, more are a phrase.
  q = parse_search_query("\"lava");
  CHECK(q.terms == strings{"lava"});
  CHECK(q.phrases.empty());
  q = parse_search_query("lava \"black rock");
  CHECK(q.terms == strings{"lava", "black", "rock"});
  CHECK(q.phrases == std::vector<strings>{{"black", "rock"}});
  // A quoted single word or stop word, an empty quote.
  q = parse_search_query("\"volcanoes\" \"the\" \"\"");
  CHECK(q.terms == strings{"volcano"});
  CHECK(q.phrases.empty());
}

TEST_CASE("queries of nothing to find are empty and phrases of only stop words are dropped") {
  for (auto query : {"", "   ", "the and of", "\"\"", "\"to be or not to be\"", "\"42 1\" a"}) {
    auto q = parse_search_query(query);
    CHECK(q.terms.empty());
    CHECK(q.phrases.empty());
  }
  // Dropped phrases leave the rest alone.
  auto q = parse_search_query("\"to be\" lava");
  CHECK(q.terms == strings{"lava"});
  CHECK(q.phrases.empty());
}

TEST_CASE("a query keeps 32 distinct terms and 8 distinct phrases") {
  std::string query = "volcano volcanoes ";
  for (int i = 0; i < 40; ++i)
    query += "word" + std::to_string(i) + "x ";
  auto q = parse_search_query(query);
  REQUIRE(q.terms.size() == max_query_terms);
  CHECK(q.terms.front() == "volcano");
  CHECK(q.terms[1] == "word0x");
  CHECK(q.terms.back() == "word30x");

  std::string quoted = "\"black rock\" \"black rock\" ";
  for (int i = 0; i < 10; ++i)
    quoted += "\"hot ash" + std::to_string(i) + "x\" ";
  q = parse_search_query(quoted);
  REQUIRE(q.phrases.size() == max_query_phrases);
  CHECK(q.phrases[0] == strings{"black", "rock"});
  CHECK(q.phrases[1] == strings{"hot", "ash0x"});
  CHECK(q.phrases.back() == strings{"hot", "ash6x"});
  // The terms of phrases beyond the eighth still count.
  CHECK(q.terms.back() == "ash9x");
  CHECK(q.terms.size() == 13); // black rock hot ash0x ... ash9x
}

// -- phrases -----------------------------------------------------------------------------------

TEST_CASE("phrases are consecutive stems whatever the case and punctuation") {
  CHECK(contains_phrase("a a b", {"a", "b"}));
  CHECK(contains_phrase("black black rock", {"black", "rock"}));
  CHECK(contains_phrase("a b a b c", {"a", "b", "c"}));
  CHECK_FALSE(contains_phrase("a b a c", {"a", "b", "c"}));
  CHECK_FALSE(contains_phrase("rock black", {"black", "rock"}));
  CHECK_FALSE(contains_phrase("black hot rock", {"black", "rock"}));
  CHECK_FALSE(contains_phrase("black", {"black", "rock"}));
  CHECK_FALSE(contains_phrase("black rock", {}));
  CHECK_FALSE(contains_phrase("", {"black"}));
  // The tokenizer drops punctuation and case, so they do not break a phrase.
  CHECK(contains_phrase("Black, rock!", {"black", "rock"}));
  CHECK(contains_phrase("BLACK\n\n\xE2\x80\x94 rock", {"black", "rock"}));
  // Stems: a phrase from the query matches other forms of its words.
  CHECK(contains_phrase("the erupting volcanoes",
                        parse_search_query("\"erupted volcano\"").phrases[0]));
  CHECK(contains_phrase("Into the lava.", parse_search_query("\"the lava\"").phrases[0]));
  CHECK(phrase_starts({"a", "a", "a"}, {"a", "a"}) == std::vector<size_t>{0, 1});
}

TEST_CASE("a phrase is marked from its first word to its last across punctuation") {
  auto m =
      marked_snippet("Black, rock and black rocks; black  black rock.", {}, {{"black", "rock"}});
  CHECK(marked(m) == strings{"Black, rock", "black rocks", "black rock"});
  check_ordered(m);
  // Words in another order are not the phrase; UTF-8 words are whole.
  CHECK(marked_snippet("rock black rock", {}, {{"black", "rock"}}).marks == spans{{5, 15}});
  CHECK(marked(marked_snippet("café au lait", {}, {{"café", "au"}})) == strings{"café au"});
  CHECK(marked_snippet("black rock", {}, {{}}).marks.empty());
}

TEST_CASE("marked snippets mark the matched words of the passage") {
  auto m = marked_snippet("The volcanoes of Iceland: a Volcano erupts.", {"volcano", "erupt"});
  CHECK(m.text == "The volcanoes of Iceland: a Volcano erupts.");
  CHECK(marked(m) == strings{"volcanoes", "Volcano", "erupts"});
  check_ordered(m);
  CHECK(render_marks(m, "**", "**") == "The **volcanoes** of Iceland: a **Volcano** **erupts**.");
  CHECK(render_marks(m, "\x1b[1m", "\x1b[0m") ==
        "The \x1b[1mvolcanoes\x1b[0m of Iceland: a \x1b[1mVolcano\x1b[0m \x1b[1merupts\x1b[0m.");
  // Nothing matched: no marks, the text as it is.
  m = marked_snippet("short text", {"absent"});
  CHECK(m.marks.empty());
  CHECK(render_marks(m, "**", "**") == "short text");
  CHECK(marked_snippet("", {"x"}).text.empty());
  CHECK(marked_snippet("", {"x"}).marks.empty());
}

TEST_CASE("a phrase is marked as one range and stop words only inside it") {
  auto q = parse_search_query("\"the lava\" rock");
  auto m = marked_snippet("The rock. Into the   lava, the lava flows; lava and the rock", q.terms,
                          q.phrases);
  CHECK(m.text == "The rock. Into the lava, the lava flows; lava and the rock");
  CHECK(marked(m) == strings{"rock", "the lava", "the lava", "lava", "rock"});
  check_ordered(m);
  // Overlapping occurrences and the words inside them merge into one mark.
  m = marked_snippet("ha ha ha ho", {"ha"}, {{"ha", "ha"}});
  CHECK(marked(m) == strings{"ha ha ha"});
  CHECK(render_marks(m, "[", "]") == "[ha ha ha] ho");
}

TEST_CASE("the snippet window holds the most query words and phrases") {
  // "alpha" early, "beta" far away; later "alpha" and "beta" together: the later window wins.
  auto text = "alpha " + filler(40) + "beta " + filler(40, 100) + "alpha beta " + filler(40, 200);
  auto m = marked_snippet(text, {"alpha", "beta"});
  CHECK(marked(m) == strings{"alpha", "beta"});
  auto at = m.text.find("alpha beta");
  REQUIRE(at != std::string::npos);
  CHECK(m.marks[0].first == at);
  CHECK(m.text.rfind("… ", 0) == 0);
  CHECK(m.text.size() <= 200 + 2 * std::string{" …"}.size());
  // Only the far apart ones: the earliest window with one of them, at the start.
  m = marked_snippet("alpha " + filler(40) + "beta " + filler(40, 100), {"alpha", "beta"});
  CHECK(m.text.rfind("alpha ", 0) == 0);
  CHECK(marked(m) == strings{"alpha"});
  // A word repeated does not beat two different words.
  m = marked_snippet(filler(20) + "alpha alpha alpha " + filler(40, 100) + "alpha beta " +
                         filler(40, 200),
                     {"alpha", "beta"});
  CHECK(marked(m) == strings{"alpha", "beta"});
  // A phrase counts before single words: "beta gamma" as a phrase beats alpha with beta.
  m = marked_snippet(filler(30) + "alpha beta " + filler(40, 100) + "gamma beta gamma " +
                         filler(40, 200),
                     {"alpha", "beta", "gamma"}, {{"beta", "gamma"}});
  CHECK(marked(m) == strings{"gamma", "beta gamma"});
}

TEST_CASE("marks stay right after white space folding and a leading ellipsis") {
  std::string text = filler(40) + "the\t\tblack \n\n rock   is   hot\r\n" + filler(40, 100);
  auto m = marked_snippet(text, {"hot"}, {{"black", "rock"}});
  REQUIRE(m.text.rfind("… ", 0) == 0);
  CHECK(m.text.find("the black rock is hot") != std::string::npos);
  CHECK(m.text.find("  ") == std::string::npos);
  CHECK(marked(m) == strings{"black rock", "hot"});
  CHECK(render_marks(m, "<", ">").find("the <black rock> is <hot>") != std::string::npos);
  check_ordered(m);
}

TEST_CASE("marked snippets keep UTF-8 words whole") {
  std::string text;
  for (int i = 0; i < 30; ++i)
    text += "Café naïve déjà ";
  text += "crème brûlée ";
  for (int i = 0; i < 30; ++i)
    text += "東京 été ";
  auto m = marked_snippet(text, {stem("brûlée")}, {}, 60);
  CHECK(marked(m) == strings{"brûlée"});
  CHECK(m.text.rfind("… ", 0) == 0);
  CHECK(m.text.substr(m.text.size() - std::string{" …"}.size()) == " …");
  CHECK(m.text.find("crème brûlée") != std::string::npos);
  // Every word shown is a whole word of the text.
  auto words = terms(text);
  for (auto& w : terms(m.text))
    CHECK(std::find(words.begin(), words.end(), w) != words.end());
  m = marked_snippet("Un café, des cafés.", {"café"});
  CHECK(marked(m) == strings{"café", "cafés"});
  CHECK(render_marks(m, "*", "*") == "Un *café*, des *cafés*.");
}

TEST_CASE("rendering skips marks that are not in the text") {
  marked_text m{"abc def", {{0, 3}, {2, 5}, {4, 9}, {4, 7}}};
  CHECK(render_marks(m, "[", "]") == "[abc] [def]");
  CHECK(render_marks({"", {}}, "[", "]").empty());
}

TEST_CASE("snippets match the stems of the query's words") {
  auto text = filler(40) + "one volcano erupted " + filler(40, 100);
  auto q = parse_search_query("volcanoes");
  auto s = marked_snippet(text, q.terms).text;
  CHECK(s.find("one volcano erupted") != std::string::npos);
  CHECK(s.find("one volcano erupted") < 80);
}

TEST_CASE("marks of any text are whole matched words of the passage") {
  // Random texts of a few words, separators and white space: every mark is a run of words whose
  // first and last are matched, the passage is about the width, and no mark splits a character.
  const strings vocabulary{"Volcano", "volcanoes", "the", "lava", "café", "東京", "rock", "x"};
  const strings separators{" ", "  ", "\n\t ", ", ", "\xE2\x80\x94", "... ", " \"", "\r\n"};
  std::mt19937 random{7};
  auto pick = [&](const strings& from) { return from[random() % from.size()]; };
  for (int round = 0; round < 300; ++round) {
    std::string text;
    auto words = random() % 80;
    for (size_t i = 0; i < words; ++i)
      text += pick(vocabulary) + pick(separators);
    auto width = 20 + random() % 150;
    auto m = marked_snippet(text, {"volcano", "café"}, {{"the", "lava"}}, width);
    check_ordered(m);
    CHECK(m.text.size() <= width + 2 * std::string{" …"}.size() + 8);
    for (auto& mark : marked(m)) {
      auto ws = word_stems(mark);
      REQUIRE_FALSE(ws.empty());
      auto toks = tokenize(mark); // a mark starts and ends with a word
      CHECK(toks.front().offset == 0);
      CHECK(toks.back().offset + toks.back().length == mark.size());
      bool phrase = contains_phrase(mark, {"the", "lava"});
      CHECK((phrase || ws.front() == "volcano" || ws.front() == "café"));
      CHECK((phrase || ws.back() == "volcano" || ws.back() == "café"));
      CHECK(mark.find("  ") == std::string::npos);
    }
    for (auto [b, e] : m.marks) {
      CHECK((static_cast<unsigned char>(m.text[b]) & 0xC0) != 0x80);
      CHECK((e == m.text.size() || (static_cast<unsigned char>(m.text[e]) & 0xC0) != 0x80));
    }
    // The text without the marks' words has no matched word left in the shown passage.
    std::string rest = m.text;
    for (auto it = m.marks.rbegin(); it != m.marks.rend(); ++it)
      rest.replace(it->first, it->second - it->first, " ");
    for (auto& w : word_stems(rest))
      CHECK((w != "volcano" && w != "café"));
  }
}
