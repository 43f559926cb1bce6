// The web page's sessions (see web_sessions.hpp).
#include "frontends/web_sessions.hpp"

#include "storage/secrets.hpp"

#include <sodium.h>
#include <stdexcept>
#include <string>

namespace vfb {

web_sessions::web_sessions(millis lifetime, size_t max_sessions, size_t per_token)
    : lifetime_(lifetime), max_(std::max<size_t>(1, max_sessions)),
      per_token_(std::max<size_t>(1, per_token)) {
  if (sodium_init() < 0)
    throw std::runtime_error("libsodium failed to initialise");
}

opened_web_session web_sessions::open(uint64_t token_id, millis now) {
  opened_web_session out;
  out.id = random_secret();
  out.session = {token_id, random_secret(), now, now + lifetime_};
  std::lock_guard guard{mu_};
  // Expired sessions go first; then, when the token has its most, its own oldest.
  auto oldest_of_token = by_hash_.end();
  size_t of_token = 0;
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    if (it->second.expires_at <= now) {
      it = by_hash_.erase(it);
      continue;
    }
    if (it->second.token_id == token_id) {
      ++of_token;
      if (oldest_of_token == by_hash_.end() ||
          it->second.opened_at < oldest_of_token->second.opened_at)
        oldest_of_token = it;
    }
    ++it;
  }
  if (of_token >= per_token_)
    by_hash_.erase(oldest_of_token);
  if (by_hash_.size() >= max_)
    throw std::runtime_error("the node holds " + std::to_string(max_) +
                             " open sessions; sign in again later");
  by_hash_[secret_hash(out.id)] = out.session;
  return out;
}

std::optional<web_session> web_sessions::find(std::string_view id, millis now) const {
  if (id.empty())
    return std::nullopt;
  std::lock_guard guard{mu_};
  auto it = by_hash_.find(secret_hash(id));
  if (it == by_hash_.end() || it->second.expires_at <= now)
    return std::nullopt;
  return it->second;
}

bool web_sessions::close(std::string_view id) {
  std::lock_guard guard{mu_};
  return by_hash_.erase(secret_hash(id)) > 0;
}

bool web_sessions::csrf_matches(const web_session& s, std::string_view sent) {
  return !s.csrf_token.empty() && sent.size() == s.csrf_token.size() &&
         sodium_memcmp(sent.data(), s.csrf_token.data(), sent.size()) == 0;
}

size_t web_sessions::size() const {
  std::lock_guard guard{mu_};
  return by_hash_.size();
}

} // namespace vfb
