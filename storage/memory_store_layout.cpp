// The memory store's keys, posting blocks and chunk analysis: see memory_store_layout.hpp.
#include "storage/memory_store_layout.hpp"

#include "text/stemmer.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <new>
#include <zstd.h>

namespace vfb::memory_layout {

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

namespace {

std::string facet_key(uint32_t ns, char kind) {
  auto k = be32(ns);
  k.push_back(kind);
  return k;
}

} // namespace

std::string channel_facet(uint32_t ns, std::string_view channel) {
  auto k = facet_key(ns, 'c');
  codec::put_lp16(k, channel);
  return k;
}

std::string day_facet(uint32_t ns, uint32_t day) {
  auto k = facet_key(ns, 'd');
  codec::put_be32(k, day);
  return k;
}

std::string job_facet(uint32_t ns, uint64_t job_id) {
  auto k = facet_key(ns, 'j');
  codec::put_be64(k, job_id);
  return k;
}

uint32_t parse_day(std::string_view d) {
  if (d.empty())
    return 0;
  bool digits =
      d.size() == 8 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  auto number = digits ? static_cast<uint32_t>(std::stoul(std::string{d})) : 0;
  auto month = number / 100 % 100, day = number % 100;
  if (!digits || month < 1 || month > 12 || day < 1 || day > 31)
    throw std::invalid_argument("not a date (YYYYMMDD): \"" + std::string{d} + "\"");
  return number;
}

std::string term_prefix(uint32_t ns, std::string_view term) {
  auto k = be32(ns);
  k.append(term);
  k.push_back('\0');
  return k;
}

bool is_block_of(std::string_view key, const std::string& prefix) {
  return key.size() == prefix.size() + 4 && key.substr(0, prefix.size()) == prefix;
}

void score_front::add(uint32_t tf, uint32_t length) {
  if (covers(tf, length))
    return;
  // Out go the points the new one beats; in it goes, in order (tf falling).
  size_t kept = 0, at = 0;
  for (size_t i = 0; i < size; ++i)
    if (!(points[i].first <= tf && points[i].second >= length)) {
      points[kept++] = points[i];
      if (points[kept - 1].first >= tf)
        at = kept;
    }
  size = kept;
  for (size_t i = size; i > at; --i)
    points[i] = points[i - 1];
  points[at] = {tf, length};
  ++size;
  if (size > max_points) {
    // Join the neighbours closest to each other (relative to their size): the smallest rise.
    size_t best = 0;
    double least = 0;
    for (size_t i = 0; i + 1 < size; ++i) {
      auto& a = points[i];
      auto& b = points[i + 1];
      double rise = static_cast<double>(a.first - b.first) / a.first +
                    static_cast<double>(a.second - b.second) / std::max<uint32_t>(a.second, 1);
      if (i == 0 || rise < least) {
        least = rise;
        best = i;
      }
    }
    points[best].second = points[best + 1].second;
    for (size_t i = best + 1; i + 1 < size; ++i)
      points[i] = points[i + 1];
    --size;
  }
}

bool score_front::covers(uint32_t tf, uint32_t length) const {
  for (size_t i = 0; i < size; ++i)
    if (points[i].first >= tf && points[i].second <= length)
      return true;
  return false;
}

void score_front::write(codec::writer& w) const {
  w.varint(size);
  for (size_t i = 0; i < size; ++i) {
    w.varint(points[i].first);
    w.varint(points[i].second);
  }
}

std::string score_front::encode() const {
  codec::writer w;
  write(w);
  return std::move(w.buffer());
}

score_front score_front::read(const uint8_t*& at, const uint8_t* end) {
  score_front f;
  auto n = read_varint(at, end);
  if (n > max_points)
    throw codec::decode_error("malformed score bound");
  for (uint32_t i = 0; i < n; ++i) {
    auto tf = read_varint(at, end);
    f.points[f.size++] = {tf, read_varint(at, end)};
  }
  return f;
}

score_front score_front::decode(std::string_view packed) {
  if (packed.empty())
    return {};
  auto* at = reinterpret_cast<const uint8_t*>(packed.data());
  return read(at, at + packed.size());
}

block_header read_block_header(uint32_t first, std::string_view block) {
  auto* at = reinterpret_cast<const uint8_t*>(block.data());
  auto* end = at + block.size();
  block_header h;
  h.first = first;
  h.last = first + read_varint(at, end);
  h.front = score_front::read(at, end);
  h.body = block.substr(static_cast<size_t>(at - reinterpret_cast<const uint8_t*>(block.data())));
  return h;
}

std::vector<posting> decode_block(uint32_t first, std::string_view block) {
  std::vector<posting> out;
  for_each_posting(read_block_header(first, block), [&](const posting& p) { out.push_back(p); });
  return out;
}

namespace {

/// Bits to hold `x` (0 for 0).
unsigned bit_width(uint32_t x) {
  return x == 0 ? 0 : 32 - static_cast<unsigned>(__builtin_clz(x));
}

/// Appends `values` packed at `width` bits each, little-endian, padded to a byte.
void pack(std::string& out, const std::vector<uint32_t>& values, unsigned width) {
  uint64_t buffer = 0;
  unsigned held = 0;
  for (auto v : values) {
    buffer |= uint64_t{v} << held;
    held += width;
    for (; held >= 8; held -= 8, buffer >>= 8)
      out.push_back(static_cast<char>(buffer & 0xff));
  }
  if (held > 0)
    out.push_back(static_cast<char>(buffer & 0xff));
}

size_t packed_bytes(size_t values, unsigned width) {
  return (values * width + 7) / 8;
}

} // namespace

packed_postings::packed_postings(std::string_view body) {
  auto* at = reinterpret_cast<const uint8_t*>(body.data());
  end_ = at + body.size();
  if (end_ - at < 4)
    throw codec::decode_error("truncated posting block");
  count_ = uint32_t{at[0]} + 1;
  delta_bits_ = at[1];
  length_bits_ = at[2];
  tf_bits_ = at[3];
  at += 4;
  // So that no length or tf overflows (encode_block writes none that would).
  if (delta_bits_ > 32 || length_bits_ > 32 || tf_bits_ > 31)
    throw codec::decode_error("malformed posting block");
  base_length_ = read_varint(at, end_);
  if (base_length_ + ((uint64_t{1} << length_bits_) - 1) > UINT32_MAX)
    throw codec::decode_error("malformed posting block");
  auto delta_bytes = packed_bytes(count_ - 1, delta_bits_);
  auto length_bytes = packed_bytes(count_, length_bits_);
  if (static_cast<size_t>(end_ - at) != delta_bytes + length_bytes + packed_bytes(count_, tf_bits_))
    throw codec::decode_error("malformed posting block");
  deltas_ = at;
  lengths_ = deltas_ + delta_bytes;
  tfs_ = lengths_ + length_bytes;
}

std::string encode_block(std::vector<posting>::const_iterator begin,
                         std::vector<posting>::const_iterator end) {
  auto count = static_cast<size_t>(end - begin);
  if (count == 0 || count > packed_postings::max_count)
    throw std::logic_error("memory: a posting block holds 1 to " +
                           std::to_string(packed_postings::max_count) + " postings");
  codec::writer w;
  score_front front;
  for (auto p = begin; p != end; ++p)
    front.add(p->tf, p->length);
  w.varint((end - 1)->chunk - begin->chunk);
  front.write(w);
  auto [shortest, longest] = std::minmax_element(
      begin, end, [](const posting& a, const posting& b) { return a.length < b.length; });
  auto length_bits = bit_width(longest->length - shortest->length);
  // The lengths' base: the least length, or less where that plus the widest value would pass
  // 2^32 (packed_postings refuses such a block).
  auto base =
      length_bits == 32
          ? 0
          : std::min(shortest->length,
                     static_cast<uint32_t>(UINT32_MAX - ((uint64_t{1} << length_bits) - 1)));
  std::vector<uint32_t> gaps, lengths, tfs;
  for (auto p = begin; p != end; ++p) {
    if (p != begin)
      gaps.push_back(p->chunk - (p - 1)->chunk - 1); // ascending chunks: gaps of at least 1
    lengths.push_back(p->length - base);
    if (p->tf == 0 || p->tf > (uint32_t{1} << 31))
      throw std::length_error("memory: a posting's tf out of range");
    tfs.push_back(p->tf - 1);
  }
  auto widest = [](const std::vector<uint32_t>& v) {
    return bit_width(v.empty() ? 0 : *std::max_element(v.begin(), v.end()));
  };
  auto& out = w.buffer();
  out.push_back(static_cast<char>(count - 1));
  out.push_back(static_cast<char>(widest(gaps)));
  out.push_back(static_cast<char>(length_bits));
  out.push_back(static_cast<char>(widest(tfs)));
  w.varint(base);
  pack(out, gaps, widest(gaps));
  pack(out, lengths, length_bits);
  pack(out, tfs, widest(tfs));
  return std::move(w.buffer());
}

text_record store_texts(lmdb::txn& t, const tables& d, const std::string& source,
                        const std::string& external_id, const std::vector<transcript_chunk>& chunks,
                        const std::vector<uint32_t>& lengths) {
  text_record r{source, external_id, {}, 0, 0};
  codec::writer spans, texts;
  for (size_t i = 0; i < chunks.size(); ++i) {
    spans.svarint(chunks[i].start_ms);
    spans.varint(
        static_cast<uint64_t>(std::max<int64_t>(0, chunks[i].end_ms - chunks[i].start_ms)));
    spans.varint(lengths[i]);
    texts.str(chunks[i].text);
  }
  r.spans = std::move(spans.buffer());
  auto& plain = texts.buffer();
  std::string compressed(ZSTD_compressBound(plain.size()), '\0');
  // One context per thread, as for decompressing (ZSTD_compress would make one a call, a
  // megabyte at level 3).
  thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> context{ZSTD_createCCtx(),
                                                                          ZSTD_freeCCtx};
  if (!context)
    throw std::bad_alloc{};
  auto n = ZSTD_compressCCtx(context.get(), compressed.data(), compressed.size(), plain.data(),
                             plain.size(), 3);
  if (ZSTD_isError(n))
    throw std::runtime_error(std::string{"memory: cannot compress texts: "} + ZSTD_getErrorName(n));
  compressed.resize(n);
  {
    lmdb::cursor c{t, d.pieces};
    r.first_piece = c.last() ? codec::get_be64(c.key()) + 1 : 0;
  }
  for (size_t at = 0; at < compressed.size(); at += piece_size) {
    std::string key;
    codec::put_be64(key, r.first_piece + r.pieces++);
    d.pieces.append(t, key, std::string_view{compressed}.substr(at, piece_size));
  }
  return r;
}

std::vector<chunk_info> chunk_infos(const text_record& r) {
  std::vector<chunk_info> out;
  codec::reader in{r.spans};
  while (!in.done()) {
    chunk_info c;
    c.start_ms = in.svarint();
    c.end_ms = c.start_ms + static_cast<int64_t>(in.varint());
    auto length = in.varint();
    if (length > UINT32_MAX)
      throw codec::decode_error("implausible chunk length");
    c.length = static_cast<uint32_t>(length);
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> chunk_texts(lmdb::txn& t, const tables& d, const text_record& r) {
  std::string compressed;
  {
    lmdb::cursor c{t, d.pieces};
    std::string key;
    codec::put_be64(key, r.first_piece);
    bool at = c.seek(key);
    for (uint32_t i = 0; i < r.pieces; ++i, at = c.next()) {
      if (!at || c.key().size() != 8 || codec::get_be64(c.key()) != r.first_piece + i)
        throw codec::decode_error("a piece of chunk texts is missing");
      compressed.append(c.value());
    }
  }
  auto size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1u << 30))
    throw codec::decode_error("chunk texts are not a zstd frame");
  std::string plain(size, '\0');
  // One context per thread: ZSTD_decompress would allocate and set up one a call.
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context{ZSTD_createDCtx(),
                                                                          ZSTD_freeDCtx};
  if (!context)
    throw std::bad_alloc{};
  auto n = ZSTD_decompressDCtx(context.get(), plain.data(), plain.size(), compressed.data(),
                               compressed.size());
  if (ZSTD_isError(n) || n != size)
    throw codec::decode_error("chunk texts do not decompress");
  std::vector<std::string> out;
  codec::reader in{plain};
  while (!in.done())
    out.push_back(in.str());
  return out;
}

void drop_texts(lmdb::txn& t, const tables& d, const text_record& r) {
  for (uint32_t i = 0; i < r.pieces; ++i) {
    std::string key;
    codec::put_be64(key, r.first_piece + i);
    d.pieces.del(t, key);
  }
}

namespace {

void put_le32(std::string& out, uint32_t x) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>(x >> (8 * i) & 0xff));
}

uint32_t get_le32(std::string_view in, size_t at) {
  if (in.size() < at + 4)
    throw codec::decode_error("truncated pending record");
  uint32_t x = 0;
  for (int i = 0; i < 4; ++i)
    x |= static_cast<uint32_t>(static_cast<uint8_t>(in[at + i])) << (8 * i);
  return x;
}

/// The term of entry `i` of a pending record, and where its postings start.
std::pair<std::string_view, const uint8_t*> pending_entry(std::string_view r, uint32_t i) {
  auto at = get_le32(r, 4 + 4 * static_cast<size_t>(i));
  if (at >= r.size())
    throw codec::decode_error("malformed pending record");
  auto* p = reinterpret_cast<const uint8_t*>(r.data()) + at;
  auto* end = reinterpret_cast<const uint8_t*>(r.data()) + r.size();
  auto size = read_varint(p, end);
  if (static_cast<size_t>(end - p) < size)
    throw codec::decode_error("malformed pending record");
  return {std::string_view{reinterpret_cast<const char*>(p), size}, p + size};
}

void read_pending_postings(std::string_view r, const uint8_t* p, uint32_t first,
                           std::vector<posting>& out) {
  auto* end = reinterpret_cast<const uint8_t*>(r.data()) + r.size();
  auto n = read_varint(p, end);
  for (uint32_t k = 0; k < n; ++k) {
    posting x;
    x.chunk = first + read_varint(p, end);
    read_tf_length(x, p, end);
    out.push_back(x);
  }
}

} // namespace

std::string encode_pending(uint32_t first_chunk, const std::vector<analysed_chunk>& chunks) {
  std::map<std::string_view, std::vector<posting>> by_term;
  for (uint32_t i = 0; i < chunks.size(); ++i)
    for (auto& [term, tf] : chunks[i].frequencies)
      by_term[term].push_back({first_chunk + i, tf, chunks[i].length});
  std::string out;
  put_le32(out, static_cast<uint32_t>(by_term.size()));
  out.resize(4 + 4 * by_term.size());
  codec::writer entries;
  size_t i = 0;
  for (auto& [term, postings] : by_term) {
    auto at = static_cast<uint32_t>(out.size() + entries.buffer().size());
    for (int b = 0; b < 4; ++b)
      out[4 + 4 * i + b] = static_cast<char>(at >> (8 * b) & 0xff);
    entries.str(term);
    entries.varint(postings.size());
    for (auto& x : postings) {
      entries.varint(x.chunk - first_chunk);
      write_tf_length(entries, x);
    }
    ++i;
  }
  return out + entries.buffer();
}

void pending_postings_of(std::string_view r, uint32_t first, std::string_view term,
                         std::vector<posting>& out) {
  uint32_t lo = 0, hi = get_le32(r, 0);
  while (lo < hi) {
    auto mid = lo + (hi - lo) / 2;
    auto [t, p] = pending_entry(r, mid);
    if (t < term)
      lo = mid + 1;
    else if (term < t)
      hi = mid;
    else
      return read_pending_postings(r, p, first, out);
  }
}

void for_each_pending_term(
    std::string_view r, uint32_t first,
    const std::function<void(std::string_view, const std::vector<posting>&)>& f) {
  std::vector<posting> postings;
  for (uint32_t i = 0, n = get_le32(r, 0); i < n; ++i) {
    auto [term, p] = pending_entry(r, i);
    postings.clear();
    read_pending_postings(r, p, first, postings);
    f(term, postings);
  }
}

postings_key parse_postings_key(std::string_view key) {
  if (key.size() < 4) // no namespace id: substr would throw std::out_of_range, not decode_error
    throw codec::decode_error("malformed postings key");
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

analysed_chunk analyse(std::string_view text) {
  analysed_chunk a;
  auto terms = text::index_terms(text);
  a.length = static_cast<uint32_t>(terms.size());
  std::sort(terms.begin(), terms.end());
  for (size_t i = 0; i < terms.size();) {
    auto j = i;
    while (j < terms.size() && terms[j] == terms[i])
      ++j;
    a.frequencies.emplace_back(std::move(terms[i]), static_cast<uint32_t>(j - i));
    i = j;
  }
  return a;
}

void check_identifier(const char* what, const std::string& value) {
  if (value.size() > max_identifier)
    throw std::invalid_argument(std::string{"memory: "} + what + " is longer than " +
                                std::to_string(max_identifier) + " bytes");
}

} // namespace vfb::memory_layout
