// Candidate full-text search engines side by side, on memory_bench's corpus and query mix
// (bench/synthetic_text.hpp): prints one JSON object on stdout (progress on stderr), exits 0 (a
// comparison, not a bound).
//
// For each engine: stores --chunks chunks (default 100,000) in the namespace "main" and 10% as
// many in "other", one video (10 chunks) per commit as the memory stage stores them, durability
// off for all alike (vfb: sync=false and one sync at the end; Xapian: DB_NO_SYNC; SQLite:
// synchronous=OFF and a final WAL checkpoint). Then the same 50 warm-up and --queries timed
// searches (default 2,000) against "main": the top 10 by BM25 (k1=1.2, b=0.75), with each hit's
// text read, as a search result needs it. Every engine regenerates the corpus from the same seed,
// so each indexes identical text and runs identical queries (the ones memory_bench runs).
//
// Engines (--engines, default all):
//   vfb          vfb::memory_store, as memory_bench uses it.
//   xapian       Xapian, one database, namespace as a boolean term "XNS<name>" (OP_FILTER),
//                English stemmer (STEM_SOME), positions indexed (phrase search possible), text as
//                document data.
//   xapian_nopos the same without positions (index_text_without_positions).
//   fts5         SQLite FTS5 (tokenize='porter unicode61'), one table per namespace: no filter
//                at query time, and the BM25 statistics are the namespace's own (as vfb's are).
//   fts5_shared  one FTS5 table with the namespace as an indexed column, queried with the column
//                filter `ns : main AND (...)` (its weight 0, so only the text scores); the
//                statistics then span every namespace.
#include "bench/measure.hpp"
#include "bench/options.hpp"
#include "bench/synthetic_text.hpp"
#include "storage/memory_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sqlite3.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <vector>
#include <xapian.h>

using namespace vfb;
using bench::clock_type;

namespace {

constexpr uint64_t seed = 20'261'124; // memory_bench's
constexpr size_t chunks_per_video = 10;
constexpr size_t top_k = 10;
constexpr size_t warm_up_queries = 50;
constexpr double bm25_k1 = 1.2;
constexpr double bm25_b = 0.75;
const std::vector<std::string> all_engines = {"vfb", "xapian", "xapian_nopos", "fts5",
                                              "fts5_shared"};

struct settings {
  size_t chunks = 100'000;
  size_t queries = 2'000;
  std::vector<std::string> engines = all_engines;
  std::filesystem::path dir; // empty: a temp dir
};

void progress(const std::string& what) {
  std::cerr << "search_engines_bench: " << what << std::endl;
}

using bench::ms_since;
using bench::percentile;

/// Apparent and allocated bytes of every file under `dir`.
std::pair<uint64_t, uint64_t> directory_bytes(const std::filesystem::path& dir) {
  uint64_t apparent = 0, allocated = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (!e.is_regular_file() || ::stat(e.path().c_str(), &st) != 0)
      continue;
    apparent += static_cast<uint64_t>(st.st_size);
    allocated += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return {apparent, allocated};
}

/// What a search found: per hit whether it is from the main namespace, and the text bytes read.
struct found {
  size_t hits = 0;
  size_t foreign = 0; // hits from another namespace: must never happen
  size_t text_bytes = 0;
};

/// One engine: stores videos (one commit each), then searches the main namespace.
class engine {
public:
  virtual ~engine() = default;
  /// Stores one video's chunks in `ns` in one durable-when-synced commit.
  virtual void put_video(const std::string& ns, size_t video,
                         const std::vector<std::string>& chunks) = 0;
  /// After the load: makes everything durable; the writer may close.
  virtual void finish() = 0;
  /// Prepares searching (e.g. opens a reader); not timed.
  virtual void open_for_search() {}
  /// The top `top_k` chunks of the main namespace for `query`, their texts read.
  virtual found search(const std::string& query) = 0;
  /// What the engine is configured as, for the report.
  virtual nlohmann::ordered_json describe() const = 0;
};

// -- vfb ------------------------------------------------------------------------------------------

class vfb_engine final : public engine {
public:
  explicit vfb_engine(const std::filesystem::path& dir) {
    memory_options o;
    o.dir = dir / "memory";
    o.sync = false;
    o.initial_map_size = size_t{256} << 20;
    o.bm25.k1 = bm25_k1;
    o.bm25.b = bm25_b;
    store_ = std::make_unique<memory_store>(o);
  }

  void put_video(const std::string& ns, size_t video,
                 const std::vector<std::string>& chunks) override {
    memory_entry e;
    e.job_id = video + 1;
    e.source = "synthetic";
    e.external_id = ns.substr(0, 1) + std::to_string(video);
    e.title = "video " + e.external_id;
    e.url = "https://example.org/" + e.external_id;
    for (size_t c = 0; c < chunks.size(); ++c)
      e.chunks.push_back(
          {static_cast<int64_t>(c) * 30'000, static_cast<int64_t>(c + 1) * 30'000, chunks[c]});
    store_->put(tenant, ns, e);
  }

  void finish() override { store_->sync(); }

  found search(const std::string& query) override {
    auto hits = store_->search(tenant, "main", query, top_k);
    found f;
    f.hits = hits.size();
    for (auto& h : hits) {
      f.foreign += h.external_id[0] != 'm';
      f.text_bytes += h.snippet.size();
    }
    return f;
  }

  nlohmann::ordered_json describe() const override {
    return {
        {"what", "vfb::memory_store (LMDB), namespace = (tenant, workspace)"},
        {"positions", "none: a phrase is checked in the text of the chunks that have its words"},
        {"stemming", "english (Snowball, libstemmer)"},
        {"stop_words_indexed", false},
        {"per_namespace_statistics", true},
        {"hit_text", "snippet with the matched words marked (memory_hit::snippet, marks)"}};
  }

private:
  const std::string tenant = "bench";
  std::unique_ptr<memory_store> store_;
};

// -- Xapian ---------------------------------------------------------------------------------------

class xapian_engine final : public engine {
public:
  xapian_engine(const std::filesystem::path& dir, bool positions)
      : path_(dir / "xapian"), positions_(positions),
        writer_(std::make_unique<Xapian::WritableDatabase>(
            path_.string(), Xapian::DB_CREATE_OR_OPEN | Xapian::DB_NO_SYNC)) {
    generator_.set_stemmer(Xapian::Stem("english"));
    generator_.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  }

  void put_video(const std::string& ns, size_t, const std::vector<std::string>& chunks) override {
    for (auto& text : chunks) {
      Xapian::Document doc;
      generator_.set_document(doc);
      if (positions_)
        generator_.index_text(text);
      else
        generator_.index_text_without_positions(text);
      doc.add_boolean_term("XNS" + ns);
      doc.set_data(text);
      auto id = writer_->add_document(doc);
      if (main_.size() <= id)
        main_.resize(id + 1);
      main_[id] = ns == "main";
    }
    writer_->commit();
  }

  void finish() override {
    writer_->commit();
    writer_->close();
    writer_.reset();
  }

  void open_for_search() override {
    reader_ = std::make_unique<Xapian::Database>(path_.string());
    parser_.set_stemmer(Xapian::Stem("english"));
    parser_.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser_.set_default_op(Xapian::Query::OP_OR);
    parser_.set_database(*reader_);
  }

  found search(const std::string& query) override {
    Xapian::Enquire enquire{*reader_};
    Xapian::Query q{Xapian::Query::OP_FILTER, parser_.parse_query(query), Xapian::Query{"XNSmain"}};
    enquire.set_query(q);
    // k1, k2, k3, b, min_normlen (Xapian's default for the last).
    enquire.set_weighting_scheme(Xapian::BM25Weight{bm25_k1, 0, 1, bm25_b, 0.5});
    auto mset = enquire.get_mset(0, top_k);
    found f;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      ++f.hits;
      auto id = *it;
      f.foreign += id >= main_.size() || !main_[id];
      f.text_bytes += it.get_document().get_data().size();
    }
    return f;
  }

  nlohmann::ordered_json describe() const override {
    return {{"what", std::string{"Xapian "} + Xapian::version_string() +
                         " (glass), one database, namespace as boolean term XNS<name> (OP_FILTER)"},
            {"positions", positions_},
            {"stemming", "english, STEM_SOME (unstemmed and Z-prefixed stemmed terms)"},
            {"stop_words_indexed", true},
            {"per_namespace_statistics", false},
            {"weighting", "BM25Weight(k1=1.2, k2=0, k3=1, b=0.75, min_normlen=0.5)"},
            {"hit_text", "document data"}};
  }

private:
  std::filesystem::path path_;
  bool positions_;
  std::unique_ptr<Xapian::WritableDatabase> writer_;
  Xapian::TermGenerator generator_;
  std::unique_ptr<Xapian::Database> reader_;
  Xapian::QueryParser parser_;
  std::vector<bool> main_; // by document id: from the main namespace
};

// -- SQLite FTS5 ----------------------------------------------------------------------------------

class sqlite_error : public std::runtime_error {
public:
  sqlite_error(sqlite3* db, const std::string& what)
      : std::runtime_error(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory")) {}
};

class statement {
public:
  statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) !=
        SQLITE_OK)
      throw sqlite_error(db, "prepare " + sql);
  }
  ~statement() { sqlite3_finalize(s_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, const std::string& v) {
    if (sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC) != SQLITE_OK)
      throw sqlite_error(db_, "bind");
    return *this;
  }
  statement& bind(int i, int64_t v) {
    if (sqlite3_bind_int64(s_, i, v) != SQLITE_OK)
      throw sqlite_error(db_, "bind");
    return *this;
  }
  /// True while there is a row.
  bool step() {
    auto rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW)
      return true;
    if (rc != SQLITE_DONE)
      throw sqlite_error(db_, "step");
    return false;
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int64_t integer(int i) const { return sqlite3_column_int64(s_, i); }
  size_t text_size(int i) const {
    (void)sqlite3_column_text(s_, i);
    return static_cast<size_t>(sqlite3_column_bytes(s_, i));
  }

private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

class fts5_engine final : public engine {
public:
  /// `shared`: one table with the namespace as an indexed column; else one table per namespace.
  fts5_engine(const std::filesystem::path& dir, bool shared)
      : path_(dir / "fts5.db"), shared_(shared) {
    open(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=OFF");
    if (shared_) {
      exec("CREATE VIRTUAL TABLE t USING fts5(ns, text, tokenize='porter unicode61')");
      // ORDER BY rank scores the text only: the namespace term weighs nothing.
      exec("INSERT INTO t(t, rank) VALUES('rank', 'bm25(0.0, 1.0)')");
    } else {
      for (auto ns : {"main", "other"})
        exec(std::string{"CREATE VIRTUAL TABLE t_"} + ns +
             " USING fts5(text, tokenize='porter unicode61')");
    }
  }

  ~fts5_engine() override {
    statements_.clear();
    if (db_)
      sqlite3_close(db_);
  }

  void put_video(const std::string& ns, size_t, const std::vector<std::string>& chunks) override {
    auto& insert = prepared("insert " + (shared_ ? std::string{} : ns),
                            shared_ ? "INSERT INTO t(ns, text) VALUES(?, ?)"
                                    : "INSERT INTO t_" + ns + "(text) VALUES(?)");
    exec("BEGIN");
    for (auto& text : chunks) {
      if (shared_)
        insert.bind(1, ns).bind(2, text);
      else
        insert.bind(1, text);
      insert.step();
      insert.reset();
      auto id = sqlite3_last_insert_rowid(db_);
      if (ns == "main") {
        if (main_ids_.size() <= static_cast<size_t>(id))
          main_ids_.resize(static_cast<size_t>(id) + 1);
        main_ids_[static_cast<size_t>(id)] = true;
      }
    }
    exec("COMMIT");
  }

  void finish() override {
    exec("PRAGMA wal_checkpoint(TRUNCATE)");
    statements_.clear();
    sqlite3_close(db_);
    db_ = nullptr;
  }

  void open_for_search() override { open(SQLITE_OPEN_READONLY); }

  found search(const std::string& query) override {
    // The query's words ORed, each quoted (so none is taken as an operator).
    std::string match;
    std::istringstream words{query};
    for (std::string w; words >> w;) {
      std::string quoted = "\"";
      for (char c : w)
        quoted += c == '"' ? std::string{"\"\""} : std::string{c};
      match += (match.empty() ? "" : " OR ") + quoted + "\"";
    }
    if (shared_)
      match = "ns : main AND (" + match + ")";
    auto table = shared_ ? std::string{"t"} : std::string{"t_main"};
    auto& top =
        prepared("top", "SELECT rowid, bm25(" + table + ") FROM " + table + " WHERE " + table +
                            " MATCH ? ORDER BY rank LIMIT " + std::to_string(top_k));
    auto& text = prepared("text", "SELECT text FROM " + table + " WHERE rowid = ?");
    found f;
    std::vector<int64_t> ids;
    top.bind(1, match);
    while (top.step())
      ids.push_back(top.integer(0));
    top.reset();
    for (auto id : ids) {
      ++f.hits;
      // Per-namespace tables number their rows each from 1: only the shared one can leak.
      f.foreign += shared_ && (static_cast<size_t>(id) >= main_ids_.size() ||
                               !main_ids_[static_cast<size_t>(id)]);
      text.bind(1, id);
      if (text.step())
        f.text_bytes += text.text_size(0);
      text.reset();
    }
    return f;
  }

  nlohmann::ordered_json describe() const override {
    return {{"what", std::string{"SQLite "} + sqlite3_libversion() + " FTS5, " +
                         (shared_ ? "one table, namespace as an indexed column (ns : main AND ...)"
                                  : "one table per namespace")},
            {"positions", true},
            {"stemming", "porter"},
            {"stop_words_indexed", true},
            {"per_namespace_statistics", !shared_},
            {"weighting", "bm25 (k1=1.2, b=0.75 built in)"},
            {"hit_text", "SELECT text ... WHERE rowid = ? per hit"}};
  }

private:
  void open(int flags) {
    if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK)
      throw sqlite_error(db_, "open " + path_.string());
  }

  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string what = sql + ": " + (error ? error : "?");
      sqlite3_free(error);
      throw std::runtime_error(what);
    }
  }

  statement& prepared(const std::string& key, const std::string& sql) {
    for (auto& [k, s] : statements_)
      if (k == key)
        return *s;
    statements_.emplace_back(key, std::make_unique<statement>(db_, sql));
    return *statements_.back().second;
  }

  std::filesystem::path path_;
  bool shared_;
  sqlite3* db_ = nullptr;
  std::vector<std::pair<std::string, std::unique_ptr<statement>>> statements_;
  std::vector<bool> main_ids_; // by rowid (shared table): from the main namespace
};

std::unique_ptr<engine> make_engine(const std::string& name, const std::filesystem::path& dir) {
  if (name == "vfb")
    return std::make_unique<vfb_engine>(dir);
  if (name == "xapian" || name == "xapian_nopos")
    return std::make_unique<xapian_engine>(dir, name == "xapian");
  if (name == "fts5" || name == "fts5_shared")
    return std::make_unique<fts5_engine>(dir, name == "fts5_shared");
  throw std::invalid_argument("unknown engine " + name);
}

/// The corpus as every engine sees it (the same for all: the same seed).
struct corpus_figures {
  size_t main_chunks = 0;
  size_t other_chunks = 0;
  uint64_t text_bytes = 0;
  uint64_t words = 0;
};

/// Loads, measures and searches one engine; returns its section of the report.
nlohmann::ordered_json run_engine(const std::string& name, const settings& s,
                                  const std::filesystem::path& dir, corpus_figures& corpus) {
  std::filesystem::create_directories(dir);
  bench::text_source source{seed};
  auto e = make_engine(name, dir);

  // -- load, as memory_bench: the main namespace, and every tenth video into the other one -----
  size_t main_videos = s.chunks / chunks_per_video;
  size_t other_videos = main_videos / 10;
  std::vector<double> put_ms;
  double generate_ms = 0;
  corpus = {};
  std::vector<std::string> chunks;
  auto put = [&](const std::string& ns, size_t video) {
    auto generate_start = clock_type::now();
    chunks.clear();
    for (size_t c = 0; c < chunks_per_video; ++c)
      chunks.push_back(source.chunk());
    generate_ms += ms_since(generate_start);
    for (auto& c : chunks) {
      corpus.text_bytes += c.size();
      corpus.words += static_cast<uint64_t>(std::count(c.begin(), c.end(), ' '));
    }
    (ns == "main" ? corpus.main_chunks : corpus.other_chunks) += chunks.size();
    auto start = clock_type::now();
    e->put_video(ns, video, chunks);
    put_ms.push_back(ms_since(start));
  };
  for (size_t v = 0, o_v = 0; v < main_videos; ++v) {
    put("main", v);
    if (v % 10 == 9 && o_v < other_videos)
      put("other", o_v++);
    if ((v + 1) % 2000 == 0)
      progress(name + ": stored " + std::to_string(v + 1) + "/" + std::to_string(main_videos) +
               " videos of the main namespace");
  }
  auto finish_start = clock_type::now();
  e->finish();
  auto finish_ms = ms_since(finish_start);
  auto load_s = (std::accumulate(put_ms.begin(), put_ms.end(), 0.0) + finish_ms) / 1000;
  size_t total_chunks = corpus.main_chunks + corpus.other_chunks;
  auto [apparent, allocated] = directory_bytes(dir);
  progress(name + ": loaded " + std::to_string(total_chunks) + " chunks in " +
           std::to_string(load_s) + " s, " + std::to_string(apparent >> 20) + " MiB");

  // -- searches: the same warm-up and timed queries as memory_bench ----------------------------
  e->open_for_search();
  for (size_t i = 0; i < warm_up_queries; ++i)
    (void)e->search(source.query());
  std::vector<double> search_ms;
  size_t hits = 0, empty = 0, foreign = 0;
  double slowest_ms = 0;
  std::string slowest_query;
  for (size_t i = 0; i < s.queries; ++i) {
    auto q = source.query();
    auto start = clock_type::now();
    auto f = e->search(q);
    auto ms = ms_since(start);
    search_ms.push_back(ms);
    if (ms > slowest_ms) {
      slowest_ms = ms;
      slowest_query = q;
    }
    hits += f.hits;
    empty += f.hits == 0;
    foreign += f.foreign;
  }
  progress(name + ": ran " + std::to_string(s.queries) + " queries, p50 " +
           std::to_string(percentile(search_ms, 0.50)) + " ms");

  auto per_chunk = [&](uint64_t bytes) {
    return static_cast<double>(bytes) / static_cast<double>(total_chunks);
  };
  return {
      {"engine", e->describe()},
      {"index",
       {{"commits", put_ms.size()},
        {"seconds", load_s},
        {"chunks_per_s", static_cast<double>(total_chunks) / load_s},
        {"commit_p50_ms", percentile(put_ms, 0.50)},
        {"commit_p99_ms", percentile(put_ms, 0.99)},
        {"final_flush_ms", finish_ms},
        {"text_generation_s_not_counted", generate_ms / 1000}}},
      {"size",
       {{"bytes", apparent},
        {"allocated_bytes", allocated},
        {"mib", static_cast<double>(apparent) / (1 << 20)},
        {"bytes_per_chunk", per_chunk(apparent)},
        {"allocated_bytes_per_chunk", per_chunk(allocated)},
        {"over_text", static_cast<double>(apparent) / static_cast<double>(corpus.text_bytes)}}},
      {"search",
       {{"queries", s.queries},
        {"p50_ms", percentile(search_ms, 0.50)},
        {"p90_ms", percentile(search_ms, 0.90)},
        {"p99_ms", percentile(search_ms, 0.99)},
        {"max_ms", slowest_ms},
        {"slowest_query", slowest_query},
        {"mean_ms", std::accumulate(search_ms.begin(), search_ms.end(), 0.0) /
                        static_cast<double>(search_ms.size())},
        {"mean_hits", static_cast<double>(hits) / static_cast<double>(s.queries)},
        {"queries_without_hits", empty},
        {"hits_from_other_namespace", foreign}}},
  };
}

} // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"Full-text engines side by side on memory_bench's corpus: one JSON object on "
               "stdout, progress on stderr",
               "search_engines_bench"};
  app.add_option("--chunks", s.chunks,
                 "chunks in the searched namespace; a second namespace gets N/10 more")
      ->capture_default_str();
  app.add_option("--queries", s.queries, "searches to time per engine")->capture_default_str();
  app.add_option("--engines", s.engines,
                 "comma-separated, of vfb,xapian,xapian_nopos,fts5,fts5_shared (default: all)")
      ->delimiter(',');
  app.add_option("--dir", s.dir,
                 "where the indexes go, one subdirectory per engine, kept (default: a temporary "
                 "directory, each index removed once measured)");
  if (auto stop = bench::parse_options(app, argc, argv))
    return *stop;
  if (s.chunks < chunks_per_video || s.queries == 0 || s.engines.empty()) {
    std::cerr << "search_engines_bench: --chunks must be at least " << chunks_per_video
              << ", --queries at least 1, --engines not empty\n";
    return 2;
  }
  for (auto& name : s.engines)
    if (std::find(all_engines.begin(), all_engines.end(), name) == all_engines.end()) {
      std::cerr << "search_engines_bench: unknown engine " << name << "\n";
      std::cerr << app.help();
      return 2;
    }

  std::unique_ptr<test::temp_dir> temp;
  bool keep = !s.dir.empty();
  if (!keep) {
    temp = std::make_unique<test::temp_dir>();
    s.dir = temp->path();
  }

  nlohmann::ordered_json engines = nlohmann::ordered_json::object();
  corpus_figures corpus;
  for (auto& name : s.engines) {
    auto dir = s.dir / name;
    if (std::filesystem::exists(dir)) {
      std::cerr << "search_engines_bench: " << dir << " exists; give an empty --dir\n";
      return 2;
    }
    try {
      engines[name] = run_engine(name, s, dir, corpus);
    } catch (const std::exception& e) {
      std::cerr << "search_engines_bench: " << name << ": " << e.what() << "\n";
      engines[name] = {{"error", e.what()}};
    }
    if (!keep)
      std::filesystem::remove_all(dir);
  }

  size_t total = corpus.main_chunks + corpus.other_chunks;
  nlohmann::ordered_json out = {
      {"benchmark", "search_engines"},
      {"corpus",
       {{"seed", seed},
        {"chunks", corpus.main_chunks},
        {"other_namespace_chunks", corpus.other_chunks},
        {"videos_per_commit", 1},
        {"chunks_per_video", chunks_per_video},
        {"vocabulary", bench::text_source::vocabulary_size},
        {"text_bytes", corpus.text_bytes},
        {"text_bytes_per_chunk",
         total ? static_cast<double>(corpus.text_bytes) / static_cast<double>(total) : 0.0},
        {"words_per_chunk",
         total ? static_cast<double>(corpus.words) / static_cast<double>(total) : 0.0}}},
      {"queries",
       {{"timed", s.queries},
        {"warm_up", warm_up_queries},
        {"namespace", "main"},
        {"top", top_k},
        {"bm25", {{"k1", bm25_k1}, {"b", bm25_b}}}}},
      {"engines", engines},
  };
  std::cout << out.dump(2) << std::endl;
  return 0;
}
