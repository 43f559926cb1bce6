// Text analysis: tokenizer, key phrases, topics, summary, chunking, BM25.
#include "text/bm25.hpp"
#include "text/chunker.hpp"
#include "text/key_phrases.hpp"
#include "text/summary.hpp"
#include "text/tokenizer.hpp"
#include "text/topics.hpp"

#include <catch2/catch.hpp>

using namespace vfb;
using namespace vfb::text;

namespace {

std::vector<std::string> names(const std::vector<weighted_term>& ts) {
  std::vector<std::string> out;
  for (auto& t : ts)
    out.push_back(t.term);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

} // namespace

TEST_CASE("the tokenizer folds case, keeps apostrophes and UTF-8 words, finds sentences") {
  CHECK(terms("Don't STOP—believing, O'Brien!") ==
        std::vector<std::string>{"don't", "stop", "believing", "o'brien"});
  CHECK(terms("'quoted' words'") == std::vector<std::string>{"quoted", "words"});
  CHECK(terms("Café naïve 東京") == std::vector<std::string>{"café", "naïve", "東京"});
  auto toks = tokenize("  Hello world");
  REQUIRE(toks.size() == 2);
  CHECK(toks[1].offset == 8);
  CHECK(toks[1].length == 5);
  CHECK(content_terms("The 42 volcanoes and a x of it") == std::vector<std::string>{"volcanoes"});
  CHECK(is_stop_word("the"));
  CHECK_FALSE(is_stop_word("volcano"));
  CHECK(sentences("One. Two!  Three?\nFour 3.5 five") ==
        std::vector<std::string>{"One.", "Two!", "Three?", "Four 3.5 five"});
  CHECK(sentences("   ").empty());
}

TEST_CASE("key phrases: a repeated phrase ranks first; stop words and punctuation split") {
  auto kp = key_phrases("The solar eclipse was visible. Many people watched the solar eclipse "
                        "from rooftops, and the solar eclipse ended at noon.");
  REQUIRE_FALSE(kp.empty());
  CHECK(kp[0].term == "solar eclipse");
  auto all = names(kp);
  CHECK(contains(all, "visible"));
  CHECK_FALSE(contains(all, "rooftops solar")); // a comma splits
  CHECK(key_phrases("the and of", 5).empty());
  CHECK(key_phrases("alpha beta. gamma delta. epsilon zeta. eta theta.", 2).size() == 2);
}

TEST_CASE("topics: a planted keyword wins; a term common in the corpus is down-weighted") {
  std::string text = "Volcano experts said the volcano could erupt. The volcano is active. "
                     "Experts watch the mountain.";
  corpus_stats empty;
  auto t = topics(text, empty);
  REQUIRE_FALSE(t.empty());
  CHECK(t[0].term == "volcano");
  // "experts" and "watch" twice vs once: with a corpus where "experts" is everywhere,
  // a rarer word with the same frequency overtakes it.
  corpus_stats corpus;
  corpus.documents = 100;
  corpus.document_frequency["experts"] = 100;
  corpus.document_frequency["mountain"] = 1;
  auto weighted = topics("experts mountain experts mountain", corpus);
  REQUIRE(weighted.size() == 2);
  CHECK(weighted[0].term == "mountain");
  CHECK(weighted[0].weight > weighted[1].weight);
  CHECK(topics(text, empty, 1).size() == 1);
  CHECK(document_terms("beta alpha beta") == std::vector<std::string>{"alpha", "beta"});
}

TEST_CASE("in longer texts a topic must occur at least twice") {
  std::string text;
  for (int i = 0; i < 60; ++i)
    text += "word" + std::to_string(i) + "x ";
  text += "telescope telescope";
  auto t = topics(text, {});
  REQUIRE(t.size() == 1);
  CHECK(t[0].term == "telescope");
}

TEST_CASE("the summary picks central sentences and keeps their order") {
  std::vector<std::string> s{"Volcanoes shape the islands we live on today.", "Lunch was nice.",
                             "The volcano near the island erupted again this week.",
                             "Scientists measured ash from the volcano near the islands.",
                             "Nobody knows what the cat thinks about anything at all."};
  auto sum = summarize(s, 2);
  REQUIRE(sum.size() == 2);
  CHECK(sum[0] == s[2]);
  CHECK(sum[1] == s[3]);
  CHECK(summarize(s, 10).size() == s.size());
  CHECK(summarize({}, 3).empty());
}

TEST_CASE("unpunctuated speech is summarised in windows of words") {
  std::string text;
  for (int i = 0; i < 90; ++i)
    text += (i % 3 == 0 ? "volcano " : "word" + std::to_string(i) + " ");
  auto sum = summarize_text(text, 2);
  REQUIRE(sum.size() == 2);
  for (auto& s : sum)
    CHECK(terms(s).size() <= 25);
}

TEST_CASE("chunks: whole segments in order, bounded size, overlap, times kept") {
  std::vector<transcript_segment> segs;
  for (int i = 0; i < 40; ++i)
    segs.push_back({i * 1000, i * 1000 + 900,
                    "segment number " + std::to_string(i) + " says something worth keeping"});
  segs.push_back({41000, 41100, "   "}); // skipped
  auto chunks = chunk_transcript(segs, 200, 60);
  REQUIRE(chunks.size() > 5);
  int64_t last_start = -1;
  size_t next_expected = 0; // every segment appears, in order
  for (size_t c = 0; c < chunks.size(); ++c) {
    auto& ch = chunks[c];
    CHECK(ch.text.size() <= 200);
    CHECK(ch.start_ms > last_start);
    CHECK(ch.end_ms > ch.start_ms);
    last_start = ch.start_ms;
    while (next_expected < 40 &&
           ch.text.find("number " + std::to_string(next_expected) + " ") != std::string::npos)
      ++next_expected;
    if (c + 1 < chunks.size()) {
      // The next chunk starts inside this one: overlap.
      CHECK(chunks[c + 1].start_ms <= ch.end_ms);
      CHECK(chunks[c + 1].start_ms > ch.start_ms);
    }
  }
  CHECK(next_expected == 40);
  CHECK(chunks.back().end_ms == 39'900);
}

TEST_CASE("chunks always advance, and a very long segment is cut at words") {
  std::vector<transcript_segment> segs{{0, 1000, "alpha beta"}, {1000, 2000, "gamma delta"}};
  auto chunks = chunk_transcript(segs, 10, 1000); // overlap larger than the target
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].text == "alpha beta");
  CHECK(chunks[1].text == "gamma delta");
  std::string long_text;
  for (int i = 0; i < 100; ++i)
    long_text += "word" + std::to_string(i) + " ";
  auto cut = chunk_transcript({{0, 100'000, long_text}}, 100, 0);
  REQUIRE(cut.size() > 5);
  CHECK(cut.front().start_ms == 0);
  CHECK(cut.back().end_ms == 100'000);
  for (size_t i = 1; i < cut.size(); ++i)
    CHECK(cut[i].start_ms >= cut[i - 1].end_ms);
  CHECK(cut[0].text.rfind("word0 ", 0) == 0);
  CHECK(chunk_transcript({}, 800, 150).empty());
}

TEST_CASE("BM25 formulas") {
  CHECK(bm25_idf(10, 1) > bm25_idf(10, 5));
  CHECK(bm25_idf(10, 10) > 0);
  auto idf = bm25_idf(100, 10);
  CHECK(bm25_term(0, 10, 10, idf) == 0);
  CHECK(bm25_term(3, 10, 10, idf) > bm25_term(1, 10, 10, idf));
  CHECK(bm25_term(1, 5, 10, idf) > bm25_term(1, 20, 10, idf)); // shorter chunk wins
  CHECK(bm25_term(1, 10, 10, idf) == Approx(idf));             // tf 1 at average length: the idf
}
