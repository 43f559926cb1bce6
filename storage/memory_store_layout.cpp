// The memory store's keys, posting blocks and chunk analysis: see memory_store_layout.hpp.
#include "storage/memory_store_layout.hpp"

#include "text/tokenizer.hpp"

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

std::string term_prefix(uint32_t ns, std::string_view term) {
  auto k = be32(ns);
  k.append(term);
  k.push_back('\0');
  return k;
}

bool is_block_of(std::string_view key, const std::string& prefix) {
  return key.size() == prefix.size() + 4 && key.substr(0, prefix.size()) == prefix;
}

std::vector<posting> decode_block(uint32_t first, std::string_view block) {
  std::vector<posting> out;
  for_each_posting(first, block, [&](const posting& p) { out.push_back(p); });
  return out;
}

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

} // namespace vfb::memory_layout
