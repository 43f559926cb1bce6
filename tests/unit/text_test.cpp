// Text analysis: tokenizer, key phrases, topics, summary, chunking, BM25.
#include "tests/support/filler_words.hpp"
#include "text/bm25.hpp"
#include "text/chunker.hpp"
#include "text/key_phrases.hpp"
#include "text/strings.hpp"
#include "text/summary.hpp"
#include "text/tokenizer.hpp"
#include "text/topics.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

using namespace vfb;
using namespace vfb::text;

namespace {

using strings = std::vector<std::string>;

strings names(const std::vector<weighted_term>& ts) {
  strings out;
  for (auto& t : ts)
    out.push_back(t.term);
  return out;
}

bool contains(const strings& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

/// Weights never increase down the list, and equal weights are in alphabetical order.
void check_ranked(const std::vector<weighted_term>& ts) {
  for (size_t i = 1; i < ts.size(); ++i) {
    CHECK(ts[i - 1].weight >= ts[i].weight);
    if (ts[i - 1].weight == ts[i].weight)
      CHECK(ts[i - 1].term < ts[i].term);
  }
}

using test::filler;

} // namespace

// -- tokenizer ---------------------------------------------------------------------------------

TEST_CASE("the tokenizer folds case and keeps inner apostrophes") {
  CHECK(terms("Don't STOP—believing, O'Brien!") ==
        strings{"don't", "stop", "believing", "o'brien"});
  CHECK(terms("'quoted' words' rock'n'roll") == strings{"quoted", "words", "rock'n'roll"});
  // A typographic apostrophe is the same apostrophe; curly quotes around a word are not.
  CHECK(terms("Don\xE2\x80\x99t \xE2\x80\x98quoted\xE2\x80\x99") == strings{"don't", "quoted"});
  CHECK(is_stop_word(terms("don\xE2\x80\x99t")[0]));
}

TEST_CASE("the tokenizer keeps UTF-8 words whole and folds accented capitals") {
  CHECK(terms("Café naïve 東京") == strings{"café", "naïve", "東京"});
  CHECK(terms("CAFÉ ÜBER Ærø ŁÓDŹ ΑΘΗΝΑ МОСКВА") ==
        strings{"café", "über", "ærø", "łódź", "αθηνα", "москва"});
  // Unicode spaces and punctuation separate words: no-break space, em dash, ellipsis, « », 、
  CHECK(terms("one\xC2\xA0two\xE2\x80\x94three\xE2\x80\xA6"
              "four \xC2\xAB"
              "five\xC2\xBB "
              "六\xE3\x80\x81七") == strings{"one", "two", "three", "four", "five", "六", "七"});
  // Offsets and lengths point at the original spelling, whatever the folding did.
  std::string input = "  Hello ÉTÉ world";
  auto toks = tokenize(input);
  REQUIRE(toks.size() == 3);
  CHECK(toks[1].term == "été");
  CHECK(input.substr(toks[1].offset, toks[1].length) == "ÉTÉ");
  CHECK(toks[2].offset == 14);
  CHECK(toks[2].length == 5);
}

TEST_CASE("overlong words are cut at 64 bytes, never inside a character") {
  auto ascii = tokenize(std::string(100, 'a') + " next");
  REQUIRE(ascii.size() == 2);
  CHECK(ascii[0].term == std::string(64, 'a'));
  CHECK(ascii[0].length == 100);
  CHECK(ascii[1].term == "next");
  std::string accents;
  for (int i = 0; i < 33; ++i)
    accents += "\xC3\xA9"; // é: 66 bytes
  auto cut = terms("x" + accents);
  REQUIRE(cut.size() == 1);
  CHECK(cut[0].size() == 63); // "x" and 31 whole é
  CHECK(cut[0].substr(61) == "\xC3\xA9");
}

TEST_CASE("numbers are terms but not content, nor are stop words and single letters") {
  CHECK(terms("It costs 3.5 dollars in 2024") ==
        strings{"it", "costs", "3", "5", "dollars", "in", "2024"});
  CHECK(content_terms("The 42 volcanoes and a x of it") == strings{"volcanoes"});
  CHECK(content_terms("covid19 in 2020 and MP3 files") == strings{"covid19", "mp3", "files"});
  CHECK(content_terms("I don't know what you're saying") == strings{"saying"});
  CHECK(is_stop_word("the"));
  CHECK(is_stop_word("um")); // speech recognition fillers
  CHECK_FALSE(is_stop_word("volcano"));
  CHECK(terms("").empty());
  CHECK(terms(" \t--- ... ").empty());
}

TEST_CASE("sentences split after end marks and closing quotes, at line breaks, not in numbers") {
  CHECK(sentences("One. Two!  Three?\nFour 3.5 five") ==
        strings{"One.", "Two!", "Three?", "Four 3.5 five"});
  CHECK(sentences("He said \"stop.\" Then he left (quickly.) The end") ==
        strings{"He said \"stop.\"", "Then he left (quickly.)", "The end"});
  CHECK(sentences("She wrote \xE2\x80\x9C"
                  "done!\xE2\x80\x9D Next one.") == strings{"She wrote \xE2\x80\x9C"
                                                            "done!\xE2\x80\x9D",
                                                            "Next one."});
  CHECK(sentences("Wait... what?! No.") == strings{"Wait...", "what?!", "No."});
  CHECK(sentences("no punctuation at all") == strings{"no punctuation at all"});
  CHECK(sentences("   ").empty());
  CHECK(sentences("").empty());
}

// -- key phrases -------------------------------------------------------------------------------

TEST_CASE("key phrases: a repeated phrase ranks first, stop words and punctuation split") {
  auto kp = key_phrases("The solar eclipse was visible. Many people watched the solar eclipse "
                        "from rooftops, and the solar eclipse ended at noon.");
  REQUIRE_FALSE(kp.empty());
  CHECK(kp[0].term == "solar eclipse");
  auto all = names(kp);
  CHECK(contains(all, "noon"));
  CHECK_FALSE(contains(all, "visible"));        // an adjective alone is no thing
  CHECK_FALSE(contains(all, "rooftops solar")); // a comma splits
  CHECK_FALSE(contains(all, "watched solar"));  // ... and so does a stop word ("the")
  check_ranked(kp);
  CHECK(key_phrases("the and of", 5).empty());
  CHECK(key_phrases("").empty());
  CHECK(key_phrases("alpha beta. gamma delta. epsilon zeta. eta theta.", 2).size() == 2);
  CHECK(key_phrases("alpha beta", 0).empty());
}

TEST_CASE("key phrases are found inside longer runs, and recur ahead of one-off runs") {
  // "solar panels" is never a run of its own, but it is said four times.
  auto kp = key_phrases("Solar panels charge batteries. Cheap solar panels work. Tidy solar panels "
                        "shine. Old solar panels crack. A cheap digital multimeter borrowed from "
                        "the neighbour.");
  REQUIRE(kp.size() >= 2);
  CHECK(kp[0].term == "solar panels");
  // The one-off run comes later, however long it is.
  auto all = names(kp);
  // ("borrowed", a verb, ends the run: phrases are things.)
  auto one_off = std::find(all.begin(), all.end(), "cheap digital multimeter");
  REQUIRE(one_off != all.end());
  CHECK(one_off - all.begin() > 0);
  check_ranked(kp);
}

TEST_CASE("key phrases merge spellings and keep a phrase rather than its parts") {
  auto kp = key_phrases("Solar Panel Array one. SOLAR PANEL ARRAY two; the solar panel array. "
                        "A lonely window.");
  auto all = names(kp);
  REQUIRE_FALSE(all.empty());
  CHECK(all[0] == "solar panel array");
  CHECK(std::count(all.begin(), all.end(), "solar panel array") == 1);
  // "solar panel" and "panel array" are only ever said inside "solar panel array".
  CHECK_FALSE(contains(all, "solar panel"));
  CHECK_FALSE(contains(all, "panel array"));
  CHECK(contains(all, "lonely window"));
}

TEST_CASE("key phrases break at numbers, dashes and Unicode punctuation, lower-case") {
  auto all = names(key_phrases("Gravity waves 2024 results\xE2\x80\x94"
                               "Detector upgrades \xE2\x80\x9C"
                               "Mirror coating\xE2\x80\x9D - Laser power"));
  CHECK(contains(all, "gravity waves"));
  CHECK(contains(all, "results"));
  CHECK(contains(all, "detector upgrades"));
  CHECK(contains(all, "mirror coating"));
  CHECK(contains(all, "laser power"));
  for (auto& p : all)
    CHECK(terms(p).size() <= 2);
}

TEST_CASE("key phrases cut long unpunctuated runs into pieces of at most four words") {
  auto kp = key_phrases("alpha beta gamma delta epsilon zeta eta theta iota", 20);
  REQUIRE_FALSE(kp.empty());
  size_t words = 0;
  for (auto& p : kp) {
    CHECK(terms(p.term).size() <= 4);
    CHECK(terms(p.term).size() >= 2); // balanced: 3 + 3 + 3, no stray single word
    words += terms(p.term).size();
  }
  CHECK(words == 9);
}

TEST_CASE("key phrases are deterministic") {
  std::string text = "zeta eta. alpha beta. gamma delta. alpha beta. zeta eta.";
  auto a = key_phrases(text);
  auto b = key_phrases(text);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].term == b[i].term);
    CHECK(a[i].weight == b[i].weight);
  }
  // Equal weights: alphabetical.
  REQUIRE(a.size() >= 2);
  CHECK(a[0].term == "alpha beta");
  CHECK(a[1].term == "zeta eta");
}

// -- topics ------------------------------------------------------------------------------------

TEST_CASE("topics: a planted keyword wins, a term common in the corpus is down-weighted") {
  std::string text = "Volcano experts said the volcano could erupt. The volcano is active. "
                     "Experts watch the mountain.";
  corpus_stats empty;
  auto t = topics(text, empty);
  REQUIRE_FALSE(t.empty());
  CHECK(t[0].term == "volcano");
  check_ranked(t);
  corpus_stats corpus;
  corpus.documents = 100;
  corpus.document_frequency["experts"] = 100;
  corpus.document_frequency["mountain"] = 1;
  auto weighted = topics("experts mountain experts mountain", corpus);
  REQUIRE(weighted.size() == 2);
  CHECK(weighted[0].term == "mountain");
  CHECK(weighted[0].weight > weighted[1].weight);
  CHECK(topics(text, empty, 1).size() == 1);
  CHECK(topics(text, empty, 0).empty());
  CHECK(topics("", empty).empty());
}

TEST_CASE("a keyword planted in a long text becomes its top topic, even if said elsewhere") {
  std::string text;
  for (int i = 0; i < 8; ++i)
    text += filler(20, i * 20) + "telescope weather ";
  corpus_stats corpus;
  corpus.documents = 50;
  corpus.document_frequency["telescope"] = 10; // other videos mention it
  corpus.document_frequency["weather"] = 50;   // every video does
  auto t = topics(text, corpus);
  // The filler words are said once each: not topics of a text this long.
  REQUIRE(names(t) == strings{"telescope", "weather"});
  // "weather" is said as often as "telescope", but every document says it.
  CHECK(t[0].weight > 2 * t[1].weight);
}

TEST_CASE("in longer texts a topic must occur at least twice") {
  auto text = filler(60) + "telescope telescope";
  auto t = topics(text, {});
  REQUIRE(t.size() == 1);
  CHECK(t[0].term == "telescope");
  // A short text keeps its once-said words.
  CHECK(topics(filler(10), {}).size() == 8);
}

TEST_CASE("topic weights: sub-linear frequency, smoothed idf, inconsistent counts harmless") {
  corpus_stats empty;
  auto t = topics("alpha alpha alpha alpha beta", empty);
  REQUIRE(t.size() == 2);
  CHECK(t[0].term == "alpha");
  CHECK(t[0].weight == Approx(1 + std::log(4.0)));
  CHECK(t[1].weight == Approx(1.0));
  corpus_stats odd;
  odd.documents = 3;
  odd.document_frequency["alpha"] = 50; // more than the documents: read as "in all of them"
  auto o = topics("alpha beta", odd);
  REQUIRE(o.size() == 2);
  CHECK(o[0].term == "beta");
  CHECK(o[1].weight == Approx(1.0));
  CHECK(o[0].weight == Approx(std::log(4.0) + 1));
}

TEST_CASE("topics and key phrases are things: no verbs, adjectives or fillers, even when "
          "said often") {
  // What the recogniser made of the demo's volcano video (issue 17): before these rules the
  // topics were "volcano, brought, city, either, office, old, saw, southern".
  const std::string heard = "a volcano is about it either saw the office old but are to go and "
                            "that was a tools it so that brought us of the volcano to southern "
                            "us city saw brought old either";
  auto t = names(topics(heard, {}));
  for (const char* filler : {"either", "saw", "brought", "old", "southern"})
    CHECK_FALSE(contains(t, filler));
  CHECK(contains(t, "volcano"));
  CHECK(contains(t, "city"));
  auto kp = names(key_phrases("Hot lava flows down the volcano and cools into black rock. "
                              "The lava cools slowly, the black rock stays black."));
  CHECK(contains(kp, "black rock"));
  CHECK(std::any_of(kp.begin(), kp.end(),
                    [](const std::string& p) { return p.find("lava") != std::string::npos; }));
  for (const auto& p : kp) {
    CHECK(p != "black"); // no phrase is an adjective alone, or ends in one
    CHECK(terms(p).back() != "black");
  }
  // Nouns about nothing in particular, however often said, are neither; they stay searchable.
  const std::string chatty = "so guys this stuff is a lot of stuff a kind of volcano stuff guys "
                             "and a lot of lava and everything gonna be lava guys";
  auto ct = names(topics(chatty, {}));
  for (const char* filler : {"guys", "stuff", "lot", "kind", "everything", "gonna"})
    CHECK_FALSE(contains(ct, filler));
  CHECK(contains(ct, "lava"));
  for (const auto& p : names(key_phrases(chatty)))
    for (const auto& w : terms(p))
      CHECK_FALSE(is_filler_word(w));
  CHECK(contains(content_terms(chatty), "stuff"));
  // Words WordNet does not know (names, jargon) stay: they are often what a video is about.
  CHECK(contains(names(topics("Kubernetes kubernetes pods", {})), "kubernetes"));
}

TEST_CASE("the video's own words (title, description, tags) weigh twice") {
  auto plain = topics("lava rock lava rock city", {});
  auto told = topics("lava rock lava rock city", {}, 8, "Rock of ages: a film");
  REQUIRE(plain.size() == 3);
  REQUIRE(told.size() == 3);
  CHECK(plain[0].term == "lava"); // a tie, alphabetical
  CHECK(told[0].term == "rock");
  CHECK(told[0].weight == Approx(2 * plain[1].weight));
  CHECK(told[2].term == "city");
}

TEST_CASE("document terms are the distinct content terms topics count") {
  CHECK(document_terms("beta alpha beta") == strings{"alpha", "beta"});
  CHECK(document_terms("The CAFÉ and the café, 42 times") == strings{"café", "times"});
  CHECK(document_terms("").empty());
  auto text = "Volcano experts watch the volcano from the observatory";
  auto terms_of_doc = document_terms(text);
  for (auto& t : topics(text, {}, 100))
    CHECK(std::binary_search(terms_of_doc.begin(), terms_of_doc.end(), t.term));
  CHECK(topics(text, {}, 100).size() == terms_of_doc.size()); // all nouns ("watch" can be one)
}

// -- summary -----------------------------------------------------------------------------------

TEST_CASE("the summary picks central sentences and keeps their order") {
  strings s{"Volcanoes shape the islands we live on today.", "Lunch was nice.",
            "The volcano near the island erupted again this week.",
            "Scientists measured ash from the volcano near the islands.",
            "Nobody knows what the cat thinks about anything at all."};
  auto sum = summarize(s, 2);
  REQUIRE(sum.size() == 2);
  CHECK(sum[0] == s[2]);
  CHECK(sum[1] == s[3]);
  CHECK(summarize(s, 10) == s); // all of them, in their order
  CHECK(summarize(s, 0).empty());
  CHECK(summarize({}, 3).empty());
}

TEST_CASE("the summary avoids very short and very long sentences unless nothing else is left") {
  std::string rambling = "Volcano";
  for (int i = 0; i < 70; ++i)
    rambling += " volcano";
  rambling += " and so on";
  strings s{"Volcano!", rambling + ".", "The volcano erupted near a small fishing village.",
            "Ash covered the village for days."};
  auto sum = summarize(s, 2);
  CHECK(sum == strings{s[2], s[3]});
  CHECK(summarize(s, 3) == strings{s[0], s[2], s[3]}); // then the short one, whose word is central
  CHECK(summarize({"Short one.", "Tiny."}, 1).size() == 1);
}

TEST_CASE("the summary carries the topics: each pick adds one not yet in it") {
  strings s{"The guide talked and talked about the weather and the weather again.",
            "Lava flows down the mountain slowly.",
            "The weather was nice and the guide said the weather was nice.", "Ash covers the town.",
            "The guide and the weather, the weather and the guide."};
  // By word frequency alone, the rambling sentences about the guide and the weather win.
  auto plain = summarize(s, 2);
  CHECK(std::find(plain.begin(), plain.end(), s[1]) == plain.end());
  // With the topics: the sentences that carry them, in their order.
  CHECK(summarize(s, 2, {"lava", "ash"}) == strings{s[1], s[3]});
  // One topic per pick first, then the best of the rest.
  auto three = summarize(s, 3, {"lava"});
  REQUIRE(three.size() == 3);
  CHECK(std::find(three.begin(), three.end(), s[1]) != three.end());
}

TEST_CASE("a sentence said several times is summarised once") {
  strings s{"The volcano erupted this morning.", "The volcano erupted this morning!",
            "Villagers left their homes by boat.", "The volcano erupted this morning."};
  auto sum = summarize(s, 2);
  REQUIRE(sum.size() == 2);
  CHECK(sum[0] == s[0]);
  CHECK(sum[1] == s[2]);
}

TEST_CASE("unpunctuated speech is summarised in windows of words") {
  std::string text;
  for (int i = 0; i < 90; ++i)
    text += (i % 3 == 0 ? "volcano " : "word" + std::to_string(i) + " ");
  auto sum = summarize_text(text, 2);
  REQUIRE(sum.size() == 2);
  for (auto& s : sum)
    CHECK(terms(s).size() <= 25);
  // 61 words make three windows of about the same size, in the original spelling.
  std::string speech = "Kilauea";
  for (int i = 1; i < 61; ++i)
    speech += " lava" + std::to_string(i);
  auto windows = summarize_text(speech, 10);
  REQUIRE(windows.size() == 3);
  CHECK(windows[0].rfind("Kilauea lava1 ", 0) == 0);
  for (auto& w : windows) {
    CHECK(terms(w).size() >= 20);
    CHECK(terms(w).size() <= 21);
  }
  CHECK(windows[2].substr(windows[2].size() - 6) == "lava60");
  // Punctuated text keeps its sentences.
  CHECK(summarize_text("The lava flowed. It reached the sea at night. Steam rose.", 5) ==
        strings{"The lava flowed.", "It reached the sea at night.", "Steam rose."});
}

// -- chunker -----------------------------------------------------------------------------------

namespace {

/// The segments (first and last index) a chunk was made of; fails the test if it is not a run
/// of whole segments joined by single spaces.
std::pair<size_t, size_t> segments_of(const transcript_chunk& c,
                                      const std::vector<transcript_segment>& segs) {
  for (size_t first = 0; first < segs.size(); ++first) {
    if (segs[first].start_ms != c.start_ms)
      continue;
    std::string text;
    for (size_t last = first; last < segs.size(); ++last) {
      text += (last > first ? " " : "") + segs[last].text;
      if (text == c.text && segs[last].end_ms == c.end_ms)
        return {first, last};
      if (text.size() >= c.text.size())
        break;
    }
  }
  FAIL("chunk is not a run of whole segments: " << c.text);
  return {0, 0};
}

/// Every segment is in some chunk, in order; each chunk adds a new segment; chunks longer
/// than `target` are single segments; times increase. Returns how many chunks overlap the next.
size_t check_chunks(const std::vector<transcript_chunk>& chunks,
                    const std::vector<transcript_segment>& segs, size_t target) {
  REQUIRE_FALSE(chunks.empty());
  size_t overlapping = 0;
  std::pair<size_t, size_t> prev{0, 0};
  for (size_t c = 0; c < chunks.size(); ++c) {
    auto [first, last] = segments_of(chunks[c], segs);
    if (chunks[c].text.size() > target)
      CHECK(first == last);
    if (c == 0) {
      CHECK(first == 0);
    } else {
      CHECK(first > prev.first);
      CHECK(first <= prev.second + 1); // no segment left out
      CHECK(last > prev.second);       // something new
      CHECK(chunks[c].start_ms > chunks[c - 1].start_ms);
      if (first <= prev.second)
        ++overlapping;
    }
    prev = {first, last};
  }
  CHECK(prev.second == segs.size() - 1);
  return overlapping;
}

std::vector<transcript_segment> numbered_segments(int n, const std::string& words) {
  std::vector<transcript_segment> segs;
  for (int i = 0; i < n; ++i)
    segs.push_back({i * 1000, i * 1000 + 900, "segment " + std::to_string(i) + " " + words});
  return segs;
}

} // namespace

TEST_CASE("chunks: whole segments in order, bounded size, overlap, times kept") {
  auto segs = numbered_segments(40, "says something worth keeping");
  auto chunks = chunk_transcript(segs, 200, 50);
  REQUIRE(chunks.size() > 5);
  CHECK(check_chunks(chunks, segs, 200) == chunks.size() - 1); // every pair overlaps
  for (size_t c = 0; c < chunks.size(); ++c) {
    CHECK(chunks[c].text.size() <= 200);
    if (c + 1 < chunks.size())
      CHECK(chunks[c].text.size() > 150); // about the target, not far below
  }
  CHECK(chunks.front().start_ms == 0);
  CHECK(chunks.back().end_ms == 39'900);
  // Segments are 38-39 characters: for an overlap of 50 one segment comes closest, for 90 two.
  for (auto [overlap, repeated] : {std::pair{50, 1}, std::pair{90, 2}}) {
    INFO("overlap " << overlap);
    auto cs = chunk_transcript(segs, 200, static_cast<size_t>(overlap));
    for (size_t c = 1; c < cs.size(); ++c)
      CHECK(segments_of(cs[c - 1], segs).second + 1 - segments_of(cs[c], segs).first ==
            static_cast<size_t>(repeated));
  }
}

TEST_CASE("chunks skip empty segments and trim white space") {
  std::vector<transcript_segment> segs{
      {0, 1000, "  alpha beta \n"}, {1000, 2000, "   "}, {2000, 3000, ""}, {3000, 4000, "gamma"}};
  auto chunks = chunk_transcript(segs, 800, 150);
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0].text == "alpha beta gamma");
  CHECK(chunks[0].start_ms == 0);
  CHECK(chunks[0].end_ms == 4000);
  CHECK(chunk_transcript({}, 800, 150).empty());
  CHECK(chunk_transcript({{0, 1, " "}}, 800, 150).empty());
}

TEST_CASE("without overlap, chunks partition the transcript") {
  auto segs = numbered_segments(30, "and some more words");
  auto chunks = chunk_transcript(segs, 120, 0);
  CHECK(check_chunks(chunks, segs, 120) == 0);
  std::string all, joined;
  for (auto& s : segs)
    all += (all.empty() ? "" : " ") + s.text;
  for (auto& c : chunks)
    joined += (joined.empty() ? "" : " ") + c.text;
  CHECK(joined == all);
}

TEST_CASE("the overlap comes as close to the asked size as whole segments allow") {
  // Segments of 200 characters and an overlap of 150: repeating one segment is closer to 150
  // than repeating none.
  std::vector<transcript_segment> segs;
  for (int i = 0; i < 10; ++i)
    segs.push_back(
        {i * 1000, i * 1000 + 1000, std::string(195, 'a' + i) + " " + "seg" + std::to_string(i)});
  auto chunks = chunk_transcript(segs, 800, 150);
  CHECK(check_chunks(chunks, segs, 800) == chunks.size() - 1);
  for (size_t c = 1; c < chunks.size(); ++c)
    CHECK(segments_of(chunks[c], segs).first == segments_of(chunks[c - 1], segs).second);
}

TEST_CASE("chunks always advance, even when the overlap is as large as the target") {
  std::vector<transcript_segment> segs{{0, 1000, "alpha beta"}, {1000, 2000, "gamma delta"}};
  auto chunks = chunk_transcript(segs, 10, 1000);
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].text == "alpha beta");
  CHECK(chunks[1].text == "gamma delta");
  // Uneven segments: the overlap never fills a chunk without something new.
  std::vector<transcript_segment> uneven{{0, 1, "aaaaaaaaa"}, {1, 2, "bbbbbbbbb"},
                                         {2, 3, "ccccccccc"}, {3, 4, std::string(79, 'd')},
                                         {4, 5, "eeeeeeeee"}, {5, 6, std::string(60, 'f')}};
  for (size_t overlap : {size_t{0}, size_t{30}, size_t{100}, size_t{1000}}) {
    INFO("overlap " << overlap);
    auto c = chunk_transcript(uneven, 100, overlap);
    check_chunks(c, uneven, 100);
    CHECK(c.size() <= uneven.size());
  }
}

TEST_CASE("a very long segment is cut at words, its time divided in proportion") {
  std::string long_text;
  for (int i = 0; i < 100; ++i)
    long_text += "word" + std::to_string(i) + (i % 10 == 9 ? ". " : " ");
  auto cut = chunk_transcript({{0, 100'000, long_text}}, 100, 0);
  REQUIRE(cut.size() > 5);
  CHECK(cut.front().start_ms == 0);
  CHECK(cut.back().end_ms == 100'000);
  std::string joined;
  for (size_t i = 0; i < cut.size(); ++i) {
    CHECK(cut[i].text.size() <= 101); // a piece may keep the full stop after its last word
    CHECK(cut[i].text.front() == 'w');
    if (i > 0)
      CHECK(cut[i].start_ms == cut[i - 1].end_ms);
    CHECK(cut[i].end_ms > cut[i].start_ms);
    joined += (joined.empty() ? "" : " ") + cut[i].text;
  }
  CHECK(joined + " " == long_text); // no word lost, none cut
  // Time follows the characters: a piece starts as far into the time as its text is into the
  // segment's text.
  auto total = static_cast<double>(long_text.size() - 1); // as trimmed
  for (auto& c : cut) {
    auto at = static_cast<double>(long_text.find(c.text));
    CHECK(c.start_ms == static_cast<int64_t>(100'000 * (at / total)));
  }
  // A segment up to twice the target stays whole.
  auto whole = chunk_transcript({{0, 10, std::string(150, 'x')}}, 100, 0);
  REQUIRE(whole.size() == 1);
  CHECK(whole[0].text.size() == 150);
}

// -- BM25 --------------------------------------------------------------------------------------

TEST_CASE("BM25 formulas") {
  CHECK(bm25_idf(10, 1) > bm25_idf(10, 5));
  CHECK(bm25_idf(10, 10) > 0);
  auto idf = bm25_idf(100, 10);
  CHECK(bm25_term(0, 10, 10, idf) == 0);
  CHECK(bm25_term(3, 10, 10, idf) > bm25_term(1, 10, 10, idf));
  CHECK(bm25_term(1, 5, 10, idf) > bm25_term(1, 20, 10, idf)); // shorter chunk wins
  CHECK(bm25_term(1, 10, 10, idf) == Approx(idf));             // tf 1 at average length: the idf
}

TEST_CASE("control characters are written out, so outside text cannot split a log line") {
  CHECK(text::escape_controls("plain title, ünïcode") == "plain title, ünïcode");
  CHECK(text::escape_controls("a\nb\r\nc\td") == "a\\nb\\r\\nc\\td");
  CHECK(text::escape_controls(std::string{"nul\0here", 8}) == "nul\\x00here");
  CHECK(text::escape_controls("\x1b[31mred\x7f") == "\\x1b[31mred\\x7f");
  // The backslash too, so an escape in the text cannot pass for one of ours.
  CHECK(text::escape_controls("C:\\n") == "C:\\\\n");
}
