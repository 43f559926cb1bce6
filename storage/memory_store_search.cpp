// memory_store::search: BM25 over the inverted index, term at a time, reading the texts of only
// the hits it returns.
#include "storage/memory_store.hpp"
#include "storage/memory_store_layout.hpp"
#include "text/snippet.hpp"
#include "text/tokenizer.hpp"

#include <algorithm>

namespace vfb {

using namespace memory_layout;

namespace {

constexpr size_t max_query_terms = 32; // bounds the work of a pasted paragraph as query

} // namespace

std::vector<memory_hit> memory_store::search(const std::string& tenant,
                                             const std::string& workspace, std::string_view query,
                                             size_t limit) const {
  // The first max_query_terms distinct terms, sorted (neighbouring keys in turn).
  std::vector<std::string> terms;
  for (auto& term : text::content_terms(query))
    if (terms.size() < max_query_terms &&
        std::find(terms.begin(), terms.end(), term) == terms.end())
      terms.push_back(term);
  std::sort(terms.begin(), terms.end());
  if (terms.empty() || limit == 0)
    return {};
  return read([&](lmdb::txn& t) {
    std::vector<memory_hit> hits;
    auto s = find_space(t, *dbs_, tenant, workspace);
    if (!s || s->stats.chunks == 0)
      return hits;
    // Term at a time into a score per chunk id: the ids of a namespace are dense enough that an
    // array beats a hash map by far.
    if (s->next_chunk > UINT32_MAX)
      throw codec::decode_error("implausible chunk count");
    auto average = static_cast<double>(s->stats.total_length) / s->stats.chunks;
    std::vector<double> scores(s->next_chunk, 0.0);
    std::vector<uint32_t> matched;
    lmdb::cursor c{t, dbs_->postings};
    for (auto& term : terms) {
      auto prefix = term_prefix(s->id, term);
      if (!c.seek(prefix) || c.key() != prefix)
        continue; // no chunk has the term
      text::bm25_scorer score{text::bm25_idf(s->stats.chunks, decode<term_head>(c.value()).chunks),
                              average, opts_.bm25};
      while (c.next() && is_block_of(c.key(), prefix)) {
        for_each_posting(codec::get_be32(c.key(), prefix.size()), c.value(), [&](const posting& p) {
          if (p.chunk >= scores.size())
            throw codec::decode_error("a posting names a chunk the namespace never had");
          auto add = score(p.tf, p.length);
          if (add <= 0)
            return;
          if (scores[p.chunk] == 0)
            matched.push_back(p.chunk);
          scores[p.chunk] += add;
        });
      }
    }
    auto n = std::min(limit, matched.size());
    std::partial_sort(matched.begin(), matched.begin() + n, matched.end(),
                      [&](uint32_t a, uint32_t b) {
                        return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
                      });
    // Only now read texts, for the hits that are returned.
    for (size_t i = 0; i < n; ++i) {
      auto raw = dbs_->chunks.get(t, chunk_key(s->id, matched[i]));
      if (!raw)
        throw codec::decode_error("a posting names a chunk that is not stored");
      auto chunk = decode<chunk_record>(*raw);
      auto video = dbs_->videos.get(t, video_key(s->id, chunk.source, chunk.external_id));
      if (!video)
        throw codec::decode_error("a chunk belongs to a video that is not stored");
      auto v = decode<video_record>(*video);
      memory_hit h;
      h.job_id = v.job_id;
      h.source = std::move(chunk.source);
      h.external_id = std::move(chunk.external_id);
      h.title = std::move(v.title);
      h.url = std::move(v.url);
      h.start_ms = chunk.start_ms;
      h.end_ms = chunk.end_ms;
      h.snippet = text::snippet(chunk.text, terms);
      h.score = scores[matched[i]];
      hits.push_back(std::move(h));
    }
    return hits;
  });
}

} // namespace vfb
