// The memory store's life and writes: opening, put and remove of a video (the index work is in
// memory_store_postings.cpp), statistics and corpus counts for topics.
#include "storage/memory_store.hpp"

#include "storage/memory_store_layout.hpp"

namespace vfb {

using namespace memory_layout;

memory_store::memory_store(memory_options opts)
    : lmdb::store(opts, "memory store", "memory.max_map_size_mb"), opts_(std::move(opts)),
      dbs_(std::make_unique<dbs>()) {
  open(format_version, static_cast<tables&>(*dbs_), [](auto table) {
    return tables{table("namespaces"), table("videos"), table("chunks"), table("postings"),
                  table("meta")};
  });
}

memory_store::~memory_store() = default;

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
  sync_to_disk();
}

} // namespace vfb
