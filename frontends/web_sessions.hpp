// The web page's sessions: `POST /v1/session` trades a vfb token for a session, which the
// browser then holds as an HttpOnly, SameSite=Strict cookie, so the page's script never sees a
// credential. Pure code (no CAF, no server): the API's router asks it who a cookie belongs to.
//
// A session names the token it was opened with, not a copy of its rights: each use checks that
// token again (revoking it ends its sessions at once). Each session has a CSRF token of its own
// that the page sends with every write. Sessions live in the node's memory only (a restart
// signs everyone out) and are kept as hashes, like the tokens, so nothing in memory is a
// usable cookie value. A token has at most `per_token` sessions (one more drops that token's
// oldest), and the node at most `max_sessions` (one more is refused: signing in must never
// sign someone else out).
#pragma once

#include "messages/job.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace vfb {

/// The cookie that carries a session's id.
inline constexpr std::string_view session_cookie = "vfb_session";

/// One signed-in browser.
struct web_session {
  uint64_t token_id = 0;  // the token it was opened with
  std::string csrf_token; // the page sends it back as X-CSRF-Token on every write
  millis opened_at = 0;
  millis expires_at = 0;
};

/// A session just opened: its record and the cookie value, which nothing can show again.
struct opened_web_session {
  std::string id;
  web_session session;
};

class web_sessions {
public:
  /// Sessions last `lifetime` from sign-in (default 12 hours).
  explicit web_sessions(millis lifetime = 12 * 3600 * 1000, size_t max_sessions = 10'000,
                        size_t per_token = 20);

  /// A new session for the token `token_id`, opened at `now`. Throws std::runtime_error when
  /// the node holds `max_sessions` open ones.
  opened_web_session open(uint64_t token_id, millis now);

  /// The session whose cookie value is `id`, if it is open and has not expired by `now`.
  std::optional<web_session> find(std::string_view id, millis now) const;

  /// Ends the session (sign-out). False when there was none.
  bool close(std::string_view id);

  /// Whether `sent` is the session's CSRF token (compared in constant time).
  static bool csrf_matches(const web_session& s, std::string_view sent);

  millis lifetime() const { return lifetime_; }
  size_t size() const;

private:
  millis lifetime_;
  size_t max_;
  size_t per_token_;
  mutable std::mutex mu_;
  std::map<std::string, web_session> by_hash_; // BLAKE2b of the cookie value -> session
};

} // namespace vfb
