#include "storage/memory_store.hpp"

#include "storage/codec.hpp"
#include "storage/lmdb_store.hpp"
#include "text/tokenizer.hpp"

#include <algorithm>
#include <cerrno>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

namespace vfb {

// -- layout -----------------------------------------------------------------------------------
//
// Named databases. `ns` is a namespace's 32-bit id (big-endian), `chunk` a chunk id, unique and
// increasing within its namespace (never reused, so appending postings is appending to a term's
// last block).
//   namespaces  lp16 tenant | lp16 workspace  -> ns, videos, chunks, total length, next chunk
//   videos      ns | lp16 source | lp16 id    -> job id, title, url, first chunk, chunk count
//   chunks      ns | chunk                    -> source, id, start, end, length, text
//   postings    ns | term | 0                 -> chunks with the term, videos with the term
//               ns | term | 0 | first chunk   -> block: (chunk delta, tf, chunk length)...
//   meta        name                          -> value ("format", "next_namespace")
// Terms contain no zero byte, so `ns | term | 0` starts exactly one term's range: its head (the
// document frequencies) sorts first, then its blocks in chunk order.

namespace {

struct tables {
  lmdb::db namespaces, videos, chunks, postings, meta;
};

} // namespace

struct memory_store::dbs : tables {};

namespace {

constexpr uint8_t format_version = 1;
constexpr size_t max_identifier = 200; // keeps every key below LMDB's 511-byte limit
constexpr size_t block_capacity = 128; // postings per block: a block stays well inside a page
constexpr size_t max_query_terms = 32; // bounds the work of a pasted paragraph as query

// -- keys and records -------------------------------------------------------------------------

std::string be32(uint32_t x) {
  std::string s;
  codec::put_be32(s, x);
  return s;
}

std::string namespace_key(const std::string& tenant, const std::string& workspace) {
  std::string k;
  codec::put_lp16(k, tenant);
  codec::put_lp16(k, workspace);
  return k;
}

std::string video_key(uint32_t ns, const std::string& source, const std::string& external_id) {
  auto k = be32(ns);
  codec::put_lp16(k, source);
  codec::put_lp16(k, external_id);
  return k;
}

std::string chunk_key(uint32_t ns, uint32_t chunk) {
  auto k = be32(ns);
  codec::put_be32(k, chunk);
  return k;
}

/// `ns | term | 0`: the term's head key and the prefix of its blocks.
std::string term_prefix(uint32_t ns, std::string_view term) {
  auto k = be32(ns);
  k.append(term);
  k.push_back('\0');
  return k;
}

// Every record lists its fields once (`fields`); codec::encode and codec::decode walk that list.

struct space_record {
  static constexpr const char* name = "namespace record";
  uint32_t id = 0;
  memory_stats stats;
  uint64_t next_chunk = 0;
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.id);
    f(r.stats.videos);
    f(r.stats.chunks);
    f(r.stats.total_length);
    f(r.next_chunk);
  }
};

struct video_record {
  static constexpr const char* name = "video record";
  uint64_t job_id = 0;
  std::string title, url;
  uint32_t first_chunk = 0;
  uint32_t chunk_count = 0;
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.job_id);
    f(r.title);
    f(r.url);
    f(r.first_chunk);
    f(r.chunk_count);
  }
};

struct chunk_record {
  static constexpr const char* name = "chunk record";
  std::string source, external_id;
  int64_t start_ms = 0, end_ms = 0;
  uint32_t length = 0; // content terms
  std::string text;
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.source);
    f(r.external_id);
    f(r.start_ms);
    f(r.end_ms);
    f(r.length);
    f(r.text);
  }
};

struct term_head {
  static constexpr const char* name = "term statistics";
  uint64_t chunks = 0; // chunk-level document frequency (BM25)
  uint64_t videos = 0; // video-level document frequency (topics)
  template <class Self, class F> static void fields(Self& r, F&& f) {
    f(r.chunks);
    f(r.videos);
  }
};

using codec::decode;
using codec::encode;

struct posting {
  uint32_t chunk = 0;
  uint32_t tf = 0;
  uint32_t length = 0;
};

/// Calls `f(posting)` for each posting of a block whose first chunk is `first`. This is the
/// inner loop of every search, hence the varints are decoded here without codec::reader.
template <class F> void for_each_posting(uint32_t first, std::string_view block, F&& f) {
  auto* at = reinterpret_cast<const uint8_t*>(block.data());
  auto* end = at + block.size();
  auto varint = [&]() -> uint32_t {
    uint32_t x = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (at == end)
        throw codec::decode_error("truncated posting block");
      auto b = *at++;
      x |= static_cast<uint32_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        return x;
    }
    throw codec::decode_error("malformed posting block");
  };
  posting p;
  p.chunk = first;
  while (at != end) {
    p.chunk += varint();
    p.tf = varint();
    p.length = varint();
    f(p);
  }
}

std::vector<posting> decode_block(uint32_t first, std::string_view block) {
  std::vector<posting> out;
  for_each_posting(first, block, [&](const posting& p) { out.push_back(p); });
  return out;
}

/// Encodes postings [begin, end) as one block keyed by the first one's chunk.
std::string encode_block(std::vector<posting>::const_iterator begin,
                         std::vector<posting>::const_iterator end) {
  codec::writer w;
  auto previous = begin->chunk;
  for (auto p = begin; p != end; ++p) {
    w.varint(p->chunk - previous);
    w.varint(p->tf);
    w.varint(p->length);
    previous = p->chunk;
  }
  return std::move(w.buffer());
}

/// Where a postings key belongs: its term, and whether it is the term's head or a block.
struct postings_key {
  std::string_view term;
  std::optional<uint32_t> block_first; // none: the head
};

postings_key parse_postings_key(std::string_view key) {
  auto rest = key.substr(4);
  auto end = rest.find('\0');
  if (end == std::string_view::npos)
    throw codec::decode_error("malformed postings key");
  postings_key k{rest.substr(0, end), std::nullopt};
  auto tail = rest.substr(end + 1);
  if (tail.size() == 4)
    k.block_first = codec::get_be32(tail);
  else if (!tail.empty())
    throw codec::decode_error("malformed postings key");
  return k;
}

// -- analysis ---------------------------------------------------------------------------------

/// A chunk as the index sees it: how long it is and how often each term occurs.
struct analysed_chunk {
  uint32_t length = 0;
  std::map<std::string, uint32_t> frequencies;
};

analysed_chunk analyse(std::string_view text) {
  analysed_chunk a;
  for (auto& term : text::content_terms(text)) {
    ++a.frequencies[term];
    ++a.length;
  }
  return a;
}

void check_identifier(const char* what, const std::string& value) {
  if (value.size() > max_identifier)
    throw std::invalid_argument(std::string{"memory: "} + what + " is longer than " +
                                std::to_string(max_identifier) + " bytes");
}

// -- writing ----------------------------------------------------------------------------------

bool is_block_of(std::string_view key, const std::string& prefix) {
  return key.size() == prefix.size() + 4 && key.substr(0, prefix.size()) == prefix;
}

/// Stores `postings` (ascending chunks) as blocks of up to block_capacity, each keyed by its
/// first chunk.
void put_blocks(lmdb::txn& t, const lmdb::db& db, const std::string& prefix,
                const std::vector<posting>& postings) {
  for (auto begin = postings.begin(); begin != postings.end();) {
    auto end = begin + std::min<std::ptrdiff_t>(block_capacity, postings.end() - begin);
    auto key = prefix;
    codec::put_be32(key, begin->chunk);
    db.put(t, key, encode_block(begin, end));
    begin = end;
  }
}

/// Appends postings whose chunks are above every chunk the term has: they fill up the term's
/// last block, then start new ones.
void append_postings(lmdb::txn& t, const lmdb::db& db, const std::string& prefix,
                     const std::vector<posting>& added) {
  std::vector<posting> postings;
  {
    lmdb::cursor c{t, db};
    auto past = prefix;
    past.back() = '\x01'; // just past the term's range
    bool at = c.seek(past) ? c.prev() : c.last();
    if (at && is_block_of(c.key(), prefix)) {
      auto last = decode_block(codec::get_be32(c.key(), prefix.size()), c.value());
      if (last.size() < block_capacity)
        postings = std::move(last); // rewritten under the same key below
    }
  }
  postings.insert(postings.end(), added.begin(), added.end());
  put_blocks(t, db, prefix, postings);
}

/// Removes the postings of `chunks` (ascending) from a term's blocks. A posting that is not
/// there is skipped: removal must work on an index it is repairing, too.
void remove_postings(lmdb::txn& t, const lmdb::db& db, const std::string& prefix,
                     const std::vector<uint32_t>& chunks) {
  for (size_t i = 0; i < chunks.size();) {
    std::string key;
    std::vector<posting> block;
    {
      lmdb::cursor c{t, db};
      auto want = prefix;
      codec::put_be32(want, chunks[i]);
      bool at = c.seek(want);
      if (!at || c.key() != want)
        at = at ? c.prev() : c.last(); // the block that starts below the chunk
      if (!at || !is_block_of(c.key(), prefix)) {
        ++i;
        continue;
      }
      key = std::string{c.key()};
      block = decode_block(codec::get_be32(key, prefix.size()), c.value());
    }
    auto start = i;
    std::vector<posting> kept;
    for (auto& p : block) {
      while (i < chunks.size() && chunks[i] < p.chunk)
        ++i; // not in this block: missing
      if (i < chunks.size() && chunks[i] == p.chunk)
        ++i;
      else
        kept.push_back(p);
    }
    if (i == start) {
      ++i; // the chunk lies past this block's last posting: missing
      continue;
    }
    db.del(t, key);
    put_blocks(t, db, prefix, kept);
  }
}

/// Adds to a term's document frequencies; a term no chunk has any more loses its head.
void adjust_head(lmdb::txn& t, const lmdb::db& db, const std::string& prefix, int64_t chunks,
                 int64_t videos) {
  term_head h;
  if (auto raw = db.get(t, prefix))
    h = decode<term_head>(*raw);
  auto add = [](uint64_t& x, int64_t d) {
    x = d < 0 && static_cast<uint64_t>(-d) > x ? 0 : x + static_cast<uint64_t>(d);
  };
  add(h.chunks, chunks);
  add(h.videos, videos);
  if (h.chunks == 0)
    db.del(t, prefix);
  else
    db.put(t, prefix, encode(h));
}

void subtract(uint64_t& x, uint64_t d) {
  x = d > x ? 0 : x - d;
}

std::optional<space_record> find_space(lmdb::txn& t, const tables& d, const std::string& tenant,
                                       const std::string& workspace) {
  auto raw = d.namespaces.get(t, namespace_key(tenant, workspace));
  if (!raw)
    return std::nullopt;
  return decode<space_record>(*raw);
}

/// The namespace's record; a new namespace gets the next id.
space_record open_space(lmdb::txn& t, const tables& d, const std::string& tenant,
                        const std::string& workspace) {
  if (auto s = find_space(t, d, tenant, workspace))
    return *s;
  space_record s;
  auto next = d.meta.get(t, "next_namespace");
  s.id = next ? codec::get_be32(*next) : 0;
  if (s.id == UINT32_MAX)
    throw std::length_error("memory: no namespace ids left");
  d.meta.put(t, "next_namespace", be32(s.id + 1));
  return s;
}

/// Removes a stored video: its chunks, their postings, and their share of the statistics.
void unindex_video(lmdb::txn& t, const tables& d, space_record& s, const std::string& key,
                   const video_record& v) {
  std::map<std::string, std::vector<uint32_t>> by_term; // sorted: neighbouring keys in turn
  for (uint32_t i = 0; i < v.chunk_count; ++i) {
    auto id = v.first_chunk + i;
    auto ck = chunk_key(s.id, id);
    auto raw = d.chunks.get(t, ck);
    if (!raw)
      continue;
    auto c = decode<chunk_record>(*raw);
    for (auto& f : analyse(c.text).frequencies)
      by_term[f.first].push_back(id);
    subtract(s.stats.chunks, 1);
    subtract(s.stats.total_length, c.length);
    d.chunks.del(t, ck);
  }
  for (auto& [term, chunks] : by_term) {
    auto prefix = term_prefix(s.id, term);
    remove_postings(t, d.postings, prefix, chunks);
    adjust_head(t, d.postings, prefix, -static_cast<int64_t>(chunks.size()), -1);
  }
  subtract(s.stats.videos, 1);
  d.videos.del(t, key);
}

/// Stores a video's chunks under new chunk ids and indexes them.
void index_video(lmdb::txn& t, const tables& d, space_record& s, const std::string& key,
                 const memory_entry& e, const std::vector<analysed_chunk>& analysed) {
  if (s.next_chunk + e.chunks.size() > UINT32_MAX)
    throw std::length_error("memory: the namespace has used up its chunk ids");
  video_record v{e.job_id, e.title, e.url, static_cast<uint32_t>(s.next_chunk),
                 static_cast<uint32_t>(e.chunks.size())};
  std::map<std::string, std::vector<posting>> by_term;
  for (size_t i = 0; i < e.chunks.size(); ++i) {
    auto id = static_cast<uint32_t>(v.first_chunk + i);
    auto& a = analysed[i];
    chunk_record c{e.source,           e.external_id, e.chunks[i].start_ms,
                   e.chunks[i].end_ms, a.length,      e.chunks[i].text};
    d.chunks.put(t, chunk_key(s.id, id), encode(c));
    for (auto& [term, tf] : a.frequencies)
      by_term[term].push_back({id, tf, a.length});
    s.stats.total_length += a.length;
  }
  for (auto& [term, postings] : by_term) {
    auto prefix = term_prefix(s.id, term);
    append_postings(t, d.postings, prefix, postings);
    adjust_head(t, d.postings, prefix, static_cast<int64_t>(postings.size()), 1);
  }
  s.stats.chunks += e.chunks.size();
  s.stats.videos += 1;
  s.next_chunk += e.chunks.size();
  d.videos.put(t, key, encode(v));
}

} // namespace

// -- memory_store -----------------------------------------------------------------------------

memory_store::memory_store(memory_options opts) : opts_(std::move(opts)) {
  dbs_ = std::make_unique<dbs>();
  env_ = lmdb::open_store<memory_error>(site(), opts_.sync, opts_.initial_map_size, format_version,
                                        static_cast<tables&>(*dbs_), [](auto open) {
                                          return tables{open("namespaces"), open("videos"),
                                                        open("chunks"), open("postings"),
                                                        open("meta")};
                                        });
}

memory_store::~memory_store() = default;

lmdb::store_site memory_store::site() const {
  return {"memory store", opts_.dir, opts_.read_only, opts_.max_map_size, "memory.max_map_size_mb"};
}

template <class F> auto memory_store::read(F&& f) const {
  return lmdb::guarded_read<memory_error>(*env_, resize_, site(), f);
}

template <class F> void memory_store::write(F&& f) {
  lmdb::guarded_write<memory_error>(*env_, resize_, site(), f);
}

void memory_store::put(const std::string& tenant, const std::string& workspace,
                       const memory_entry& entry) {
  check_identifier("tenant", tenant);
  check_identifier("workspace", workspace);
  check_identifier("source", entry.source);
  check_identifier("external id", entry.external_id);
  // Tokenising is the slow part of a put: done once, outside the (possibly retried) transaction.
  std::vector<analysed_chunk> analysed;
  analysed.reserve(entry.chunks.size());
  for (auto& c : entry.chunks)
    analysed.push_back(analyse(c.text));
  auto space_key = namespace_key(tenant, workspace);
  write([&](lmdb::txn& t) {
    auto s = open_space(t, *dbs_, tenant, workspace);
    auto key = video_key(s.id, entry.source, entry.external_id);
    if (auto old = dbs_->videos.get(t, key))
      unindex_video(t, *dbs_, s, key, decode<video_record>(*old));
    index_video(t, *dbs_, s, key, entry, analysed);
    dbs_->namespaces.put(t, space_key, encode(s));
  });
}

bool memory_store::remove(const std::string& tenant, const std::string& workspace,
                          const std::string& source, const std::string& external_id) {
  check_identifier("tenant", tenant);
  check_identifier("workspace", workspace);
  check_identifier("source", source);
  check_identifier("external id", external_id);
  bool removed = false;
  write([&](lmdb::txn& t) {
    removed = false;
    auto s = find_space(t, *dbs_, tenant, workspace);
    if (!s)
      return;
    auto key = video_key(s->id, source, external_id);
    auto old = dbs_->videos.get(t, key);
    if (!old)
      return;
    unindex_video(t, *dbs_, *s, key, decode<video_record>(*old));
    dbs_->namespaces.put(t, namespace_key(tenant, workspace), encode(*s));
    removed = true;
  });
  return removed;
}

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
      h.snippet = memory_snippet(chunk.text, terms);
      h.score = scores[matched[i]];
      hits.push_back(std::move(h));
    }
    return hits;
  });
}

text::corpus_stats memory_store::corpus(const std::string& tenant,
                                        const std::string& workspace) const {
  return corpus_of(tenant, workspace, nullptr);
}

text::corpus_stats memory_store::corpus(const std::string& tenant, const std::string& workspace,
                                        const std::vector<std::string>& terms) const {
  return corpus_of(tenant, workspace, &terms);
}

text::corpus_stats memory_store::corpus_of(const std::string& tenant, const std::string& workspace,
                                           const std::vector<std::string>* only) const {
  return read([&](lmdb::txn& t) {
    text::corpus_stats out;
    auto s = find_space(t, *dbs_, tenant, workspace);
    if (!s)
      return out;
    out.documents = s->stats.videos;
    if (only != nullptr) {
      for (auto& term : *only)
        if (auto raw = dbs_->postings.get(t, term_prefix(s->id, term)))
          out.document_frequency[term] = decode<term_head>(*raw).videos;
      return out;
    }
    auto ns = be32(s->id);
    lmdb::cursor c{t, dbs_->postings};
    for (bool at = c.seek_prefix(ns); at && c.key().substr(0, 4) == ns; at = c.next()) {
      auto k = parse_postings_key(c.key());
      if (!k.block_first) // a term's head, not one of its blocks
        out.document_frequency[std::string{k.term}] = decode<term_head>(c.value()).videos;
    }
    return out;
  });
}

memory_stats memory_store::stats(const std::string& tenant, const std::string& workspace) const {
  return read([&](lmdb::txn& t) {
    auto s = find_space(t, *dbs_, tenant, workspace);
    return s ? s->stats : memory_stats{};
  });
}

void memory_store::sync() {
  try {
    env_->sync(true);
  } catch (const lmdb::error& e) {
    lmdb::throw_store_error<memory_error>(e, site());
  }
}

std::vector<std::string> memory_store::check_invariants() const {
  return read([&](lmdb::txn& t) {
    std::vector<std::string> problems;
    auto report = [&](const std::string& what) {
      if (problems.size() < 100)
        problems.push_back(what);
    };
    lmdb::cursor spaces{t, dbs_->namespaces};
    for (bool at = spaces.first(); at; at = spaces.next()) {
      auto s = decode<space_record>(spaces.value());
      auto ns = be32(s.id);
      auto where = "namespace " + std::to_string(s.id) + ": ";
      // What the chunks say the index must hold.
      memory_stats expected;
      std::map<std::string, std::map<uint32_t, posting>> postings;
      std::map<std::string, term_head> heads;
      std::set<uint32_t> owned;
      lmdb::cursor videos{t, dbs_->videos};
      for (bool v = videos.seek_prefix(ns); v && videos.key().substr(0, 4) == ns;
           v = videos.next()) {
        auto video = decode<video_record>(videos.value());
        ++expected.videos;
        std::set<std::string> video_terms;
        for (uint32_t i = 0; i < video.chunk_count; ++i) {
          auto id = video.first_chunk + i;
          auto raw = dbs_->chunks.get(t, chunk_key(s.id, id));
          if (!raw) {
            report(where + "chunk " + std::to_string(id) + " of a video is missing");
            continue;
          }
          auto c = decode<chunk_record>(*raw);
          if (video_key(s.id, c.source, c.external_id) != videos.key())
            report(where + "chunk " + std::to_string(id) + " names another video");
          owned.insert(id);
          auto a = analyse(c.text);
          if (a.length != c.length)
            report(where + "chunk " + std::to_string(id) + " has a stale length");
          ++expected.chunks;
          expected.total_length += a.length;
          for (auto& [term, tf] : a.frequencies) {
            postings[term][id] = {id, tf, a.length};
            ++heads[term].chunks;
            video_terms.insert(term);
          }
        }
        for (auto& term : video_terms)
          ++heads[term].videos;
      }
      if (expected.videos != s.stats.videos || expected.chunks != s.stats.chunks ||
          expected.total_length != s.stats.total_length)
        report(where + "statistics differ from the stored videos");
      lmdb::cursor chunks{t, dbs_->chunks};
      for (bool c = chunks.seek_prefix(ns); c && chunks.key().substr(0, 4) == ns;
           c = chunks.next()) {
        auto id = codec::get_be32(chunks.key(), 4);
        if (owned.count(id) == 0)
          report(where + "chunk " + std::to_string(id) + " belongs to no video");
        if (id >= s.next_chunk)
          report(where + "chunk " + std::to_string(id) + " is beyond the next chunk id");
      }
      // What the index holds.
      lmdb::cursor index{t, dbs_->postings};
      for (bool p = index.seek_prefix(ns); p && index.key().substr(0, 4) == ns; p = index.next()) {
        auto k = parse_postings_key(index.key());
        std::string term{k.term};
        if (!k.block_first) {
          auto h = decode<term_head>(index.value());
          auto want = heads.count(term) ? heads[term] : term_head{};
          if (h.chunks != want.chunks || h.videos != want.videos)
            report(where + "document frequencies of \"" + term + "\" are wrong");
          heads.erase(term);
          continue;
        }
        auto block = decode_block(*k.block_first, index.value());
        if (block.empty() || block.size() > block_capacity || block.front().chunk != *k.block_first)
          report(where + "a block of \"" + term + "\" is malformed");
        auto& want = postings[term];
        for (auto& p : block) {
          auto it = want.find(p.chunk);
          if (it == want.end() || it->second.tf != p.tf || it->second.length != p.length)
            report(where + "posting of \"" + term + "\" in chunk " + std::to_string(p.chunk) +
                   " is wrong");
          else
            want.erase(it);
        }
      }
      for (auto& [term, h] : heads)
        report(where + "\"" + term + "\" has no document frequencies");
      for (auto& [term, rest] : postings)
        for (auto& [id, p] : rest)
          report(where + "\"" + term + "\" lacks the posting of chunk " + std::to_string(id));
    }
    return problems;
  });
}

// -- snippets ---------------------------------------------------------------------------------

std::string memory_snippet(std::string_view text, const std::vector<std::string>& terms,
                           size_t width) {
  auto tokens = text::tokenize(text);
  if (tokens.empty())
    return {};
  auto is_query_term = [&](const text::token& tok) {
    return std::find(terms.begin(), terms.end(), tok.term) != terms.end();
  };
  auto end_of = [&](size_t i) { return tokens[i].offset + tokens[i].length; };
  size_t match = 0;
  while (match < tokens.size() && !is_query_term(tokens[match]))
    ++match;
  if (match == tokens.size())
    match = 0;
  // Some words of context before the match (up to a quarter of the width), then as many after
  // as fit; when the text ends first, more before.
  size_t first = match;
  while (first > 0 && tokens[match].offset - tokens[first - 1].offset <= width / 4)
    --first;
  size_t last = match;
  while (last + 1 < tokens.size() && end_of(last + 1) - tokens[first].offset <= width)
    ++last;
  while (first > 0 && end_of(last) - tokens[first - 1].offset <= width)
    --first;
  // Keep punctuation that closes the last word ("end." rather than "end").
  auto stop = end_of(last);
  while (stop < text.size() &&
         std::string_view{".,;:!?)\"'"}.find(text[stop]) != std::string_view::npos)
    ++stop;
  std::string out;
  if (first > 0)
    out += "… ";
  bool space = false;
  for (auto ch : text.substr(tokens[first].offset, stop - tokens[first].offset)) {
    bool blank = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
    if (blank) {
      space = true;
      continue;
    }
    if (space)
      out.push_back(' ');
    space = false;
    out.push_back(ch);
  }
  if (last + 1 < tokens.size())
    out += " …";
  return out;
}

} // namespace vfb
