// Canonicalises submitted URLs into a job's dedupe identity (source, external_id). Pure code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// What a URL points at, in canonical form.
struct source_ref {
  std::string source;        // "youtube" or "generic"
  std::string external_id;   // the YouTube video id, or the normalised URL
  std::string canonical_url; // what we hand to yt-dlp
};

/// Which hosts a node accepts submissions for.
struct url_policy {
  /// Hosts (and their subdomains) accepted; empty: any public host.
  std::vector<std::string> allowed_hosts;
  /// Loopback hosts (127.0.0.0/8, ::1, localhost) are rejected unless this is set (tests, demo).
  bool allow_loopback = false;
};

struct url_result {
  bool ok = false;
  source_ref ref;
  std::string error; // why the URL was rejected, for the user
};

/// Whether the URL's host is this machine (localhost, 127.0.0.0/8, [::1]): no proxy can reach
/// it, so tools fetching it must not use one.
bool is_loopback_url(std::string_view url);

/// Validates and canonicalises `url` under `policy`.
url_result canonicalize_url(std::string_view url, const url_policy& policy = {});

/// Where to watch a video from a moment (`ms` into it, whole seconds): youtu.be/ID?t=S for
/// YouTube, else the video's URL with a media fragment `#t=S` (replacing any fragment). Empty
/// when there is no URL to point at.
std::string moment_url(std::string_view source, std::string_view external_id, std::string_view url,
                       int64_t ms);

} // namespace vfb
