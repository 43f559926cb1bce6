// The memory store: BM25 ranking over chunks, replacing a re-ingested video, namespaces that
// never mix, statistics for topics, and the store's behaviour at its storage limits.
#include "storage/memory_store.hpp"
#include "tests/support/fails_with.hpp"
#include "tests/support/memory_videos.hpp"
#include "tests/support/temp_dir.hpp"
#include "text/bm25.hpp"
#include "text/tokenizer.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <set>

using namespace vfb;

namespace {

memory_options options_for(const test::temp_dir& dir, bool sync = false) {
  memory_options o;
  o.dir = dir / "memory";
  o.sync = sync;
  return o;
}

/// A video whose chunks are `texts`, 30 s each.
memory_entry video(const std::string& id, std::vector<std::string> texts, uint64_t job = 1) {
  return test::memory_video(id, std::move(texts), job);
}

std::vector<std::string> ids(const std::vector<memory_hit>& hits) {
  return test::hit_ids(hits);
}

} // namespace

TEST_CASE("bm25: idf and term weight follow the formulas") {
  using namespace vfb::text;
  CHECK(bm25_idf(10, 1) == Approx(std::log(1 + 9.5 / 1.5)));
  CHECK(bm25_idf(100, 100) == Approx(std::log(1 + 0.5 / 100.5)));
  CHECK(bm25_idf(100, 100) > 0);                 // a term in every document still counts a bit
  CHECK(bm25_idf(10, 50) == bm25_idf(10, 10));   // a stale df above N is taken as N
  CHECK(bm25_idf(1000, 1) > bm25_idf(1000, 10)); // rarer weighs more
  auto idf = 2.0;
  // tf 2 in a document half the average length, default k1 1.2, b 0.75.
  CHECK(bm25_term(2, 10, 20, idf) == Approx(idf * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 0.5))));
  CHECK(bm25_term(0, 10, 20, idf) == 0);
  // b = 0: length does not matter; k1 = 0: only presence matters.
  CHECK(bm25_term(1, 5, 20, idf, {1.2, 0}) == Approx(bm25_term(1, 80, 20, idf, {1.2, 0})));
  CHECK(bm25_term(7, 10, 20, idf, {0, 0.75}) == Approx(idf));
  // Saturation: more occurrences help less and less, bounded by idf * (k1 + 1).
  CHECK(bm25_term(1000, 20, 20, idf) < idf * 2.2);
  CHECK(bm25_term(2, 20, 20, idf) - bm25_term(1, 20, 20, idf) >
        bm25_term(3, 20, 20, idf) - bm25_term(2, 20, 20, idf));
}

TEST_CASE("memory: more occurrences and shorter chunks rank higher") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  m.put("t", "w",
        video("freq", {"compiler compiler compiler garden flowers bloom",
                       "compiler garden flowers bloom trees grass"}));
  m.put("t", "w",
        video("len", {"compiler borrow",
                      "compiler borrow checker lifetime ownership traits generics macros"}));
  m.put("t", "w", video("other", {"cooking pasta tomato basil", "football match goal"}));
  auto hits = m.search("t", "w", "compiler", 10);
  REQUIRE(hits.size() == 4);
  // tf 3 beats tf 1 at equal length; a 2-term chunk beats an 8-term one at equal tf.
  auto order = ids(hits);
  auto rank = [&](const std::string& id) {
    return std::find(order.begin(), order.end(), id) - order.begin();
  };
  CHECK(rank("freq@0") < rank("freq@30000"));
  CHECK(rank("len@0") < rank("len@30000"));
  for (size_t i = 1; i < hits.size(); ++i)
    CHECK(hits[i - 1].score >= hits[i].score);
  // A chunk with both query terms beats chunks with one.
  auto both = m.search("t", "w", "compiler checker", 10);
  REQUIRE_FALSE(both.empty());
  CHECK(ids(both).front() == "len@30000");
  // The score is BM25 itself: one chunk of two terms, query term tf 1, known counts.
  auto stats = m.stats("t", "w");
  REQUIRE(stats.chunks == 6);
  auto pasta = m.search("t", "w", "pasta");
  REQUIRE(pasta.size() == 1);
  auto average = static_cast<double>(stats.total_length) / stats.chunks;
  CHECK(pasta[0].score == Approx(text::bm25_term(1, 4, average, text::bm25_idf(6, 1))));
}

TEST_CASE("memory: a hit carries its video, its time span and a snippet") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  auto e = video("abc123", {"intro about nothing much", "the telescope mirror was polished"}, 42);
  m.put("t", "w", e);
  auto hits = m.search("t", "w", "Telescope");
  REQUIRE(hits.size() == 1);
  auto& h = hits[0];
  CHECK(h.job_id == 42);
  CHECK(h.source == "youtube");
  CHECK(h.external_id == "abc123");
  CHECK(h.title == "Title of abc123");
  CHECK(h.url == "https://www.youtube.com/watch?v=abc123");
  CHECK(h.start_ms == 30'000);
  CHECK(h.end_ms == 60'000);
  CHECK(h.snippet == "the telescope mirror was polished");
  CHECK(h.score > 0);
}

TEST_CASE("memory: queries without content terms, limits, ties") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  for (int i = 0; i < 5; ++i)
    m.put("t", "w", video("v" + std::to_string(i), {"identical words about volcanoes"}));
  CHECK(m.search("t", "w", "").empty());
  CHECK(m.search("t", "w", "the and of it").empty());
  CHECK(m.search("t", "w", "   ,,, !!").empty());
  CHECK(m.search("t", "w", "volcanoes", 0).empty());
  CHECK(m.search("t", "w", "unknownword").empty());
  CHECK(m.search("nobody", "w", "volcanoes").empty());
  auto two = m.search("t", "w", "volcanoes", 2);
  CHECK(ids(two) == std::vector<std::string>{"v0@0", "v1@0"}); // equal scores: stored first
  auto all = m.search("t", "w", "volcanoes volcanoes words", 10);
  CHECK(ids(all) == std::vector<std::string>{"v0@0", "v1@0", "v2@0", "v3@0", "v4@0"});
  CHECK(ids(m.search("t", "w", "volcanoes", 10)) == ids(m.search("t", "w", "volcanoes", 10)));
  // Only the first 32 distinct content terms of a query count.
  std::string padded;
  for (int i = 0; i < 32; ++i)
    padded += "filler" + std::to_string(i) + " filler0 the ";
  CHECK(m.search("t", "w", padded + "volcanoes").empty());
  CHECK(m.search("t", "w", "volcanoes " + padded).size() == 5);
}

TEST_CASE("memory: re-ingesting a video replaces its chunks") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  m.put("t", "w", video("keep", {"shared vocabulary stays", "another chunk"}));
  m.put("t", "w", video("v", {"ancient pyramids egypt", "shared vocabulary", "pharaoh tombs"}));
  CHECK(m.stats("t", "w").chunks == 5);
  CHECK(m.corpus("t", "w", {"shared"}).document_frequency.at("shared") == 2);

  auto again = video("v", {"modern skyscrapers shared"}, 7);
  m.put("t", "w", again);
  auto s = m.stats("t", "w");
  CHECK(s.videos == 2);
  CHECK(s.chunks == 3);
  CHECK(m.search("t", "w", "pyramids").empty());
  CHECK(m.search("t", "w", "pharaoh tombs egypt").empty());
  auto hits = m.search("t", "w", "skyscrapers");
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].job_id == 7);
  auto corpus = m.corpus("t", "w", {"shared", "pyramids"});
  CHECK(corpus.documents == 2);
  CHECK(corpus.document_frequency.at("shared") == 2); // once per video, not twice for "v"
  CHECK(corpus.document_frequency.count("pyramids") == 0);
  CHECK(m.check_invariants().empty());
  // The same content again changes nothing.
  m.put("t", "w", again);
  CHECK(m.stats("t", "w").chunks == 3);
  CHECK(m.search("t", "w", "skyscrapers").size() == 1);
  CHECK(m.check_invariants().empty());
}

TEST_CASE("memory: namespaces never see each other") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  m.put("acme", "sales", video("v1", {"quarterly revenue forecast"}));
  m.put("acme", "eng", video("v1", {"kernel scheduler latency"}));
  m.put("globex", "sales", video("v2", {"quarterly revenue secrets"}));
  // (tenant, workspace) pairs that concatenate alike are still different namespaces.
  m.put("ab", "c", video("v3", {"namespace boundary"}));

  auto sales = m.search("acme", "sales", "quarterly revenue secrets kernel");
  REQUIRE(sales.size() == 1);
  CHECK(sales[0].snippet == "quarterly revenue forecast");
  CHECK(m.search("acme", "eng", "revenue").empty());
  CHECK(m.search("globex", "sales", "forecast").empty());
  CHECK(m.search("a", "bc", "boundary").empty());
  CHECK(m.search("ab", "c", "boundary").size() == 1);
  // Scores use only the namespace's own statistics.
  CHECK(m.corpus("acme", "sales").documents == 1);
  CHECK(m.corpus("acme", "sales", {"kernel"}).document_frequency.count("kernel") == 0);
  CHECK(m.corpus("acme", "eng", {"kernel"}).document_frequency.count("kernel") == 1);
  CHECK(m.stats("acme", "eng").chunks == 1);
  // Removing in one namespace leaves the same video id in another alone.
  CHECK(m.remove("acme", "sales", "youtube", "v1"));
  CHECK(m.search("acme", "eng", "kernel").size() == 1);
  CHECK(m.search("acme", "sales", "revenue").empty());
  CHECK(m.search("globex", "sales", "revenue").size() == 1);
  CHECK(m.check_invariants().empty());
}

TEST_CASE("memory: remove forgets a video and its statistics") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  m.put("t", "w", video("a", {"glacier melting ice", "glacier retreat"}));
  m.put("t", "w", video("b", {"desert dunes sand"}));
  CHECK(m.remove("t", "w", "youtube", "a"));
  CHECK_FALSE(m.remove("t", "w", "youtube", "a"));
  CHECK_FALSE(m.remove("t", "w", "vimeo", "b"));
  CHECK_FALSE(m.remove("nobody", "w", "youtube", "b"));
  CHECK(m.search("t", "w", "glacier").empty());
  auto s = m.stats("t", "w");
  CHECK(s.videos == 1);
  CHECK(s.chunks == 1);
  CHECK(s.total_length == 3);
  CHECK(m.corpus("t", "w", {"glacier"}).document_frequency.count("glacier") == 0);
  CHECK(m.check_invariants().empty());
  CHECK(m.remove("t", "w", "youtube", "b"));
  CHECK(m.stats("t", "w").chunks == 0);
  CHECK(m.search("t", "w", "dunes").empty());
  CHECK(m.corpus("t", "w").document_frequency.empty());
}

TEST_CASE("memory: corpus statistics count videos, not chunks") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  m.put("t", "w", video("a", {"solar panels energy", "solar inverter", "solar roof"}));
  m.put("t", "w", video("b", {"wind turbine energy"}));
  m.put("t", "w", video("c", {"solar eclipse"}));
  auto all = m.corpus("t", "w"); // by index term: "energy" is "energi", "panels" "panel"
  CHECK(all.documents == 3);
  CHECK(all.document_frequency.at("solar") == 2);
  CHECK(all.document_frequency.at("energi") == 2);
  CHECK(all.document_frequency.at("turbin") == 1);
  CHECK(all.document_frequency.size() == 8);
  auto some = m.corpus("t", "w", {"solar", "turbine", "turbines", "absent"});
  CHECK(some.documents == 3);
  CHECK(some.document_frequency ==
        std::unordered_map<std::string, uint64_t>{{"solar", 2}, {"turbine", 1}, {"turbines", 1}});
  CHECK(m.corpus("t", "other").documents == 0);
}

TEST_CASE("memory: everything survives a reopen, also read-only") {
  test::temp_dir dir;
  auto o = options_for(dir, true);
  std::vector<memory_hit> before;
  {
    memory_store m{o};
    m.put("t", "w", video("a", {"persistent storage engine", "volatile cache"}));
    m.put("t", "w2", video("b", {"storage elsewhere"}));
    before = m.search("t", "w", "storage cache");
    REQUIRE(before.size() == 2);
  }
  {
    memory_store m{o};
    auto after = m.search("t", "w", "storage cache");
    CHECK(ids(after) == ids(before));
    CHECK(after[0].score == Approx(before[0].score));
    m.put("t", "w", video("c", {"storage third"})); // ids continue after a reopen
    CHECK(m.search("t", "w", "storage").size() == 2);
    CHECK(m.check_invariants().empty());
  }
  o.read_only = true;
  memory_store ro{o};
  CHECK(ro.search("t", "w2", "storage").size() == 1);
  CHECK(ro.stats("t", "w").videos == 2);
  auto e = test::fails_with([&] { ro.put("t", "w", video("d", {"x"})); });
  CHECK_THAT(e.what(), Catch::Contains("read-only"));
}

TEST_CASE("memory: a tiny map grows inside a put and nothing is lost") {
  test::temp_dir dir;
  auto o = options_for(dir);
  o.initial_map_size = size_t{64} << 10;
  memory_store m{o};
  auto before = m.map_size();
  std::mt19937 rng{7};
  for (int v = 0; v < 120; ++v) {
    std::vector<std::string> chunks;
    for (int c = 0; c < 5; ++c) {
      std::string text;
      for (int w = 0; w < 120; ++w)
        text += "w" + std::to_string(rng() % 3000) + " ";
      chunks.push_back(text + "marker" + std::to_string(v));
    }
    m.put("t", "w", video("v" + std::to_string(v), chunks));
  }
  CHECK(m.map_size() > before);
  CHECK(m.stats("t", "w").chunks == 600);
  for (int v = 0; v < 120; v += 17)
    CHECK(m.search("t", "w", "marker" + std::to_string(v), 10).size() == 5);
  CHECK(m.check_invariants().empty());
}

TEST_CASE("memory: a map at its size limit refuses the put whole, and the store goes on") {
  test::temp_dir dir;
  auto o = options_for(dir);
  o.initial_map_size = size_t{256} << 10;
  o.max_map_size = size_t{1} << 20;
  memory_store m{o};
  int stored = 0;
  std::string why;
  for (int v = 0; v < 1000 && why.empty(); ++v) {
    std::string text;
    for (int w = 0; w < 150; ++w)
      text += "term" + std::to_string(v * 150 + w) + " ";
    try {
      m.put("t", "w", video("v" + std::to_string(v), {text, text + " extra"}));
      ++stored;
    } catch (const storage_error& e) {
      CHECK(e.kind() == store_failure::disk_full);
      why = e.what();
    }
  }
  REQUIRE_FALSE(why.empty());
  CHECK_THAT(why, Catch::Contains("size limit"));
  CHECK(stored > 0);
  CHECK(m.stats("t", "w").videos == static_cast<uint64_t>(stored));
  CHECK(m.search("t", "w", "term0").size() == 2);
  CHECK(m.search("t", "w", "term" + std::to_string(stored * 150)).empty()); // the refused one
  CHECK(m.check_invariants().empty());
}

TEST_CASE("memory: a refused put goes through once the size limit is raised") {
  test::temp_dir dir;
  auto o = options_for(dir);
  o.initial_map_size = size_t{256} << 10;
  o.max_map_size = o.initial_map_size;
  std::string text;
  for (int w = 0; w < 30000; ++w) // its postings alone are larger than the map
    text += "term" + std::to_string(w) + " ";
  {
    memory_store m{o};
    m.put("t", "w", video("small", {"first video"}));
    CHECK(test::fails_with([&] { m.put("t", "w", video("big", {text})); }).kind() ==
          store_failure::disk_full);
  }
  o.max_map_size = 0;
  memory_store m{o};
  m.put("t", "w", video("big", {text}));
  CHECK(m.stats("t", "w").videos == 2);
  CHECK(m.search("t", "w", "term29999").size() == 1);
  CHECK(m.check_invariants().empty());
}

TEST_CASE("memory: bad identifiers and bad directories get clear errors") {
  test::temp_dir dir;
  {
    memory_store m{options_for(dir)};
    auto e = video(std::string(201, 'x'), {"text"});
    CHECK_THROWS_AS(m.put("t", "w", e), std::invalid_argument);
    CHECK_THROWS_AS(m.put(std::string(300, 't'), "w", video("ok", {"text"})),
                    std::invalid_argument);
    CHECK(m.stats("t", "w").videos == 0);
    CHECK_THROWS_WITH(m.remove("t", "w", std::string(201, 's'), "id"), Catch::Contains("source"));
  }
  memory_options o;
  o.dir = dir / "absent";
  o.read_only = true;
  CHECK(test::fails_with([&] { memory_store m{o}; }).kind() == store_failure::missing);

  o.dir = dir / "file";
  o.read_only = false;
  std::ofstream{o.dir} << "not a directory";
  CHECK(test::fails_with([&] { memory_store m{o}; }).kind() == store_failure::io);

  o.dir = dir / "garbage";
  std::filesystem::create_directories(o.dir);
  std::ofstream{o.dir / "data.mdb"} << std::string(16384, 'g');
  auto e = test::fails_with([&] { memory_store m{o}; });
  CHECK(e.kind() == store_failure::corrupt);
  CHECK_THAT(e.what(), Catch::Contains(o.dir.string()));
}

TEST_CASE("memory: a term spread over many blocks survives removals in the middle") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  // 60 videos x 5 chunks: "common" has 300 postings (three blocks), each video its own marker.
  for (int v = 0; v < 60; ++v) {
    std::vector<std::string> chunks;
    for (int c = 0; c < 5; ++c)
      chunks.push_back("common filler" + std::to_string(c) + " marker" + std::to_string(v));
    m.put("t", "w", video("v" + std::to_string(v), chunks));
  }
  CHECK(m.search("t", "w", "common", 1000).size() == 300);
  for (int v = 10; v < 50; v += 3)
    CHECK(m.remove("t", "w", "youtube", "v" + std::to_string(v)));
  m.put("t", "w", video("v0", {"common replaced"}));         // first block's first chunks
  m.put("t", "w", video("late", {"common late", "common"})); // appends after removals
  CHECK(m.check_invariants().empty());
  auto hits = m.search("t", "w", "common", 1000);
  CHECK(hits.size() == 300 - 14 * 5 - 5 + 1 + 2);
  std::set<std::string> videos;
  for (auto& h : hits)
    videos.insert(h.external_id);
  CHECK(videos.count("v13") == 0);
  CHECK(videos.count("v14") == 1);
  CHECK(m.corpus("t", "w").document_frequency.at("common") == 60 - 14 + 1);
}

TEST_CASE("memory: random puts, re-ingests and removes agree with a simple model") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  std::mt19937 rng{12345};
  const std::vector<std::string> words{"apple", "banana", "cherry", "damson", "elder",
                                       "fig",   "grape",  "hazel",  "iris",   "juniper",
                                       "kiwi",  "lemon",  "mango",  "nectar", "olive"};
  // The model: per namespace, video -> chunk texts.
  std::map<std::string, std::map<std::string, std::vector<std::string>>> model;
  const std::vector<std::string> spaces{"w0", "w1", "w2"};
  for (int step = 0; step < 400; ++step) {
    auto& ws = spaces[rng() % spaces.size()];
    auto id = "v" + std::to_string(rng() % 12);
    if (rng() % 4 == 0) {
      CHECK(m.remove("t", ws, "youtube", id) == (model[ws].erase(id) == 1));
      continue;
    }
    std::vector<std::string> chunks(1 + rng() % 4);
    for (auto& c : chunks)
      for (size_t k = 0, n = 1 + rng() % 8; k < n; ++k)
        c += words[rng() % words.size()] + " ";
    model[ws][id] = chunks;
    m.put("t", ws, video(id, chunks));
  }
  REQUIRE(m.check_invariants().empty());
  for (auto& ws : spaces) {
    uint64_t chunks = 0;
    for (auto& [id, texts] : model[ws])
      chunks += texts.size();
    CHECK(m.stats("t", ws).chunks == chunks);
    for (auto& word : words) {
      std::multiset<std::string> want, got;
      std::set<std::string> with_word;
      for (auto& [id, texts] : model[ws])
        for (size_t i = 0; i < texts.size(); ++i)
          if (texts[i].find(word + " ") != std::string::npos) {
            want.insert(id + "@" + std::to_string(i * 30'000));
            with_word.insert(id);
          }
      for (auto& h : ids(m.search("t", ws, word, 1000)))
        got.insert(h);
      CHECK(got == want);
      auto df = m.corpus("t", ws, {word}).document_frequency;
      CHECK((df.count(word) ? df.at(word) : 0) == with_word.size());
    }
  }
}
