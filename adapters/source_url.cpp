#include "adapters/source_url.hpp"

#include "text/strings.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>

namespace vfb {

namespace {

using text::ends_with;
using text::query_param;

constexpr size_t max_url_length = 2048;

/// True if `host` is `domain` or one of its subdomains.
bool in_domain(std::string_view host, std::string_view domain) {
  return host == domain || (host.size() > domain.size() && ends_with(host, domain) &&
                            host[host.size() - domain.size() - 1] == '.');
}

/// A host as the resolver reads it: IPv4 in any spelling glibc's inet_aton accepts (and so
/// getaddrinfo, curl and Python, which yt-dlp runs on): "127.0.0.1", "127.1", "2130706433",
/// "0x7f000001", "0177.0.0.1", "0"; or a bracketed IPv6 literal in any spelling inet_pton
/// accepts ("[0:0:0:0:0:0:0:1]", "[::ffff:7f00:1]"). String patterns would miss most of these.
struct numeric_host {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{}; // IPv4: the first four
};

std::optional<numeric_host> parse_numeric_host(const std::string& host) {
  numeric_host n;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    in6_addr a6{};
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a6) != 1)
      return std::nullopt;
    n.v6 = true;
    std::copy(std::begin(a6.s6_addr), std::end(a6.s6_addr), n.bytes.begin());
    return n;
  }
  in_addr a4{};
  if (host.empty() || inet_aton(host.c_str(), &a4) == 0)
    return std::nullopt;
  auto value = ntohl(a4.s_addr);
  for (int i = 0; i < 4; ++i)
    n.bytes[i] = static_cast<uint8_t>(value >> (24 - 8 * i));
  return n;
}

/// IPv4 addresses that are not on the public internet: this host, private networks,
/// carrier-grade NAT, link-local, IETF protocol assignments, benchmarking, multicast, reserved
/// and broadcast.
bool is_non_public_v4(uint8_t a, uint8_t b, uint8_t c) {
  return a == 0 || a == 10 || a == 127 || (a == 100 && b >= 64 && b <= 127) ||
         (a == 169 && b == 254) || (a == 172 && b >= 16 && b <= 31) ||
         (a == 192 && b == 0 && c == 0) || (a == 192 && b == 168) ||
         (a == 198 && (b == 18 || b == 19)) || a >= 224;
}

/// Whether bytes [from, to) of an address are all zero.
bool zeros(const numeric_host& n, size_t from, size_t to) {
  return std::all_of(n.bytes.begin() + from, n.bytes.begin() + to,
                     [](uint8_t v) { return v == 0; });
}

/// An IPv4-mapped IPv6 address (::ffff:a.b.c.d).
bool is_v4_mapped(const numeric_host& n) {
  return n.v6 && zeros(n, 0, 10) && n.bytes[10] == 0xff && n.bytes[11] == 0xff;
}

bool is_non_public(const numeric_host& n) {
  const auto& x = n.bytes;
  if (!n.v6)
    return is_non_public_v4(x[0], x[1], x[2]);
  // An IPv4 address inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d, which covers
  // :: and ::1), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:a.b.c.d::) reach that IPv4 address.
  if (is_v4_mapped(n))
    return is_non_public_v4(x[12], x[13], x[14]);
  if (zeros(n, 0, 12))
    return true; // ::, ::1 and the deprecated IPv4-compatible form
  if (x[0] == 0x00 && x[1] == 0x64 && x[2] == 0xff && x[3] == 0x9b && zeros(n, 4, 12))
    return is_non_public_v4(x[12], x[13], x[14]);
  if (x[0] == 0x20 && x[1] == 0x02)
    return is_non_public_v4(x[2], x[3], x[4]);
  return (x[0] & 0xfe) == 0xfc ||                   // unique local fc00::/7
         (x[0] == 0xfe && (x[1] & 0xc0) == 0x80) || // link-local fe80::/10
         (x[0] == 0xfe && (x[1] & 0xc0) == 0xc0) || // site-local fec0::/10 (deprecated)
         x[0] == 0xff;                              // multicast
}

bool is_loopback(const numeric_host& n) {
  const auto& x = n.bytes;
  if (!n.v6)
    return x[0] == 127;
  if (is_v4_mapped(n))
    return x[12] == 127;
  return zeros(n, 0, 15) && x[15] == 1; // ::1
}

/// Hosts that name this machine or a private network: a submitted URL must not make the node
/// fetch from them (server-side request forgery), except in tests and the demo.
bool is_local_host(const std::string& host) {
  if (in_domain(host, "localhost") || in_domain(host, "local") || in_domain(host, "internal"))
    return true;
  auto n = parse_numeric_host(host);
  return n && is_non_public(*n);
}

bool is_video_id(std::string_view id) {
  return id.size() == 11 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '_';
         });
}

bool is_youtube_host(std::string_view host) {
  return in_domain(host, "youtube.com") || host == "youtu.be" ||
         in_domain(host, "youtube-nocookie.com");
}

/// The video id of a YouTube URL, or an error for URLs that name no single video.
url_result youtube_ref(std::string_view host, std::string_view path, std::string_view query) {
  url_result r;
  std::string_view id;
  if (host == "youtu.be") {
    id = path.substr(1);
    id = id.substr(0, id.find('/'));
  } else if (path == "/watch") {
    id = query_param(query, "v").value_or("");
  } else {
    for (std::string_view prefix : {"/shorts/", "/embed/", "/live/", "/v/"})
      if (path.rfind(prefix, 0) == 0) {
        id = path.substr(prefix.size());
        id = id.substr(0, id.find('/'));
      }
  }
  if (!is_video_id(id)) {
    r.error = id.empty() ? "not a YouTube video URL (no video id): channel and playlist URLs "
                           "are followed, not submitted"
                         : "malformed YouTube video id '" + std::string(id) + "'";
    return r;
  }
  r.ok = true;
  r.ref.source = "youtube";
  r.ref.external_id = std::string(id);
  r.ref.canonical_url = "https://www.youtube.com/watch?v=" + r.ref.external_id;
  return r;
}

url_result reject(std::string why) {
  url_result r;
  r.error = std::move(why);
  return r;
}

} // namespace

bool is_loopback_url(std::string_view url) {
  auto start = url.find("://");
  if (start == std::string_view::npos)
    return false;
  auto authority = url.substr(start + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  authority = authority.substr(
      authority.rfind('@') == std::string_view::npos ? 0 : authority.rfind('@') + 1);
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[')
    host = host.substr(0, host.find(']') + 1);
  else
    host = host.substr(0, host.find(':'));
  auto h = text::ascii_lower(host);
  while (!h.empty() && h.back() == '.')
    h.pop_back();
  if (in_domain(h, "localhost"))
    return true;
  auto n = parse_numeric_host(h);
  return n && is_loopback(*n);
}

url_result canonicalize_url(std::string_view url, const url_policy& policy) {
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front())))
    url.remove_prefix(1);
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back())))
    url.remove_suffix(1);
  if (url.empty())
    return reject("empty URL");
  if (url.size() > max_url_length)
    return reject("URL longer than " + std::to_string(max_url_length) + " characters");
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f)
      return reject("URL contains a space, control or non-ASCII character (percent-encode it)");
  auto colon = url.find("://");
  if (colon == std::string_view::npos)
    return reject("not a URL: expected http:// or https://");
  auto scheme = text::ascii_lower(url.substr(0, colon));
  if (scheme != "http" && scheme != "https")
    return reject("unsupported URL scheme '" + scheme + "' (only http and https)");
  auto rest = url.substr(colon + 3);
  auto authority_end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos)
    return reject("URLs with user credentials are not accepted");
  // Split host and port; IPv6 literals keep their brackets.
  std::string_view host_part = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return reject("malformed IPv6 host in URL");
    host_part = authority.substr(0, close + 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return reject("malformed host in URL");
      port = after.substr(1);
    }
  } else if (auto c = authority.find(':'); c != std::string_view::npos) {
    host_part = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  auto host = text::ascii_lower(host_part);
  while (!host.empty() && host.back() == '.')
    host.pop_back(); // "example.com." is "example.com"
  if (host.empty())
    return reject("URL has no host");
  if (host.front() != '[') {
    for (unsigned char c : host)
      if (!std::isalnum(c) && c != '-' && c != '.')
        return reject("malformed host '" + host + "' in URL");
  } else if (!parse_numeric_host(host)) {
    return reject("malformed IPv6 host '" + host + "' in URL");
  }
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
        std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535)
      return reject("malformed port in URL");
    if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443"))
      port = {};
  }
  if (!policy.allow_loopback && is_local_host(host))
    return reject("host '" + host + "' is local or private; this node only fetches public hosts");
  if (!policy.allowed_hosts.empty() &&
      std::none_of(
          policy.allowed_hosts.begin(), policy.allowed_hosts.end(),
          [&](const std::string& allowed) { return in_domain(host, text::ascii_lower(allowed)); }))
    return reject("host '" + host + "' is not in sources.allowed_hosts");
  // Path and query; the fragment never reaches the server, so it is not part of the identity.
  rest = rest.substr(0, rest.find('#'));
  auto qmark = rest.find('?');
  std::string_view path = rest.substr(0, qmark);
  std::string_view query =
      qmark == std::string_view::npos ? std::string_view{} : rest.substr(qmark + 1);
  if (path.empty())
    path = "/";
  if (is_youtube_host(host))
    return youtube_ref(host, path, query);
  url_result r;
  r.ok = true;
  r.ref.source = "generic";
  r.ref.canonical_url = scheme + "://" + host + (port.empty() ? "" : ":" + std::string(port)) +
                        std::string(path) + (query.empty() ? "" : "?" + std::string(query));
  r.ref.external_id = r.ref.canonical_url;
  return r;
}

std::string moment_url(std::string_view source, std::string_view external_id, std::string_view url,
                       int64_t ms) {
  auto seconds = std::to_string(std::max<int64_t>(0, ms) / 1000);
  if (source == "youtube" && !external_id.empty())
    return "https://youtu.be/" + std::string{external_id} + "?t=" + seconds;
  if (url.empty())
    return {};
  return std::string{url.substr(0, url.find('#'))} + "#t=" + seconds;
}

} // namespace vfb
