#include "adapters/source_url.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>

namespace vfb {

namespace {

constexpr size_t max_url_length = 2048;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// True if `host` is `domain` or one of its subdomains.
bool in_domain(std::string_view host, std::string_view domain) {
  return host == domain || (host.size() > domain.size() && ends_with(host, domain) &&
                            host[host.size() - domain.size() - 1] == '.');
}

/// Parses a dotted IPv4 address (four decimal parts, each 0..255).
std::optional<std::array<int, 4>> parse_ipv4(std::string_view host) {
  std::array<int, 4> parts{};
  size_t part = 0;
  size_t digits = 0;
  int value = 0;
  for (char c : host) {
    if (c == '.') {
      if (digits == 0 || part == 3)
        return std::nullopt;
      parts[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= '0' && c <= '9' && digits < 3) {
      value = value * 10 + (c - '0');
      ++digits;
    } else {
      return std::nullopt;
    }
  }
  if (digits == 0 || part != 3)
    return std::nullopt;
  parts[3] = value;
  for (int p : parts)
    if (p > 255)
      return std::nullopt;
  return parts;
}

/// Hosts that name this machine or a private network: a submitted URL must not make the node
/// fetch from them (server-side request forgery), except in tests and the demo.
bool is_local_host(std::string_view host) {
  if (in_domain(host, "localhost") || host == "[::1]" || host == "[::]" ||
      in_domain(host, "local") || in_domain(host, "internal"))
    return true;
  if (host.size() > 2 && host.front() == '[') {
    // IPv6 literals: unique-local (fc00::/7) and link-local (fe80::/10) are private.
    auto h = lower(host.substr(1, 4));
    return h.rfind("fc", 0) == 0 || h.rfind("fd", 0) == 0 || h.rfind("fe8", 0) == 0 ||
           h.rfind("::ff", 0) == 0;
  }
  auto ip = parse_ipv4(host);
  if (!ip)
    return false;
  auto [a, b, c, d] = *ip;
  (void)c;
  (void)d;
  return a == 127 || a == 10 || a == 0 || (a == 172 && b >= 16 && b <= 31) ||
         (a == 192 && b == 168) || (a == 169 && b == 254) || (a == 100 && b >= 64 && b <= 127);
}

bool is_video_id(std::string_view id) {
  return id.size() == 11 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '_';
         });
}

/// The value of `name` in a query string, if present.
std::optional<std::string_view> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return pair.substr(eq + 1);
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
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
  auto h = lower(host);
  if (in_domain(h, "localhost") || h == "[::1]")
    return true;
  auto ip = parse_ipv4(h);
  return ip && (*ip)[0] == 127;
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
  auto scheme = lower(url.substr(0, colon));
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
  auto host = lower(host_part);
  while (!host.empty() && host.back() == '.')
    host.pop_back(); // "example.com." is "example.com"
  if (host.empty())
    return reject("URL has no host");
  if (host.front() != '[')
    for (unsigned char c : host)
      if (!std::isalnum(c) && c != '-' && c != '.')
        return reject("malformed host '" + host + "' in URL");
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
      std::none_of(policy.allowed_hosts.begin(), policy.allowed_hosts.end(),
                   [&](const std::string& allowed) { return in_domain(host, lower(allowed)); }))
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

} // namespace vfb
