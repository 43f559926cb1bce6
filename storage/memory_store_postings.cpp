// The memory store's writes to its inverted index: storing and removing a video's chunks and
// keeping each term's blocks of postings and document frequencies in step with them. Why blocks:
// see the file comment of memory_store.hpp.
#include "storage/memory_store_layout.hpp"

namespace vfb::memory_layout {

namespace {

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

/// Adds to a term's document frequencies and widens its score bounds to `added`; a term no
/// chunk has any more loses its head.
void adjust_head(lmdb::txn& t, const lmdb::db& db, const std::string& prefix, int64_t chunks,
                 int64_t videos, const std::vector<posting>& added = {}) {
  term_head h;
  if (auto raw = db.get(t, prefix))
    h = decode<term_head>(*raw);
  auto add = [](uint64_t& x, int64_t d) {
    x = d < 0 && static_cast<uint64_t>(-d) > x ? 0 : x + static_cast<uint64_t>(d);
  };
  add(h.chunks, chunks);
  add(h.videos, videos);
  if (!added.empty()) {
    auto front = score_front::decode(h.front);
    for (auto& p : added)
      front.add(p.tf, p.length);
    h.front = front.encode();
  }
  if (h.chunks == 0)
    db.del(t, prefix);
  else
    db.put(t, prefix, encode(h));
}

/// Every facet key of a video (each + its first chunk).
std::vector<std::string> facet_keys(uint32_t ns, const video_record& v) {
  std::vector<std::string> keys;
  for (auto& c : v.channels)
    keys.push_back(channel_facet(ns, c));
  if (v.day != 0)
    keys.push_back(day_facet(ns, v.day));
  keys.push_back(job_facet(ns, v.job_id));
  for (auto& k : keys)
    codec::put_be32(k, v.first_chunk);
  return keys;
}

void subtract(uint64_t& x, uint64_t d) {
  x = d > x ? 0 : x - d;
}

} // namespace

std::optional<space_record> find_space(lmdb::txn& t, const tables& d, const std::string& tenant,
                                       const std::string& workspace) {
  auto raw = d.namespaces.get(t, namespace_key(tenant, workspace));
  if (!raw)
    return std::nullopt;
  return decode<space_record>(*raw);
}

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

void unindex_video(lmdb::txn& t, const tables& d, space_record& s, const std::string& key,
                   const video_record& v) {
  if (v.chunk_count == 0) {
    // It stored nothing under its first chunk id: the next video's chunks start there.
    subtract(s.stats.videos, 1);
    d.videos.del(t, key);
    return;
  }
  std::map<std::string, std::vector<uint32_t>> by_term; // sorted: neighbouring keys in turn
  auto tk = chunk_key(s.id, v.first_chunk);
  // A video still pending has no postings in the index: its pending record is all there is.
  bool pending = d.pending.del(t, tk);
  if (pending)
    subtract(s.pending_chunks, v.chunk_count);
  if (auto raw = d.texts.get(t, tk)) {
    auto r = decode<text_record>(*raw);
    auto infos = chunk_infos(r);
    auto texts = chunk_texts(t, d, r);
    if (texts.size() != infos.size())
      throw codec::decode_error("a text record's texts and chunks differ in number");
    for (uint32_t i = 0; i < texts.size(); ++i) {
      auto id = v.first_chunk + i;
      if (!pending)
        for (auto& f : analyse(texts[i]).frequencies)
          by_term[f.first].push_back(id);
      subtract(s.stats.chunks, 1);
      subtract(s.stats.total_length, infos[i].length);
    }
    drop_texts(t, d, r);
    d.texts.del(t, tk);
  }
  for (auto& [term, chunks] : by_term) {
    auto prefix = term_prefix(s.id, term);
    remove_postings(t, d.postings, prefix, chunks);
    adjust_head(t, d.postings, prefix, -static_cast<int64_t>(chunks.size()), -1);
  }
  for (auto& k : facet_keys(s.id, v))
    d.facets.del(t, k);
  subtract(s.stats.videos, 1);
  d.videos.del(t, key);
}

prepared_video prepare(const memory_entry& e) {
  prepared_video v;
  v.entry = &e;
  v.day = parse_day(e.upload_date);
  v.analysed.reserve(e.chunks.size());
  for (auto& c : e.chunks)
    v.analysed.push_back(analyse(c.text));
  return v;
}

void index_video(lmdb::txn& t, const tables& d, space_record& s, const std::string& key,
                 const prepared_video& pv) {
  auto& e = *pv.entry;
  if (s.next_chunk + e.chunks.size() > UINT32_MAX)
    throw std::length_error("memory: the namespace has used up its chunk ids");
  video_record v{e.job_id,
                 e.title,
                 e.url,
                 static_cast<uint32_t>(s.next_chunk),
                 static_cast<uint32_t>(e.chunks.size()),
                 e.channels,
                 pv.day};
  if (!e.chunks.empty()) {
    std::vector<uint32_t> lengths;
    for (auto& a : pv.analysed) {
      lengths.push_back(a.length);
      s.stats.total_length += a.length;
    }
    auto tk = chunk_key(s.id, v.first_chunk);
    d.texts.put(t, tk, encode(store_texts(t, d, e.source, e.external_id, e.chunks, lengths)));
    d.pending.put(t, tk, encode_pending(v.first_chunk, pv.analysed));
    std::string count;
    codec::put_be32(count, v.chunk_count);
    for (auto& k : facet_keys(s.id, v))
      d.facets.put(t, k, count);
  }
  s.stats.chunks += e.chunks.size();
  s.stats.videos += 1;
  s.next_chunk += e.chunks.size();
  s.pending_chunks += e.chunks.size();
  d.videos.put(t, key, encode(v));
}

void merge_pending(lmdb::txn& t, const tables& d, space_record& s) {
  // term -> (postings in chunk order, videos with the term)
  std::map<std::string, std::pair<std::vector<posting>, int64_t>> by_term;
  std::vector<std::string> merged;
  auto ns = be32(s.id);
  {
    lmdb::cursor c{t, d.pending};
    for (bool at = c.seek_prefix(ns); at && c.key().substr(0, 4) == ns; at = c.next()) {
      if (c.key().size() != 8)
        throw codec::decode_error("malformed pending key");
      for_each_pending_term(c.value(), codec::get_be32(c.key(), 4),
                            [&](std::string_view term, const std::vector<posting>& postings) {
                              auto& slot = by_term[std::string{term}];
                              slot.first.insert(slot.first.end(), postings.begin(), postings.end());
                              ++slot.second;
                            });
      merged.emplace_back(c.key());
    }
  }
  for (auto& [term, slot] : by_term) {
    auto prefix = term_prefix(s.id, term);
    append_postings(t, d.postings, prefix, slot.first);
    adjust_head(t, d.postings, prefix, static_cast<int64_t>(slot.first.size()), slot.second,
                slot.first);
  }
  for (auto& k : merged)
    d.pending.del(t, k);
  s.pending_chunks = 0;
}

} // namespace vfb::memory_layout
