// The memory's search as people use it: the pruned search equals the exhaustive one on random
// corpora; stemming, quoted phrases, filters by job, channel and upload date, marked snippets,
// namespaces that stay apart under every filter; a store of the older format rebuilt on open.
#include "storage/codec.hpp"
#include "storage/lmdb.hpp"
#include "storage/memory_store.hpp"
#include "tests/support/memory_videos.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <random>

using namespace vfb;

namespace {

memory_options options_for(const test::temp_dir& dir) {
  memory_options o;
  o.dir = dir / "memory";
  o.sync = false;
  o.notice = [](const std::string&) {};
  return o;
}

memory_entry video(const std::string& id, std::vector<std::string> texts, uint64_t job = 1,
                   std::vector<std::string> channels = {}, std::string date = "") {
  return test::memory_video(id, std::move(texts), job, std::move(channels), std::move(date));
}

std::vector<std::string> ids(const std::vector<memory_hit>& hits) {
  return test::hit_ids(hits);
}

memory_query query(std::string text, size_t limit = 10, memory_filter f = {}) {
  memory_query q;
  q.text = std::move(text);
  q.limit = limit;
  q.filter = std::move(f);
  return q;
}

/// Words drawn from a Zipf distribution, so some terms fill many blocks and others few.
class zipf_words {
public:
  zipf_words(size_t n, std::mt19937_64& rng) : rng_(rng) {
    double sum = 0;
    for (size_t r = 1; r <= n; ++r) {
      words_.push_back("w" + std::to_string(r) + "x");
      cdf_.push_back(sum += 1.0 / static_cast<double>(r));
    }
    for (auto& c : cdf_)
      c /= sum;
  }
  const std::string& operator()() {
    auto u = std::uniform_real_distribution<double>{0, 1}(rng_);
    auto at = std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin();
    return words_[std::min<size_t>(static_cast<size_t>(at), words_.size() - 1)];
  }

private:
  std::mt19937_64& rng_;
  std::vector<std::string> words_;
  std::vector<double> cdf_;
};

/// Whether two searches found the same chunks with the same scores, in the same order.
void check_same(const std::vector<memory_hit>& pruned, const std::vector<memory_hit>& all,
                const std::string& what) {
  INFO(what);
  REQUIRE(pruned.size() == all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    INFO("rank " << i);
    CHECK(pruned[i].external_id == all[i].external_id);
    CHECK(pruned[i].start_ms == all[i].start_ms);
    CHECK(pruned[i].score == all[i].score); // to the bit: the same additions in the same order
  }
}

} // namespace

TEST_CASE("memory search: pruned top k equals exhaustive BM25 on random corpora") {
  for (uint64_t seed : {1u, 2u, 3u}) {
    test::temp_dir dir;
    auto o = options_for(dir);
    // Merges every few hundred chunks, so that searches see merged and pending postings.
    o.merge_chunks = 100 + 150 * seed;
    memory_store m{o};
    std::mt19937_64 rng{seed};
    zipf_words word{300, rng};
    // Enough chunks that common terms span many blocks of 128 postings; chunk lengths vary so
    // that block bounds differ from the true scores.
    const size_t videos = 160;
    for (size_t v = 0; v < videos; ++v) {
      std::vector<std::string> chunks(1 + rng() % 12);
      for (auto& c : chunks)
        for (size_t k = 0, n = 3 + rng() % 40; k < n; ++k)
          c += word() + (rng() % 9 == 0 ? " the " : " ");
      auto date = "2026" + std::string(rng() % 2 ? "01" : "06") + "1" + std::to_string(rng() % 9);
      m.put("t", v % 5 == 0 ? "other" : "w",
            video("v" + std::to_string(v), chunks, v + 1,
                  {"https://www.youtube.com/@c" + std::to_string(v % 7)}, date));
      // Re-ingests and removals leave gaps in the chunk ids and stale bounds in term heads.
      if (v % 11 == 10)
        m.put("t", "w", video("v" + std::to_string(v - 3), {word() + " " + word()}, v));
      if (v % 13 == 12)
        m.remove("t", "w", "youtube", "v" + std::to_string(v - 5));
    }
    REQUIRE(m.check_invariants().empty());
    CHECK(m.stats("t", "w").pending > 0); // some are pending, most are merged
    CHECK(m.stats("t", "w").pending < m.stats("t", "w").chunks / 2);
    memory_filter channel;
    channel.channels = {"https://www.youtube.com/@c2", "https://www.youtube.com/@c5"};
    memory_filter june;
    june.from_date = "20260601";
    memory_filter job;
    job.job_id = 42;
    memory_filter both = channel;
    both.to_date = "20260131";
    size_t compared = 0, nonempty = 0;
    for (int i = 0; i < 150; ++i) {
      std::string text;
      for (size_t k = 0, n = 1 + rng() % 4; k < n; ++k)
        text += word() + " ";
      for (size_t limit : {size_t{1}, size_t{10}, size_t{37}})
        for (auto* f : {static_cast<memory_filter*>(nullptr), &channel, &june, &job, &both}) {
          auto q = query(text, limit, f ? *f : memory_filter{});
          auto all = m.search_exhaustively("t", "w", q);
          check_same(m.search("t", "w", q), all, text + " limit " + std::to_string(limit));
          ++compared;
          nonempty += !all.empty();
        }
    }
    CHECK(nonempty > compared / 2); // the comparison is about hits, not about empty lists
  }
}

TEST_CASE("memory search: a phrase in the pruned search equals the exhaustive one") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  std::mt19937_64 rng{7};
  const std::vector<std::string> words{"black", "rock", "lava", "flows", "ash", "city"};
  for (int v = 0; v < 200; ++v) {
    std::string text;
    for (size_t k = 0, n = 4 + rng() % 10; k < n; ++k)
      text += words[rng() % words.size()] + " ";
    m.put("t", "w", video("v" + std::to_string(v), {text}, v + 1));
  }
  for (auto& text : {"\"black rock\"", "lava \"rock black\"", "\"ash city\" flows",
                     "\"lava flows\" \"black rock\""}) {
    auto q = query(text, 15);
    auto all = m.search_exhaustively("t", "w", q);
    CHECK_FALSE(all.empty());
    check_same(m.search("t", "w", q), all, text);
  }
}

TEST_CASE("memory search: a video without chunks stored again or removed touches no other") {
  for (uint64_t merge : {1000u, 1u}) { // the next video's postings pending, and merged
    test::temp_dir dir;
    auto o = options_for(dir);
    o.merge_chunks = merge;
    memory_store m{o};
    const std::string c = "https://www.youtube.com/@c";
    m.put("t", "w", video("silent", {}, 1, {c}, "20260101"));
    m.put("t", "w", video("talk", {"volcano talk", "lava talk"}, 2, {c}, "20260101"));
    m.put("t", "w", video("silent", {}, 3, {c}, "20260101"));
    CHECK(m.check_invariants().empty());
    CHECK(m.stats("t", "w").chunks == 2);
    CHECK(m.search("t", "w", "volcano").size() == 1);
    CHECK(m.remove("t", "w", "youtube", "silent"));
    CHECK(m.check_invariants().empty());
    CHECK(m.stats("t", "w").videos == 1);
    memory_filter f;
    f.channels = {c};
    f.from_date = "20260101";
    CHECK(ids(m.search("t", "w", query("lava", 10, f))) == std::vector<std::string>{"talk@30000"});
  }
}

TEST_CASE("memory search: words are stemmed so volcanoes finds volcano") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  m.put("t", "w", video("a", {"the volcano erupted last night"}));
  m.put("t", "w", video("b", {"running shoes for marathons"}));
  CHECK(ids(m.search("t", "w", "volcanoes")) == std::vector<std::string>{"a@0"});
  CHECK(ids(m.search("t", "w", "erupting volcano")) == std::vector<std::string>{"a@0"});
  CHECK(ids(m.search("t", "w", "run marathon")) == std::vector<std::string>{"b@0"});
  CHECK(m.search("t", "w", "volcanology").empty()); // a stem, not a prefix
}

TEST_CASE("memory search: a quoted phrase needs its words together and in order") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  m.put("t", "w", video("together", {"lava cools into black rock by the sea"}));
  m.put("t", "w", video("apart", {"a black cat sat on a rock"}));
  m.put("t", "w", video("reversed", {"the rock was black"}));
  m.put("t", "w", video("stop", {"ash from the volcano"}));
  CHECK(ids(m.search("t", "w", "\"black rock\"")) == std::vector<std::string>{"together@0"});
  // Unquoted, the same words find all three.
  CHECK(m.search("t", "w", "black rock").size() == 3);
  // Stop words inside a phrase count; punctuation and case do not.
  CHECK(ids(m.search("t", "w", "\"from the volcano\"")) == std::vector<std::string>{"stop@0"});
  CHECK(m.search("t", "w", "\"from a volcano\"").empty());
  CHECK(ids(m.search("t", "w", "“Black, Rock”")) == std::vector<std::string>{"together@0"});
  // A phrase with a word nobody said finds nothing, however good its other words are.
  CHECK(m.search("t", "w", "black \"rock giraffe\"").empty());
}

TEST_CASE("memory search: filters by job, channel and upload date") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  const std::string handle = "https://www.youtube.com/@geology";
  const std::string id_url = "https://www.youtube.com/channel/UCgeology0000000000000000";
  m.put("t", "w", video("jan", {"volcano talk in january"}, 11, {id_url, handle}, "20260115"));
  m.put("t", "w", video("jun", {"volcano talk in june"}, 12, {id_url, handle}, "20260620"));
  m.put("t", "w",
        video("other", {"volcano talk elsewhere"}, 13, {"https://www.youtube.com/@x"}, "20260301"));
  m.put("t", "w", video("undated", {"volcano talk undated"}, 14));
  auto found = [&](memory_filter f) {
    auto hits = ids(m.search("t", "w", query("volcano", 10, f)));
    std::sort(hits.begin(), hits.end());
    return hits;
  };
  using list = std::vector<std::string>;
  CHECK(found({}).size() == 4);
  memory_filter job;
  job.job_id = 12;
  CHECK(found(job) == list{"jun@0"});
  job.job_id = 99;
  CHECK(found(job).empty());
  memory_filter by_handle;
  by_handle.channels = {handle};
  CHECK(found(by_handle) == list{"jan@0", "jun@0"});
  memory_filter by_id;
  by_id.channels = {id_url};
  CHECK(found(by_id) == list{"jan@0", "jun@0"}); // either form of the channel finds it
  memory_filter two;
  two.channels = {handle, "https://www.youtube.com/@x"};
  CHECK(found(two) == list{"jan@0", "jun@0", "other@0"});
  memory_filter spring;
  spring.from_date = "20260201";
  spring.to_date = "20260620"; // inclusive
  CHECK(found(spring) == list{"jun@0", "other@0"});
  memory_filter until;
  until.to_date = "20260115";
  CHECK(found(until) == list{"jan@0"}); // undated videos are outside every date range
  memory_filter all_of = by_handle;
  all_of.from_date = "20260201";
  CHECK(found(all_of) == list{"jun@0"});
  all_of.job_id = 11;
  CHECK(found(all_of).empty());
  // A hit says its channel and date.
  memory_filter jan;
  jan.job_id = 11;
  auto h = m.search("t", "w", query("january", 10, jan));
  REQUIRE(h.size() == 1);
  CHECK(h[0].channel == id_url);
  CHECK(h[0].upload_date == "20260115");
  // Dates that are no dates are refused, whether or not anything is stored.
  memory_filter bad;
  bad.from_date = "2026-01-15";
  CHECK_THROWS_AS(m.search("t", "w", query("volcano", 10, bad)), std::invalid_argument);
  CHECK_THROWS_AS(m.search("t", "nothing", query("volcano", 10, bad)), std::invalid_argument);
  bad.from_date = "20261345";
  CHECK_THROWS_AS(m.search("t", "w", query("volcano", 10, bad)), std::invalid_argument);
  CHECK_THROWS_AS(m.put("t", "w", video("baddate", {"x y"}, 1, {}, "yesterday")),
                  std::invalid_argument);
  CHECK(m.check_invariants().empty());
  // Removing a video removes its filter entries.
  CHECK(m.remove("t", "w", "youtube", "jun"));
  CHECK(found(by_handle) == list{"jan@0"});
  CHECK(m.check_invariants().empty());
}

TEST_CASE("memory search: filters never reach into another namespace") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  const std::string channel = "https://www.youtube.com/@shared";
  m.put("acme", "w", video("a", {"secret roadmap"}, 5, {channel}, "20260101"));
  m.put("globex", "w", video("g", {"public roadmap"}, 5, {channel}, "20260101"));
  memory_filter f;
  f.channels = {channel};
  f.job_id = 5;
  f.from_date = "20250101";
  auto hits = m.search("globex", "w", query("secret roadmap", 10, f));
  CHECK(ids(hits) == std::vector<std::string>{"g@0"});
  CHECK(m.search("globex", "w", query("secret", 10, f)).empty());
  CHECK(m.search("initech", "w", query("roadmap", 10, f)).empty());
}

TEST_CASE("memory search: a snippet marks the words that matched") {
  test::temp_dir dir;
  memory_store m{options_for(dir)};
  m.put("t", "w",
        video("a", {"Hot lava flows down the volcano and the lava cools into black rock."}));
  auto hits = m.search("t", "w", "volcanoes lava");
  REQUIRE(hits.size() == 1);
  auto& h = hits[0];
  std::vector<std::string> marked;
  for (auto& mark : h.marks) {
    REQUIRE(mark.end <= h.snippet.size());
    marked.push_back(h.snippet.substr(mark.begin, mark.end - mark.begin));
  }
  CHECK(marked == std::vector<std::string>{"lava", "volcano", "lava"});
  auto phrase = m.search("t", "w", "\"black rock\"");
  REQUIRE(phrase.size() == 1);
  REQUIRE(phrase[0].marks.size() == 1);
  CHECK(phrase[0].snippet.substr(phrase[0].marks[0].begin,
                                 phrase[0].marks[0].end - phrase[0].marks[0].begin) ==
        "black rock");
}

namespace {

/// Writes a memory store the way vfb wrote it before stemming (format 1): namespaces, videos,
/// one record per chunk, and postings (which a rebuild does not need: it reads the chunks).
void write_format_1(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  lmdb::env e{lmdb::env_options{dir, size_t{8} << 20, 0, 16, false, false}};
  lmdb::txn t{e, true};
  lmdb::db spaces{t, "namespaces", true}, videos{t, "videos", true}, chunks{t, "chunks", true},
      postings{t, "postings", true}, meta{t, "meta", true};
  meta.put(t, "format", std::string(1, '\x01'));
  auto be32 = [](uint32_t x) {
    std::string s;
    codec::put_be32(s, x);
    return s;
  };
  struct old_video {
    std::string tenant, workspace, id;
    uint64_t job;
    std::vector<std::string> texts;
  };
  std::vector<old_video> all{
      {"t", "w", "old1", 3, {"volcanoes erupted", "lava flowed into the sea"}},
      {"t", "w", "old2", 4, {"glaciers melting"}},
      {"t", "other", "old3", 5, {"volcanoes elsewhere"}}};
  uint32_t next_ns = 0;
  std::map<std::string, uint32_t> ns_of;
  std::map<uint32_t, uint64_t> next_chunk;
  for (auto& v : all) {
    auto space_key = std::string{};
    codec::put_lp16(space_key, v.tenant);
    codec::put_lp16(space_key, v.workspace);
    if (!ns_of.count(space_key))
      ns_of[space_key] = next_ns++;
    auto ns = ns_of[space_key];
    auto first = static_cast<uint32_t>(next_chunk[ns]);
    codec::writer vr;
    vr.varint(v.job);
    vr.str("Old " + v.id);
    vr.str("https://www.youtube.com/watch?v=" + v.id);
    vr.varint(first);
    vr.varint(v.texts.size());
    auto vkey = be32(ns);
    codec::put_lp16(vkey, "youtube");
    codec::put_lp16(vkey, v.id);
    videos.put(t, vkey, vr.buffer());
    for (size_t i = 0; i < v.texts.size(); ++i) {
      codec::writer cr;
      cr.str("youtube");
      cr.str(v.id);
      cr.svarint(static_cast<int64_t>(i) * 1000);
      cr.svarint(static_cast<int64_t>(i + 1) * 1000);
      cr.varint(2);
      cr.str(v.texts[i]);
      chunks.put(t, be32(ns) + be32(first + static_cast<uint32_t>(i)), cr.buffer());
    }
    next_chunk[ns] += v.texts.size();
  }
  for (auto& [space_key, ns] : ns_of) {
    codec::writer sr;
    sr.varint(ns);
    sr.varint(0); // statistics: a rebuild counts them anew
    sr.varint(0);
    sr.varint(0);
    sr.varint(next_chunk[ns]);
    spaces.put(t, space_key, sr.buffer());
  }
  postings.put(t, be32(0) + std::string("volcanoes") + std::string(1, '\0'), "\x01\x01");
  meta.put(t, "next_namespace", be32(next_ns));
  t.commit();
}

} // namespace

TEST_CASE("memory search: a store of the older format is rebuilt on open and loses nothing") {
  test::temp_dir dir;
  auto o = options_for(dir);
  write_format_1(o.dir);
  // Read-only (a search while no node runs the rebuild) cannot use it and says why.
  auto ro = o;
  ro.read_only = true;
  CHECK_THROWS_WITH(memory_store{ro}, Catch::Contains("older vfb"));
  std::vector<std::string> notices;
  o.notice = [&](const std::string& line) { notices.push_back(line); };
  {
    memory_store m{o};
    REQUIRE(notices.size() == 2);
    CHECK_THAT(notices[0], Catch::Contains("rebuilding"));
    CHECK_THAT(notices[1], Catch::Contains("3 videos (4 chunks)"));
    CHECK(m.stats("t", "w").videos == 2);
    CHECK(m.stats("t", "w").chunks == 3);
    CHECK(m.stats("t", "other").chunks == 1);
    auto hits = m.search("t", "w", "volcano");
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].job_id == 3);
    CHECK(hits[0].title == "Old old1");
    CHECK(ids(m.search("t", "w", "\"into the sea\"")) == std::vector<std::string>{"old1@1000"});
    CHECK(ids(m.search("t", "other", "volcanoes")) == std::vector<std::string>{"old3@0"});
    CHECK(m.check_invariants().empty());
  }
  CHECK_FALSE(std::filesystem::exists(dir / "memory.format1"));
  CHECK_FALSE(std::filesystem::exists(dir / "memory.rebuilding"));
  // Opening again rebuilds nothing.
  notices.clear();
  memory_store again{o};
  CHECK(notices.empty());
  CHECK(again.stats("t", "w").chunks == 3);
}

TEST_CASE("memory search: a rebuild cut short between its renames is finished on the next open") {
  test::temp_dir dir;
  auto o = options_for(dir);
  write_format_1(o.dir);
  // As if the process died after moving the old store aside and before moving the new one in.
  std::filesystem::rename(o.dir, dir / "memory.format1");
  // A reader (a search while the node rebuilds) changes nothing and says why.
  auto ro = o;
  ro.read_only = true;
  CHECK_THROWS_WITH(memory_store{ro}, Catch::Contains("being rebuilt"));
  CHECK(std::filesystem::exists(dir / "memory.format1"));
  memory_store m{o};
  CHECK(m.stats("t", "w").chunks == 3);
  CHECK_FALSE(std::filesystem::exists(dir / "memory.format1"));
}
