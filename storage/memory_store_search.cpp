// memory_store::search: BM25 over the inverted index, document at a time with block-max
// MaxScore: terms whose best possible contribution cannot lift a chunk into the top k only
// confirm chunks the other terms found, and blocks whose bound cannot reach it are skipped
// unread. Where one term alone finds the candidates (common words), the stretch where every
// term's block is the same is scored a term at a time rather than a chunk at a time. The exhaustive
// search (every posting scored, term at a time) is kept as the reference the pruned one must equal,
// to the bit: both add a chunk's term scores in the same (sorted term) order.
#include "storage/memory_store.hpp"
#include "storage/memory_store_layout.hpp"
#include "text/phrase.hpp"
#include "text/search_query.hpp"
#include "text/snippet.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <queue>

namespace vfb {

using namespace memory_layout;

namespace {

constexpr uint64_t end_of_list = uint64_t{1} << 32; // past every chunk id

/// What a search looks for, from its text.
struct parsed_query {
  std::vector<std::string> terms; // sorted: the order scores are added in
  std::vector<std::vector<std::string>> phrases;
  uint32_t required = 0; // bit i: terms[i] is a word of a phrase, which every hit must have
};

parsed_query parse(std::string_view text) {
  auto q = text::parse_search_query(text);
  parsed_query p;
  p.terms = std::move(q.terms);
  std::sort(p.terms.begin(), p.terms.end());
  p.phrases = std::move(q.phrases);
  for (auto& phrase : p.phrases)
    for (auto& word : phrase) {
      auto at = std::lower_bound(p.terms.begin(), p.terms.end(), word);
      if (at != p.terms.end() && *at == word)
        p.required |= uint32_t{1} << (at - p.terms.begin());
    }
  return p;
}

/// The chunk ids a filter allows: sorted, disjoint ranges [begin, end), or all.
class allowed_chunks {
public:
  bool all = true;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;

  bool contains(uint64_t chunk) const { return next(chunk) == chunk; }
  /// The smallest allowed chunk id from `chunk` on; end_of_list when none.
  uint64_t next(uint64_t chunk) const {
    if (all)
      return chunk;
    auto at = std::upper_bound(ranges.begin(), ranges.end(), chunk,
                               [](uint64_t c, const auto& r) { return c < r.second; });
    if (at == ranges.end())
      return end_of_list;
    return std::max(chunk, at->first);
  }
};

using range_list = std::vector<std::pair<uint64_t, uint64_t>>;

range_list normalised(range_list r) {
  std::sort(r.begin(), r.end());
  range_list out;
  for (auto& x : r)
    if (!out.empty() && x.first <= out.back().second)
      out.back().second = std::max(out.back().second, x.second);
    else
      out.push_back(x);
  return out;
}

range_list intersect(const range_list& a, const range_list& b) {
  range_list out;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    auto lo = std::max(a[i].first, b[j].first), hi = std::min(a[i].second, b[j].second);
    if (lo < hi)
      out.emplace_back(lo, hi);
    (a[i].second < b[j].second ? i : j)++;
  }
  return out;
}

/// The videos (as chunk ranges) of the facet entries from `from` while `more(key)` holds.
template <class More>
void gather(lmdb::txn& t, const lmdb::db& facets, const std::string& from, More&& more,
            range_list& out) {
  lmdb::cursor c{t, facets};
  for (bool at = c.seek(from); at && more(c.key()); at = c.next()) {
    auto key = c.key();
    if (key.size() < 4 || c.value().size() != 4)
      throw codec::decode_error("malformed facet entry");
    uint64_t first = codec::get_be32(key, key.size() - 4);
    out.emplace_back(first, first + codec::get_be32(c.value()));
  }
}

allowed_chunks resolve(lmdb::txn& t, const tables& d, uint32_t ns, const memory_filter& f) {
  allowed_chunks a;
  if (!f.any())
    return a;
  a.all = false;
  std::vector<range_list> sets;
  auto starts_with = [](const std::string& prefix) {
    return [prefix](std::string_view key) { return key.substr(0, prefix.size()) == prefix; };
  };
  if (f.job_id) {
    auto prefix = job_facet(ns, *f.job_id);
    range_list r;
    gather(t, d.facets, prefix, starts_with(prefix), r);
    sets.push_back(normalised(std::move(r)));
  }
  if (!f.channels.empty()) {
    range_list r;
    for (auto& channel : f.channels) {
      if (channel.size() > max_identifier)
        continue; // no video can have it
      auto prefix = channel_facet(ns, channel);
      gather(t, d.facets, prefix, starts_with(prefix), r);
    }
    sets.push_back(normalised(std::move(r)));
  }
  if (!f.from_date.empty() || !f.to_date.empty()) {
    auto from = f.from_date.empty() ? 1 : parse_day(f.from_date);
    auto to = f.to_date.empty() ? UINT32_MAX : parse_day(f.to_date);
    auto days = day_facet(ns, 0).substr(0, 5); // ns | 'd'
    range_list r;
    gather(
        t, d.facets, day_facet(ns, from),
        [&](std::string_view key) {
          return key.size() >= 9 && key.substr(0, 5) == days && codec::get_be32(key, 5) <= to;
        },
        r);
    sets.push_back(normalised(std::move(r)));
  }
  a.ranges = sets.front();
  for (size_t i = 1; i < sets.size(); ++i)
    a.ranges = intersect(a.ranges, sets[i]);
  return a;
}

/// The texts of the chunks a search reads (phrases, snippets), a video at a time.
class text_reader {
public:
  text_reader(lmdb::txn& t, const tables& d, uint32_t ns) : t_(t), d_(d), ns_(ns) {}

  /// The video record holding `chunk`, with its chunks' texts.
  struct video_texts {
    uint32_t first = 0;
    text_record record;
    std::vector<chunk_info> infos;
    std::vector<std::string> texts;
  };

  const video_texts& of(uint32_t chunk) {
    if (auto at = cache_.upper_bound(chunk); at != cache_.begin()) {
      auto& v = std::prev(at)->second;
      if (chunk < v.first + v.texts.size())
        return v;
    }
    lmdb::cursor c{t_, d_.texts};
    auto want = chunk_key(ns_, chunk);
    bool at = c.seek(want);
    if (!at || c.key() != want)
      at = at ? c.prev() : c.last();
    if (!at || c.key().size() != 8 || c.key().substr(0, 4) != want.substr(0, 4))
      throw codec::decode_error("a posting names a chunk that is not stored");
    video_texts v;
    v.first = codec::get_be32(c.key(), 4);
    v.record = decode<text_record>(c.value());
    v.infos = chunk_infos(v.record);
    v.texts = chunk_texts(t_, d_, v.record);
    if (v.infos.size() != v.texts.size() || chunk >= v.first + v.texts.size())
      throw codec::decode_error("a posting names a chunk that is not stored");
    return cache_.emplace(v.first, std::move(v)).first->second;
  }

  const std::string& text(uint32_t chunk) {
    auto& v = of(chunk);
    return v.texts[chunk - v.first];
  }

private:
  lmdb::txn& t_;
  const tables& d_;
  uint32_t ns_;
  std::map<uint32_t, video_texts> cache_;
};

bool has_phrases(text_reader& texts, uint32_t chunk, const parsed_query& q) {
  if (q.phrases.empty())
    return true;
  auto& text = texts.text(chunk);
  return std::all_of(q.phrases.begin(), q.phrases.end(),
                     [&](const auto& phrase) { return text::contains_phrase(text, phrase); });
}

/// One term's postings, read a block at a time and decoded only when a chunk of the block is
/// needed.
class posting_list {
public:
  posting_list(lmdb::txn& t, const lmdb::db& postings, std::string prefix,
               const text::bm25_scorer& score, size_t index)
      : index(index), score(score), c_(t, postings), prefix_(std::move(prefix)) {}

  size_t index; // in the sorted terms
  text::bm25_scorer score;
  double upper = 0; // no posting of the term scores higher

  /// Positions at the first block of the term whose head (read already) is `h`; false when the
  /// index lacks the term.
  bool open(const term_head& h) {
    if (!c_.seek(prefix_) || c_.key() != prefix_)
      return false;
    upper = score_front::decode(h.front).best(score);
    load(c_.next());
    return true;
  }

  /// The chunk of the first posting from the list's position on (end_of_list: none), decoding
  /// postings only as far as that.
  uint64_t doc() {
    while (!at_end_) {
      if (has_current_ && current_.chunk >= lower_)
        return current_.chunk;
      if (!unpacked_)
        unpack();
      while (next_ < count_ && chunks_[next_] < lower_) // no posting before is decoded
        ++next_;
      if (decode_next())
        return current_.chunk;
      load(c_.next());
    }
    return end_of_list;
  }
  const posting& current() const { return current_; }
  void skip_past_current() { skip_to(static_cast<uint64_t>(current_.chunk) + 1); }

  /// Calls `f(chunk, tf, length)` for the postings of the block from the list's position up to
  /// chunk `until`, and goes past them: the inner loop of a search for common words, where one
  /// list finds the candidates.
  template <class F> void scan(uint64_t until, F&& f) {
    if (at_end_ || position() > until)
      return;
    until = std::min<uint64_t>(until, block_.last);
    if (!unpacked_)
      unpack();
    auto i = has_current_ && current_.chunk >= lower_ ? next_ - 1 : next_;
    while (i < count_ && chunks_[i] < lower_)
      ++i;
    for (; i < count_ && chunks_[i] <= until; ++i)
      f(chunks_[i], packed_.tf(i), packed_.length(i));
    next_ = i;
    has_current_ = false;
    skip_to(until + 1);
  }

  /// The score of the list's posting of `chunk`, 0 when it has none; for chunks in increasing
  /// order.
  double score_of(uint32_t chunk) {
    skip_to(chunk);
    return doc() == chunk ? score(current_.tf, current_.length) : 0.0;
  }

  /// Goes to the first posting from `target` on, reading block headers only.
  void skip_to(uint64_t target) {
    if (at_end_)
      return;
    lower_ = std::max(lower_, target);
    if (lower_ <= block_.last)
      return;
    if (lower_ >= end_of_list) {
      at_end_ = true;
      return;
    }
    load(c_.next()); // most skips land in the next block
    if (!at_end_ && lower_ > block_.last)
      seek_block(static_cast<uint32_t>(lower_));
  }

  /// Where the list is at least (without decoding), and its block's end and bound.
  uint64_t position() const {
    return at_end_ ? end_of_list : std::max<uint64_t>(lower_, block_.first);
  }
  uint64_t block_last() const { return at_end_ ? end_of_list : block_.last; }
  double block_upper() const { return at_end_ ? 0 : block_upper_; }

private:
  void load(bool at) {
    has_current_ = false;
    if (!at || !is_block_of(c_.key(), prefix_)) {
      at_end_ = true;
      return;
    }
    block_ = read_block_header(codec::get_be32(c_.key(), prefix_.size()), c_.value());
    block_upper_ = block_.front.best(score);
    lower_ = std::max<uint64_t>(lower_, block_.first);
    unpacked_ = false; // most blocks are skipped by their header
  }

  /// The block's chunks, the first time its postings are needed.
  void unpack() {
    packed_ = packed_postings{block_.body};
    count_ = packed_.count();
    packed_.chunks(block_.first, chunks_.data());
    next_ = 0;
    unpacked_ = true;
  }

  /// The block's next posting into `current_`; false at the block's end.
  bool decode_next() {
    if (!unpacked_)
      unpack();
    if (next_ == count_)
      return false;
    current_ = {chunks_[next_], packed_.tf(next_), packed_.length(next_)};
    ++next_;
    has_current_ = true;
    return true;
  }

  /// The block holding `target`, or else the first after it.
  void seek_block(uint32_t target) {
    auto want = prefix_;
    codec::put_be32(want, target);
    bool at = c_.seek(want);
    if (at && c_.key() == want)
      return load(true);
    bool before = at ? c_.prev() : c_.last();
    if (before && is_block_of(c_.key(), prefix_) &&
        read_block_header(codec::get_be32(c_.key(), prefix_.size()), c_.value()).last >= target)
      return load(true);
    load(at ? c_.next() : false);
  }

  lmdb::cursor c_;
  std::string prefix_;
  block_header block_;
  double block_upper_ = 0;
  bool at_end_ = false;
  uint64_t lower_ = 0; // no posting below this is wanted any more
  bool unpacked_ = false;
  packed_postings packed_; // the block's, once unpacked
  std::array<uint32_t, packed_postings::max_count> chunks_{};
  uint32_t count_ = 0, next_ = 0; // postings, and the next one to decode
  posting current_;
  bool has_current_ = false;
};

/// A hit found: its score and chunk.
struct scored {
  double score;
  uint32_t chunk;
};
/// Best first: higher score, then the chunk stored first.
bool better(const scored& a, const scored& b) {
  return a.score != b.score ? a.score > b.score : a.chunk < b.chunk;
}

/// The sum of the terms' scores in the sorted terms' order (what the exhaustive search adds).
double exact_sum(const double* contributions, size_t terms) {
  double sum = 0;
  for (size_t i = 0; i < terms; ++i)
    if (contributions[i] > 0)
      sum += contributions[i];
  return sum;
}

/// The pruned search's top k.
std::vector<scored> top_pruned(std::vector<std::unique_ptr<posting_list>>& lists, size_t terms,
                               size_t k, const allowed_chunks& allowed, const parsed_query& q,
                               text_reader& texts, const std::vector<text::bm25_scorer>& scorers,
                               const std::vector<std::vector<posting>>& pending) {
  std::sort(lists.begin(), lists.end(),
            [](const auto& a, const auto& b) { return a->upper < b->upper; });
  std::vector<double> below(lists.size()); // below[i]: the bounds of lists 0..i summed
  double sum = 0;
  for (size_t i = 0; i < lists.size(); ++i)
    below[i] = sum += lists[i]->upper;
  auto worse = [](const scored& a, const scored& b) { return better(a, b); };
  std::priority_queue<scored, std::vector<scored>, decltype(worse)> top{worse}; // top(): worst
  double threshold = -1;
  // Bounds add in another order than exact scores: a margin keeps rounding from pruning a hit.
  auto can_enter = [&](double bound) { return bound + 1e-9 * (1 + threshold) > threshold; };
  size_t essential = 0; // lists [0, essential) alone cannot lift a chunk into the top k
  std::vector<double> contributions(terms), block_bounds(terms);
  // A chunk scored in full (`term_scores`, in the sorted terms' order) goes into the top k if it
  // beats the worst there and has every phrase.
  auto offer = [&](uint32_t chunk, const double* term_scores) {
    uint32_t matched = 0;
    for (size_t i = 0; i < terms; ++i)
      if (term_scores[i] > 0)
        matched |= uint32_t{1} << i;
    scored hit{exact_sum(term_scores, terms), chunk};
    if (top.size() == k && !better(hit, top.top()))
      return;
    if ((matched & q.required) != q.required || !has_phrases(texts, hit.chunk, q))
      return;
    top.push(hit);
    if (top.size() > k)
      top.pop();
    if (top.size() == k) {
      threshold = top.top().score;
      while (essential < lists.size() && !can_enter(below[essential]))
        ++essential;
    }
  };
  // The stretch a block check last found worth reading, to `checked_until`, and there the
  // bounds of the lists' blocks summed as `below` sums the lists' bounds.
  bool checked = false;
  uint64_t checked_until = 0;
  std::vector<double> stretch_below(lists.size());
  // Where one list alone finds the candidates (the search for common words), a stretch is
  // scored a list at a time: the candidates are that list's postings that could enter with the
  // best the other lists' blocks add in the stretch, and each other list in turn drops those
  // that cannot enter even with the lists still to read, before the rest read it.
  std::vector<uint32_t> candidates;
  std::vector<double> partial, rows; // a candidate's score so far, and its terms' scores
  auto score_stretch = [&](posting_list& driver) {
    auto rest = essential == 0 ? 0.0 : stretch_below[essential - 1];
    auto floor = threshold - 1e-9 * (1 + threshold) - rest;
    candidates.clear();
    partial.clear();
    driver.scan(checked_until, [&](uint32_t chunk, uint32_t tf, uint32_t length) {
      if (!driver.score.at_most(tf, length, floor) && allowed.contains(chunk)) {
        candidates.push_back(chunk);
        partial.push_back(driver.score(tf, length));
      }
    });
    rows.assign(candidates.size() * terms, 0.0);
    for (size_t c = 0; c < candidates.size(); ++c)
      rows[c * terms + driver.index] = partial[c];
    for (size_t i = essential; i-- > 0 && !candidates.empty();) {
      auto& list = *lists[i];
      size_t kept = 0;
      for (size_t c = 0; c < candidates.size(); ++c) {
        if (!can_enter(partial[c] + stretch_below[i]))
          continue;
        auto add = list.score_of(candidates[c]);
        candidates[kept] = candidates[c];
        partial[kept] = partial[c] + add;
        if (kept != c)
          std::copy_n(&rows[c * terms], terms, &rows[kept * terms]);
        rows[kept * terms + list.index] = add;
        ++kept;
      }
      candidates.resize(kept);
      partial.resize(kept);
    }
    for (size_t c = 0; c < candidates.size(); ++c)
      offer(candidates[c], &rows[c * terms]);
  };
  while (essential < lists.size()) {
    // Skip a stretch [from, until] where every list's block together cannot reach the
    // threshold. The bound adds the blocks' bounds in the sorted terms' order, as a chunk's exact
    // score adds its terms' scores, and each term's score is at most its block's bound: so no
    // chunk's exact score exceeds it (floating-point addition is monotonic), and a chunk that
    // only ties the threshold cannot enter (it comes after the chunks in the top k).
    uint64_t from = end_of_list, until = end_of_list;
    for (size_t i = essential; i < lists.size(); ++i)
      from = std::min(from, lists[i]->position());
    if (from == end_of_list)
      break;
    if (top.size() == k && (!checked || from > checked_until)) {
      for (auto& list : lists) {
        list->skip_to(from); // non-essential lists: headers only
        until = std::min(until, list->block_last());
      }
      std::fill(block_bounds.begin(), block_bounds.end(), 0.0);
      for (auto& list : lists)
        if (list->position() <= until)
          block_bounds[list->index] = list->block_upper();
      if (until != end_of_list && exact_sum(block_bounds.data(), terms) <= threshold) {
        for (size_t i = essential; i < lists.size(); ++i)
          lists[i]->skip_to(until + 1);
        continue;
      }
      checked = true;
      checked_until = until;
      double sum = 0;
      for (size_t i = 0; i < lists.size(); ++i)
        stretch_below[i] = sum += block_bounds[lists[i]->index];
    }
    if (checked && essential + 1 == lists.size() && lists.back()->position() <= checked_until) {
      score_stretch(*lists.back());
      continue;
    }
    uint64_t d = end_of_list;
    for (size_t i = essential; i < lists.size(); ++i)
      d = std::min(d, lists[i]->doc());
    if (d == end_of_list)
      break;
    if (!allowed.contains(d)) {
      auto next = allowed.next(d);
      for (size_t i = essential; i < lists.size(); ++i)
        lists[i]->skip_to(next);
      continue;
    }
    std::fill(contributions.begin(), contributions.end(), 0.0);
    double score = 0;
    for (size_t i = essential; i < lists.size(); ++i)
      if (lists[i]->doc() == d) {
        auto& p = lists[i]->current();
        score += contributions[lists[i]->index] = lists[i]->score(p.tf, p.length);
        lists[i]->skip_past_current();
      }
    // What the other lists can add at most: their blocks' bounds within the checked stretch.
    auto& rest = checked && d <= checked_until ? stretch_below : below;
    bool pruned = false;
    for (size_t i = essential; i-- > 0;) {
      if (top.size() == k && !can_enter(score + rest[i])) {
        pruned = true;
        break;
      }
      lists[i]->skip_to(d);
      if (lists[i]->doc() == d) {
        auto& p = lists[i]->current();
        score += contributions[lists[i]->index] = lists[i]->score(p.tf, p.length);
      }
    }
    if (pruned)
      continue;
    offer(static_cast<uint32_t>(d), contributions.data());
  }
  // The pending chunks, newer than every chunk of the index: each scored in full.
  std::map<uint32_t, std::vector<double>> newest;
  for (size_t i = 0; i < terms; ++i)
    for (auto& p : pending[i]) {
      auto& c = newest[p.chunk];
      c.resize(terms);
      c[i] = scorers[i](p.tf, p.length);
    }
  for (auto& [chunk, c] : newest)
    if (allowed.contains(chunk))
      offer(chunk, c.data());
  std::vector<scored> out;
  for (; !top.empty(); top.pop())
    out.push_back(top.top());
  std::sort(out.begin(), out.end(), better);
  return out;
}

/// The exhaustive search's top k: every posting scored, term at a time.
std::vector<scored> top_exhaustive(lmdb::txn& t, const tables& d, const space_record& s,
                                   const std::vector<std::string>& terms,
                                   const std::vector<text::bm25_scorer>& scorers,
                                   const std::vector<bool>& present, size_t k,
                                   const allowed_chunks& allowed, const parsed_query& q,
                                   text_reader& texts,
                                   const std::vector<std::vector<posting>>& pending) {
  std::vector<double> scores(s.next_chunk, 0.0);
  std::vector<uint32_t> matched_terms(s.next_chunk, 0);
  std::vector<uint32_t> matched;
  lmdb::cursor c{t, d.postings};
  for (size_t i = 0; i < terms.size(); ++i) {
    if (!present[i])
      continue;
    auto score = [&](const posting& p) {
      if (p.chunk >= scores.size())
        throw codec::decode_error("a posting names a chunk the namespace never had");
      auto add = scorers[i](p.tf, p.length);
      if (add <= 0)
        return;
      if (scores[p.chunk] == 0)
        matched.push_back(p.chunk);
      scores[p.chunk] += add;
      matched_terms[p.chunk] |= uint32_t{1} << i;
    };
    auto prefix = term_prefix(s.id, terms[i]);
    if (c.seek(prefix) && c.key() == prefix)
      while (c.next() && is_block_of(c.key(), prefix))
        for_each_posting(read_block_header(codec::get_be32(c.key(), prefix.size()), c.value()),
                         score);
    for (auto& p : pending[i])
      score(p);
  }
  std::vector<scored> all;
  for (auto chunk : matched)
    all.push_back({scores[chunk], chunk});
  std::sort(all.begin(), all.end(), better);
  std::vector<scored> out;
  for (auto& hit : all) {
    if (out.size() == k)
      break;
    if (allowed.contains(hit.chunk) && (matched_terms[hit.chunk] & q.required) == q.required &&
        has_phrases(texts, hit.chunk, q))
      out.push_back(hit);
  }
  return out;
}

} // namespace

std::vector<memory_hit> memory_store::search(const std::string& tenant,
                                             const std::string& workspace, std::string_view query,
                                             size_t limit) const {
  memory_query q;
  q.text = std::string{query};
  q.limit = limit;
  return find(tenant, workspace, q, false);
}

std::vector<memory_hit> memory_store::search(const std::string& tenant,
                                             const std::string& workspace,
                                             const memory_query& q) const {
  return find(tenant, workspace, q, false);
}

std::vector<memory_hit> memory_store::search_exhaustively(const std::string& tenant,
                                                          const std::string& workspace,
                                                          const memory_query& q) const {
  return find(tenant, workspace, q, true);
}

std::vector<memory_hit> memory_store::find(const std::string& tenant, const std::string& workspace,
                                           const memory_query& mq, bool exhaustive) const {
  auto q = parse(mq.text);
  // Checked before reading, so a bad date is an error even where nothing is stored.
  parse_day(mq.filter.from_date);
  parse_day(mq.filter.to_date);
  if (q.terms.empty() || mq.limit == 0)
    return {};
  return read([&](lmdb::txn& t) {
    std::vector<memory_hit> hits;
    auto s = find_space(t, *dbs_, tenant, workspace);
    if (!s || s->stats.chunks == 0)
      return hits;
    if (s->next_chunk > UINT32_MAX)
      throw codec::decode_error("implausible chunk count");
    auto allowed = resolve(t, *dbs_, s->id, mq.filter);
    if (!allowed.all && allowed.ranges.empty())
      return hits;
    auto average = static_cast<double>(s->stats.total_length) / s->stats.chunks;
    // The postings of the pending chunks (see memory_store_layout.hpp): few, read first, as
    // they count in every term's statistics.
    std::vector<std::vector<posting>> pending(q.terms.size());
    auto ns = be32(s->id);
    lmdb::cursor pc{t, dbs_->pending};
    for (bool at = pc.seek_prefix(ns); at && pc.key().substr(0, 4) == ns; at = pc.next()) {
      if (pc.key().size() != 8)
        throw codec::decode_error("malformed pending key");
      for (size_t i = 0; i < q.terms.size(); ++i)
        pending_postings_of(pc.value(), codec::get_be32(pc.key(), 4), q.terms[i], pending[i]);
    }
    std::vector<text::bm25_scorer> scorers;
    std::vector<bool> present;
    std::vector<std::unique_ptr<posting_list>> lists;
    for (size_t i = 0; i < q.terms.size(); ++i) {
      term_head h;
      if (auto raw = dbs_->postings.get(t, term_prefix(s->id, q.terms[i])))
        h = decode<term_head>(*raw);
      auto df = h.chunks + pending[i].size();
      scorers.emplace_back(text::bm25_idf(s->stats.chunks, df), average, opts_.bm25);
      present.push_back(df > 0);
      if (df == 0) {
        if ((q.required >> i & 1) != 0)
          return hits; // a phrase's word no chunk has
        continue;
      }
      if (!exhaustive && h.chunks > 0) {
        lists.push_back(std::make_unique<posting_list>(
            t, dbs_->postings, term_prefix(s->id, q.terms[i]), scorers.back(), i));
        if (!lists.back()->open(h))
          lists.pop_back();
      }
    }
    text_reader texts{t, *dbs_, s->id};
    auto top = exhaustive ? top_exhaustive(t, *dbs_, *s, q.terms, scorers, present, mq.limit,
                                           allowed, q, texts, pending)
                          : top_pruned(lists, q.terms.size(), mq.limit, allowed, q, texts, scorers,
                                       pending);
    // Only now read texts, for the hits that are returned.
    for (auto& found : top) {
      auto& v = texts.of(found.chunk);
      auto raw = dbs_->videos.get(t, video_key(s->id, v.record.source, v.record.external_id));
      if (!raw)
        throw codec::decode_error("a chunk belongs to a video that is not stored");
      auto video = decode<video_record>(*raw);
      auto& info = v.infos[found.chunk - v.first];
      memory_hit h;
      h.job_id = video.job_id;
      h.source = v.record.source;
      h.external_id = v.record.external_id;
      h.title = std::move(video.title);
      h.url = std::move(video.url);
      if (!video.channels.empty())
        h.channel = video.channels.front();
      if (video.day != 0)
        h.upload_date = std::to_string(video.day);
      h.start_ms = info.start_ms;
      h.end_ms = info.end_ms;
      auto marked = text::marked_snippet(v.texts[found.chunk - v.first], q.terms, q.phrases);
      h.snippet = std::move(marked.text);
      for (auto& [begin, end] : marked.marks)
        h.marks.push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
      h.score = found.score;
      hits.push_back(std::move(h));
    }
    return hits;
  });
}

} // namespace vfb
