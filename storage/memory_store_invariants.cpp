// memory_store::check_invariants: rebuilds every statistic and posting from the stored chunks
// and compares them with what the index holds. For tests and repair tools; reads everything.
#include "storage/memory_store.hpp"
#include "storage/memory_store_layout.hpp"

#include <map>
#include <set>

namespace vfb {

using namespace memory_layout;

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

} // namespace vfb
