// The job queue's keys and its stored job record: see job_queue_layout.hpp.
#include "storage/job_queue_layout.hpp"

#include <algorithm>
#include <sodium.h>

namespace vfb::queue_layout {

namespace {

constexpr uint8_t record_version = 1;

} // namespace

std::string id_key(uint64_t id) {
  return codec::be64(id);
}

std::string time_key(millis t, uint64_t id) {
  std::string k;
  codec::put_be64(k, static_cast<uint64_t>(std::max<millis>(t, 0)));
  codec::put_be64(k, id);
  return k;
}

std::string dedupe_key(const job_key& key) {
  std::string plain;
  for (auto* part : {&key.tenant, &key.workspace, &key.source, &key.external_id}) {
    codec::put_lp16(plain, *part);
  }
  unsigned char hash[crypto_generichash_BYTES];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(plain.data()),
                     plain.size(), nullptr, 0);
  return std::string(reinterpret_cast<char*>(hash), sizeof hash);
}

std::string class_tenant(priority_class c, std::string_view tenant) {
  std::string k(1, static_cast<char>(c));
  codec::put_lp16(k, tenant);
  return k;
}

std::string ready_key(priority_class c, std::string_view tenant, uint64_t seq) {
  auto k = class_tenant(c, tenant);
  codec::put_be64(k, seq);
  return k;
}

std::string rr_order_key(priority_class c, uint64_t vtime, std::string_view tenant) {
  std::string k(1, static_cast<char>(c));
  codec::put_be64(k, vtime);
  k.append(tenant);
  return k;
}

std::string state_key(job_state s, uint64_t id) {
  std::string k(1, static_cast<char>(s));
  codec::put_be64(k, id);
  return k;
}

std::string count_key(job_state s, std::string_view tenant, std::string_view workspace) {
  std::string k(1, static_cast<char>(s));
  codec::put_lp16(k, tenant);
  codec::put_lp16(k, workspace);
  return k;
}

std::tuple<job_state, std::string, std::string> parse_count_key(std::string_view k) {
  auto read_lp = [&](size_t& at) {
    if (k.size() < at + 2)
      throw codec::decode_error("truncated count key");
    size_t n = (static_cast<uint8_t>(k[at]) << 8) | static_cast<uint8_t>(k[at + 1]);
    if (k.size() < at + 2 + n)
      throw codec::decode_error("truncated count key");
    std::string s{k.substr(at + 2, n)};
    at += 2 + n;
    return s;
  };
  if (k.empty())
    throw codec::decode_error("empty count key");
  size_t at = 1;
  auto tenant = read_lp(at);
  auto workspace = read_lp(at);
  return {static_cast<job_state>(k[0]), tenant, workspace};
}

std::string encode_record(const record& rec) {
  codec::writer w;
  const auto& v = rec.view;
  const auto& j = v.job;
  w.u8(record_version);
  w.varint(j.id);
  w.str(j.key.tenant);
  w.str(j.key.workspace);
  w.str(j.key.source);
  w.str(j.key.external_id);
  w.str(j.url);
  w.varint(j.tags.size());
  for (auto& t : j.tags)
    w.str(t);
  w.str(j.visibility);
  w.u8(static_cast<uint8_t>(j.priority));
  w.u8(static_cast<uint8_t>(j.origin));
  w.varint(j.attempt);
  w.svarint(j.not_before);
  w.svarint(j.upload_cutoff);
  w.u8(static_cast<uint8_t>(v.state));
  w.varint(v.rescues);
  w.varint(v.epoch);
  w.str(v.worker);
  w.svarint(v.lease_deadline);
  w.svarint(v.created_at);
  w.svarint(v.updated_at);
  w.str(v.last_error);
  w.varint(rec.ready_seq);
  w.u8(rec.delayed ? 1 : 0);
  if (rec.suspect) // added later: records without it end here
    w.u8(1);
  return std::move(w.buffer());
}

record decode_record(std::string_view bytes) {
  codec::reader r{bytes};
  if (r.u8() != record_version)
    throw codec::decode_error("unknown job record version");
  record rec;
  auto& v = rec.view;
  auto& j = v.job;
  j.id = r.varint();
  j.key.tenant = r.str();
  j.key.workspace = r.str();
  j.key.source = r.str();
  j.key.external_id = r.str();
  j.url = r.str();
  auto tags = r.varint();
  if (tags > 10'000)
    throw codec::decode_error("implausible tag count");
  for (uint64_t i = 0; i < tags; ++i)
    j.tags.push_back(r.str());
  j.visibility = r.str();
  j.priority = static_cast<priority_class>(r.u8());
  j.origin = static_cast<job_origin>(r.u8());
  j.attempt = static_cast<uint32_t>(r.varint());
  j.not_before = r.svarint();
  j.upload_cutoff = r.svarint();
  v.state = static_cast<job_state>(r.u8());
  v.rescues = static_cast<uint32_t>(r.varint());
  v.epoch = r.varint();
  v.worker = r.str();
  v.lease_deadline = r.svarint();
  v.created_at = r.svarint();
  v.updated_at = r.svarint();
  v.last_error = r.str();
  rec.ready_seq = r.varint();
  rec.delayed = r.u8() != 0;
  if (!r.done()) { // added later: written only when set
    if (r.u8() != 1)
      throw codec::decode_error("malformed job record");
    rec.suspect = true;
  }
  if (!r.done() || static_cast<int>(v.state) >= job_state_count ||
      static_cast<int>(j.priority) >= priority_class_count ||
      static_cast<int>(j.origin) > static_cast<int>(job_origin::refresh))
    throw codec::decode_error("malformed job record");
  return rec;
}

} // namespace vfb::queue_layout
