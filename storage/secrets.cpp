// Secrets as text and their hashes (see secrets.hpp).
#include "storage/secrets.hpp"

#include <sodium.h>

namespace vfb {

std::string random_secret() {
  unsigned char raw[secret_bytes];
  randombytes_buf(raw, sizeof raw);
  char text[sodium_base64_ENCODED_LEN(secret_bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  std::string out{text};
  sodium_memzero(text, sizeof text);
  return out;
}

std::string secret_hash(std::string_view text) {
  std::string h(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(h.data()), h.size(),
                     reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  return h;
}

} // namespace vfb
