// Memory search benchmark: prints one JSON object on stdout (progress on stderr) and exits
// non-zero when a bound does not hold.
//
// Builds a store of --chunks chunks (default 100,000) in one namespace plus 10% as many in a
// second namespace, from synthetic speech-like text (bench/synthetic_text.hpp): ~130 words per
// chunk drawn from a Zipf distribution over a 20,000-word vocabulary generated
// deterministically, stop words in between, 10 chunks per video, stored a video per put as the
// memory stage stores them. Then runs --queries searches (default 2,000) of 1-4 terms drawn
// from the same distribution, so common and rare terms mix as in real queries, and afterwards a
// sample of them again with the exhaustive search (every posting scored) as the figure pruning
// is judged against; every sampled answer must equal the pruned one. (Run in between, the
// exhaustive scans evicted the caches of the timed search after each: a tenth of the timed
// searches ran cold, which raised the p99 of the larger stores.)
//
// Bounds (issue 18): search p99 <= 10 ms; p99 <= 2 x the p99 of a store a tenth the size,
// built and searched in the same run (--reference, default --chunks / 10; 0: none), so the cost
// of a search grows far slower than the corpus; <= 1.5 KiB of store per chunk, text included;
// >= 2,000 chunks/s indexing.
//
// Also measured, as the floor of any search: a read transaction plus one point lookup
// (`memory_store::stats`).
#include "bench/measure.hpp"
#include "bench/options.hpp"
#include "bench/synthetic_text.hpp"
#include "storage/memory_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace vfb;
using bench::clock_type;

namespace {

constexpr double bound_p99_ms = 10.0;
constexpr double bound_scaling = 2.0;            // p99 over the reference store's p99
constexpr double bound_bytes_per_chunk = 1536.0; // 1.5 KiB
constexpr double bound_chunks_per_s = 2000.0;
constexpr size_t vocabulary_size = 20'000;
constexpr size_t chunks_per_video = 10;
constexpr size_t exhaustive_sample = 200; // queries also run exhaustively

struct settings {
  size_t chunks = 100'000;
  size_t queries = 2'000;
  std::optional<size_t> reference; // default: chunks / 10
  std::filesystem::path dir;       // empty: a temp dir
  bool sync = false;
};

void progress(const std::string& what) {
  std::cerr << "memory_bench: " << what << std::endl;
}

using bench::ms_since;
using bench::percentile;

using bench::text_source;

/// Builds a store of `chunks` chunks (plus a tenth in another namespace) in `dir` and searches
/// it: the figures of one store.
nlohmann::json measure(const settings& s, size_t chunks, const std::filesystem::path& dir) {
  memory_options o;
  o.dir = dir / "memory";
  o.sync = s.sync;
  o.initial_map_size = size_t{256} << 20;
  memory_store store{o};
  text_source source{20'261'124};

  // -- load: the main namespace, and every tenth video into the second one ----------------------
  const std::string tenant = "bench";
  size_t main_videos = chunks / chunks_per_video;
  size_t other_videos = main_videos / 10;
  std::vector<double> put_ms;
  size_t indexed_chunks = 0;
  double put_total_ms = 0;
  auto load_start = clock_type::now();
  for (size_t v = 0, o_v = 0; v < main_videos; ++v) {
    auto put = [&](const std::string& workspace, const std::string& id) {
      memory_entry e;
      e.job_id = v + 1;
      e.source = "synthetic";
      e.external_id = id;
      e.title = "video " + id;
      e.url = "https://example.org/" + id;
      for (size_t c = 0; c < chunks_per_video; ++c)
        e.chunks.push_back({static_cast<int64_t>(c) * 30'000, static_cast<int64_t>(c + 1) * 30'000,
                            source.chunk()});
      auto start = clock_type::now();
      store.put(tenant, workspace, e);
      put_ms.push_back(ms_since(start));
      put_total_ms += put_ms.back();
      indexed_chunks += e.chunks.size();
    };
    put("main", "m" + std::to_string(v));
    if (v % 10 == 9 && o_v < other_videos)
      put("other", "o" + std::to_string(o_v++));
    if ((v + 1) % 10000 == 0)
      progress("stored " + std::to_string(v + 1) + "/" + std::to_string(main_videos) +
               " videos of the main namespace");
  }
  auto sync_start = clock_type::now();
  store.sync();
  auto final_sync_ms = ms_since(sync_start);
  auto load_s = ms_since(load_start) / 1000;
  auto stats = store.stats(tenant, "main");
  progress("loaded " + std::to_string(indexed_chunks) + " chunks in " + std::to_string(load_s) +
           " s");

  // -- baseline: a read transaction and one point lookup ------------------------------------------
  std::vector<double> baseline_ms;
  for (int i = 0; i < 20'000; ++i) {
    auto start = clock_type::now();
    auto st = store.stats(tenant, "main");
    baseline_ms.push_back(ms_since(start));
    if (st.chunks != stats.chunks)
      throw std::runtime_error("statistics changed under a read");
  }

  // -- searches -----------------------------------------------------------------------------------
  for (int i = 0; i < 50; ++i) // warm-up, not counted
    (void)store.search(tenant, "main", source.query());
  std::vector<double> search_ms, exhaustive_ms;
  std::vector<double> hits_per_query;
  size_t leaked = 0, empty = 0, differing = 0;
  double slowest_ms = 0;
  std::string slowest_query;
  // The sample checked against the exhaustive search afterwards: run in between, its scans of
  // whole posting lists would evict the caches of the timed search that follows.
  std::vector<std::pair<std::string, std::vector<memory_hit>>> sample;
  for (size_t i = 0; i < s.queries; ++i) {
    auto q = source.query();
    auto start = clock_type::now();
    auto hits = store.search(tenant, "main", q, 10);
    auto ms = ms_since(start);
    search_ms.push_back(ms);
    if (ms > slowest_ms) {
      slowest_ms = ms;
      slowest_query = q;
    }
    hits_per_query.push_back(static_cast<double>(hits.size()));
    empty += hits.empty();
    for (auto& h : hits)
      leaked += h.external_id[0] != 'm'; // from the other namespace: must never happen
    if (i % (s.queries / std::min(s.queries, exhaustive_sample)) == 0)
      sample.emplace_back(q, std::move(hits));
    if ((i + 1) % 500 == 0)
      progress("ran " + std::to_string(i + 1) + "/" + std::to_string(s.queries) + " queries");
  }
  for (auto& [q, hits] : sample) {
    memory_query mq;
    mq.text = q;
    auto start_all = clock_type::now();
    auto all = store.search_exhaustively(tenant, "main", mq);
    exhaustive_ms.push_back(ms_since(start_all));
    bool same = all.size() == hits.size();
    for (size_t k = 0; same && k < all.size(); ++k)
      same = all[k].external_id == hits[k].external_id && all[k].start_ms == hits[k].start_ms &&
             all[k].score == hits[k].score;
    differing += !same;
  }
  progress("ran " + std::to_string(sample.size()) + " of them exhaustively");

  std::error_code ec;
  auto store_bytes = std::filesystem::file_size(o.dir / "data.mdb", ec);
  struct stat st {};
  auto allocated = ::stat((o.dir / "data.mdb").c_str(), &st) == 0
                       ? static_cast<double>(st.st_blocks) * 512
                       : 0.0;
  auto all_chunks = static_cast<double>(indexed_chunks);
  return {
      {"chunks", stats.chunks},
      {"videos", stats.videos},
      {"other_namespace_chunks", store.stats(tenant, "other").chunks},
      {"pending_chunks", stats.pending},
      {"average_chunk_terms", static_cast<double>(stats.total_length) / stats.chunks},
      {"vocabulary", vocabulary_size},
      {"store_mib", static_cast<double>(store_bytes) / (1 << 20)},
      {"bytes_per_chunk", static_cast<double>(store_bytes) / all_chunks},
      {"allocated_bytes_per_chunk", allocated / all_chunks},
      {"index",
       {{"sync_every_put", s.sync},
        {"seconds", load_s},
        {"chunks_per_s", all_chunks / (put_total_ms / 1000)},
        {"chunks_per_s_with_text_generation", all_chunks / load_s},
        {"put_p50_ms", percentile(put_ms, 0.50)},
        {"put_p99_ms", percentile(put_ms, 0.99)},
        {"put_max_ms", percentile(put_ms, 1.0)},
        {"final_sync_ms", final_sync_ms}}},
      {"search",
       {{"queries", s.queries},
        {"p50_ms", percentile(search_ms, 0.50)},
        {"p99_ms", percentile(search_ms, 0.99)},
        {"max_ms", slowest_ms},
        {"slowest_query", slowest_query},
        {"mean_hits", std::accumulate(hits_per_query.begin(), hits_per_query.end(), 0.0) /
                          static_cast<double>(hits_per_query.size())},
        {"queries_without_hits", empty},
        {"hits_from_other_namespace", leaked}}},
      {"exhaustive",
       {{"what", "the same queries (a sample), every posting scored"},
        {"queries", exhaustive_ms.size()},
        {"p50_ms", percentile(exhaustive_ms, 0.50)},
        {"p99_ms", percentile(exhaustive_ms, 0.99)},
        {"answers_differing_from_pruned", differing}}},
      {"baseline",
       {{"what", "read transaction + one point lookup (memory_store::stats)"},
        {"p50_ms", percentile(baseline_ms, 0.50)}}},
  };
}

} // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"Memory search benchmark: one JSON object on stdout, progress on stderr",
               "memory_bench"};
  app.add_option("--chunks", s.chunks,
                 "chunks in the searched namespace; a second namespace gets N/10 more")
      ->capture_default_str();
  app.add_option("--queries", s.queries, "searches to time")->capture_default_str();
  size_t reference_chunks_given = 0;
  auto* reference_option = app.add_option(
      "--reference", reference_chunks_given,
      "also build and search a store of N chunks first, the p99 the main one is compared "
      "with (default: --chunks / 10; 0: none)");
  app.add_option("--dir", s.dir,
                 "where the store goes (default: a temporary directory, removed after)");
  app.add_flag("--sync", s.sync, "fsync every put while loading (default: one sync at the end)");
  if (auto stop = bench::parse_options(app, argc, argv))
    return *stop;
  if (*reference_option)
    s.reference = reference_chunks_given;
  if (s.chunks < chunks_per_video || s.queries == 0) {
    std::cerr << "memory_bench: --chunks must be at least " << chunks_per_video
              << " and --queries at least 1\n";
    return 2;
  }

  std::unique_ptr<test::temp_dir> temp;
  if (s.dir.empty()) {
    temp = std::make_unique<test::temp_dir>();
    s.dir = temp->path();
  }
  auto reference_chunks = s.reference.value_or(s.chunks / 10);
  nlohmann::json reference;
  if (reference_chunks >= chunks_per_video) {
    progress("the reference store: " + std::to_string(reference_chunks) + " chunks");
    reference = measure(s, reference_chunks, s.dir / "reference");
  }
  progress("the store: " + std::to_string(s.chunks) + " chunks");
  auto out = measure(s, s.chunks, s.dir / "main");
  double p99 = out["search"]["p99_ms"];
  double bytes = out["bytes_per_chunk"];
  double rate = out["index"]["chunks_per_s"];
  bool equal = out["exhaustive"]["answers_differing_from_pruned"] == 0 &&
               out["search"]["hits_from_other_namespace"] == 0;
  nlohmann::json bounds = {
      {"p99_ms", {{"bound", bound_p99_ms}, {"holds", p99 <= bound_p99_ms}}},
      {"bytes_per_chunk",
       {{"bound", bound_bytes_per_chunk}, {"holds", bytes <= bound_bytes_per_chunk}}},
      {"chunks_per_s", {{"bound", bound_chunks_per_s}, {"holds", rate >= bound_chunks_per_s}}},
      {"pruned_equals_exhaustive", {{"holds", equal}}},
  };
  bool holds =
      p99 <= bound_p99_ms && bytes <= bound_bytes_per_chunk && rate >= bound_chunks_per_s && equal;
  if (!reference.is_null()) {
    double ref_p99 = reference["search"]["p99_ms"];
    bool scales = p99 <= bound_scaling * ref_p99;
    bounds["scaling"] = {{"what", "p99 over the p99 of the reference store (a tenth the size)"},
                         {"reference_chunks", reference["chunks"]},
                         {"reference_p99_ms", ref_p99},
                         {"ratio", p99 / ref_p99},
                         {"bound", bound_scaling},
                         {"holds", scales}};
    holds = holds && scales;
  }
  out["benchmark"] = "memory_search";
  out["reference"] = reference;
  out["bounds"] = bounds;
  out["holds"] = holds;
  std::cout << out.dump(2) << std::endl;
  return holds ? 0 : 1;
}
