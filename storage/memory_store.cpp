// The memory store's life and writes: opening, put and remove of a video (the index work is in
// memory_store_postings.cpp), statistics and corpus counts for topics.
#include "storage/memory_store.hpp"

#include "storage/memory_store_layout.hpp"
#include "text/stemmer.hpp"

#include <iostream>
#include <set>
#include <unordered_map>

namespace vfb {

using namespace memory_layout;

memory_store::memory_store(memory_options opts)
    : lmdb::store(opts, "memory store", "memory.max_map_size_mb"), opts_(std::move(opts)),
      dbs_(std::make_unique<dbs>()) {
  if (!opts_.notice)
    opts_.notice = [](const std::string& line) { std::cerr << "vfb: " << line << std::endl; };
  rebuild_older_format(opts_);
  open(format_version, static_cast<tables&>(*dbs_), [](auto table) {
    return tables{table("namespaces"), table("videos"),  table("texts"),  table("pieces"),
                  table("postings"),   table("pending"), table("facets"), table("meta")};
  });
}

memory_store::~memory_store() = default;

void memory_store::put(const std::string& tenant, const std::string& workspace,
                       const memory_entry& entry) {
  put_many({memory_put{tenant, workspace, entry}});
}

void memory_store::put_many(const std::vector<memory_put>& puts) {
  for (auto& p : puts) {
    check_identifier("tenant", p.tenant);
    check_identifier("workspace", p.workspace);
    check_identifier("source", p.entry.source);
    check_identifier("external id", p.entry.external_id);
    for (auto& c : p.entry.channels)
      check_identifier("channel", c);
  }
  // Analysing is the slow part of a put: done once, outside the (possibly retried) transaction.
  std::vector<prepared_video> prepared;
  prepared.reserve(puts.size());
  for (auto& p : puts)
    prepared.push_back(prepare(p.entry));
  write([&](lmdb::txn& t) {
    std::map<std::string, space_record> spaces; // by namespace key, written at the end
    for (size_t i = 0; i < puts.size(); ++i) {
      auto space_key = namespace_key(puts[i].tenant, puts[i].workspace);
      auto at = spaces.find(space_key);
      if (at == spaces.end())
        at = spaces.emplace(space_key, open_space(t, *dbs_, puts[i].tenant, puts[i].workspace))
                 .first;
      auto& s = at->second;
      auto key = video_key(s.id, puts[i].entry.source, puts[i].entry.external_id);
      if (auto old = dbs_->videos.get(t, key))
        unindex_video(t, *dbs_, s, key, decode<video_record>(*old));
      index_video(t, *dbs_, s, key, prepared[i]);
      if (s.pending_chunks >= opts_.merge_chunks)
        merge_pending(t, *dbs_, s);
    }
    for (auto& [space_key, s] : spaces)
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
    // Pending videos count too: per term, the videos whose pending record has it.
    std::unordered_map<std::string, uint64_t> pending;
    std::vector<std::string> stems;
    if (only != nullptr)
      for (auto& term : *only)
        stems.push_back(text::stem(term));
    const std::set<std::string> distinct(stems.begin(), stems.end()); // "turbine", "turbines"
    auto ns = be32(s->id);
    lmdb::cursor p{t, dbs_->pending};
    std::vector<posting> found;
    for (bool at = p.seek_prefix(ns); at && p.key().substr(0, 4) == ns; at = p.next()) {
      auto first = codec::get_be32(p.key(), 4);
      if (only == nullptr) {
        for_each_pending_term(p.value(), first, [&](std::string_view term, const auto&) {
          ++pending[std::string{term}];
        });
        continue;
      }
      for (auto& stem : distinct) {
        found.clear();
        pending_postings_of(p.value(), first, stem, found);
        if (!found.empty())
          ++pending[stem];
      }
    }
    if (only != nullptr) {
      for (size_t i = 0; i < only->size(); ++i) {
        uint64_t videos = pending.count(stems[i]) ? pending[stems[i]] : 0;
        if (auto raw = dbs_->postings.get(t, term_prefix(s->id, stems[i])))
          videos += decode<term_head>(*raw).videos;
        if (videos > 0)
          out.document_frequency[(*only)[i]] = videos;
      }
      return out;
    }
    out.document_frequency = std::move(pending);
    lmdb::cursor c{t, dbs_->postings};
    for (bool at = c.seek_prefix(ns); at && c.key().substr(0, 4) == ns; at = c.next()) {
      auto k = parse_postings_key(c.key());
      if (!k.block_first) // a term's head, not one of its blocks
        out.document_frequency[std::string{k.term}] += decode<term_head>(c.value()).videos;
    }
    return out;
  });
}

memory_stats memory_store::stats(const std::string& tenant, const std::string& workspace) const {
  return read([&](lmdb::txn& t) {
    auto s = find_space(t, *dbs_, tenant, workspace);
    if (!s)
      return memory_stats{};
    auto out = s->stats;
    out.pending = s->pending_chunks;
    return out;
  });
}
void memory_store::sync() {
  sync_to_disk();
}

} // namespace vfb
