// Discord interaction bodies: parse_interaction throws only discord_error, and what it returns
// can be used (options, the guild's binding). The signature check takes any header values and
// body (input: public key, signature, timestamp, one line each, then the body) without crashing.
#include "adapters/discord_interactions.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace vfb;

namespace {

void signature(std::string_view in) {
  auto [key, rest] = fuzz::split_once(in, '\n');
  auto [sig, rest2] = fuzz::split_once(rest, '\n');
  auto [timestamp, body] = fuzz::split_once(rest2, '\n');
  valid_public_key_hex(key);
  to_string(verify_interaction_signature(key, sig, timestamp, body, 1'700'000'000));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::text(data, size);
  signature(in);
  try {
    auto i = parse_interaction(in);
    i.option("url", "none");
    std::map<std::string, guild_binding> guilds{{"1", {"t", "w", {"2"}}}};
    if (auto b = resolve_guild(guilds, i))
      is_operator(*b, i);
    edit_original_path(i);
  } catch (const discord_error&) {
  }
  return 0;
}
