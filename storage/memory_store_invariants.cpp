// memory_store::check_invariants: rebuilds every statistic and posting from the stored chunks
// and compares them with what the index holds. For tests and repair tools; reads everything.
#include "storage/memory_store.hpp"
#include "storage/memory_store_layout.hpp"

#include <algorithm>
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
    uint64_t pieces_used = 0;
    lmdb::cursor spaces{t, dbs_->namespaces};
    for (bool at = spaces.first(); at; at = spaces.next()) {
      auto s = decode<space_record>(spaces.value());
      auto ns = be32(s.id);
      auto where = "namespace " + std::to_string(s.id) + ": ";
      // What the chunks say the index must hold.
      memory_stats expected;
      std::map<std::string, std::map<uint32_t, posting>> postings;
      std::map<std::string, term_head> heads;
      std::set<uint32_t> firsts;
      std::set<std::string> facets;
      uint64_t pending_chunks = 0;
      lmdb::cursor videos{t, dbs_->videos};
      for (bool v = videos.seek_prefix(ns); v && videos.key().substr(0, 4) == ns;
           v = videos.next()) {
        auto video = decode<video_record>(videos.value());
        ++expected.videos;
        if (video.chunk_count == 0)
          continue;
        firsts.insert(video.first_chunk);
        for (auto& c : video.channels) {
          auto k = channel_facet(s.id, c);
          codec::put_be32(k, video.first_chunk);
          facets.insert(k);
        }
        for (auto k : {video.day != 0 ? day_facet(s.id, video.day) : std::string{},
                       job_facet(s.id, video.job_id)})
          if (!k.empty()) {
            codec::put_be32(k, video.first_chunk);
            facets.insert(k);
          }
        auto raw = dbs_->texts.get(t, chunk_key(s.id, video.first_chunk));
        if (!raw) {
          report(where + "the texts of the video at chunk " + std::to_string(video.first_chunk) +
                 " are missing");
          continue;
        }
        auto r = decode<text_record>(*raw);
        pieces_used += r.pieces;
        if (video_key(s.id, r.source, r.external_id) != videos.key())
          report(where + "the texts at chunk " + std::to_string(video.first_chunk) +
                 " name another video");
        auto infos = chunk_infos(r);
        auto texts = chunk_texts(t, *dbs_, r);
        if (infos.size() != video.chunk_count || texts.size() != video.chunk_count) {
          report(where + "the video at chunk " + std::to_string(video.first_chunk) +
                 " has texts for another number of chunks");
          continue;
        }
        std::set<std::string> video_terms;
        auto waiting = dbs_->pending.get(t, chunk_key(s.id, video.first_chunk));
        std::vector<analysed_chunk> analysed;
        if (waiting)
          pending_chunks += video.chunk_count;
        for (uint32_t i = 0; i < video.chunk_count; ++i) {
          auto id = video.first_chunk + i;
          auto a = analyse(texts[i]);
          if (a.length != infos[i].length)
            report(where + "chunk " + std::to_string(id) + " has a stale length");
          ++expected.chunks;
          expected.total_length += a.length;
          if (id >= s.next_chunk)
            report(where + "chunk " + std::to_string(id) + " is beyond the next chunk id");
          if (waiting) { // its postings are in its pending record, not in the index
            analysed.push_back(std::move(a));
            continue;
          }
          for (auto& [term, tf] : a.frequencies) {
            postings[term][id] = {id, tf, a.length};
            ++heads[term].chunks;
            video_terms.insert(term);
          }
        }
        if (waiting && *waiting != encode_pending(video.first_chunk, analysed))
          report(where + "the pending postings of the video at chunk " +
                 std::to_string(video.first_chunk) + " differ from its texts");
        for (auto& term : video_terms)
          ++heads[term].videos;
      }
      if (expected.videos != s.stats.videos || expected.chunks != s.stats.chunks ||
          expected.total_length != s.stats.total_length)
        report(where + "statistics differ from the stored videos");
      if (pending_chunks != s.pending_chunks)
        report(where + "the count of pending chunks is wrong");
      lmdb::cursor pending{t, dbs_->pending};
      for (bool c = pending.seek_prefix(ns); c && pending.key().substr(0, 4) == ns;
           c = pending.next())
        if (firsts.count(codec::get_be32(pending.key(), 4)) == 0)
          report(where + "pending postings at chunk " +
                 std::to_string(codec::get_be32(pending.key(), 4)) + " belong to no video");
      lmdb::cursor texts{t, dbs_->texts};
      for (bool c = texts.seek_prefix(ns); c && texts.key().substr(0, 4) == ns; c = texts.next())
        if (firsts.count(codec::get_be32(texts.key(), 4)) == 0)
          report(where + "texts at chunk " + std::to_string(codec::get_be32(texts.key(), 4)) +
                 " belong to no video");
      lmdb::cursor stored_facets{t, dbs_->facets};
      for (bool c = stored_facets.seek_prefix(ns); c && stored_facets.key().substr(0, 4) == ns;
           c = stored_facets.next())
        if (facets.erase(std::string{stored_facets.key()}) == 0)
          report(where + "a filter entry belongs to no video");
      if (!facets.empty())
        report(where + std::to_string(facets.size()) + " filter entries are missing");
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
          auto front = score_front::decode(h.front);
          for (auto& [id, p] : postings[term])
            if (!front.covers(p.tf, p.length)) {
              report(where + "the score bound of \"" + term + "\" is too low");
              break;
            }
          heads.erase(term);
          continue;
        }
        auto block = decode_block(*k.block_first, index.value());
        auto header = read_block_header(*k.block_first, index.value());
        if (block.empty() || block.size() > block_capacity || block.front().chunk != *k.block_first)
          report(where + "a block of \"" + term + "\" is malformed");
        bool covered = std::all_of(block.begin(), block.end(), [&](const posting& p) {
          return header.front.covers(p.tf, p.length);
        });
        if (!block.empty() && (header.last != block.back().chunk || !covered))
          report(where + "the header of a block of \"" + term + "\" is wrong");
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
    uint64_t pieces = 0;
    lmdb::cursor all_pieces{t, dbs_->pieces};
    for (bool at = all_pieces.first(); at; at = all_pieces.next())
      ++pieces;
    if (pieces != pieces_used)
      report(std::to_string(pieces) + " pieces of chunk texts are stored, " +
             std::to_string(pieces_used) + " belong to videos");
    return problems;
  });
}

} // namespace vfb
