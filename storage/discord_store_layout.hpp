// The discord store's keys and records, apart from the store so that the decoders can be tested
// and fuzzed on bytes alone (fuzz/). Private to storage/ (and the fuzz targets).
//   replies  be64 job | be64 id                        -> pending reply
//   digest   str tenant | str workspace | str group | be64 job -> digest entry
#pragma once

#include "storage/discord_store.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace vfb::discord_layout {

std::string reply_key(uint64_t job, uint64_t id);
std::string encode_reply(const pending_reply& r);
/// Throws codec::decode_error when the key or the value is not a reply's.
pending_reply decode_reply(std::string_view key, std::string_view value);

/// The digest key's prefix: one group's entries sort together, by job id.
std::string group_prefix(const std::string& tenant, const std::string& workspace,
                         const std::string& group);
std::string digest_key(const digest_entry& e);
std::string encode_entry(const digest_entry& e);
/// Throws codec::decode_error when the key or the value is not a digest entry's.
digest_entry decode_entry(std::string_view key, std::string_view value);

} // namespace vfb::discord_layout
