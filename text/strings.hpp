// Small string helpers shared by parsers (config, VTT, yt-dlp output, chunking).
#pragma once

#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace vfb::text {

/// `s` without leading and trailing ASCII whitespace.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

/// `s` with its control characters written out (\n, \r, \t, \\, else \xNN), so that text from
/// outside (titles, paths, tool output) cannot split or forge a log line. Other bytes, UTF-8
/// included, stay as they are.
inline std::string escape_controls(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (u < 0x20 || u == 0x7f)
      out += {'\\', 'x', hex[u >> 4], hex[u & 15]};
    else
      out += c;
  }
  return out;
}

/// `s` with ASCII letters lower-cased and every other byte kept (so UTF-8 stays intact whatever
/// the locale): hosts, schemes, keywords in tool output and config values.
inline std::string ascii_lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// The value of `name` in a URL's query string ("a=1&b=2"), as written (not decoded); the first
/// one wins. nullopt when absent.
inline std::optional<std::string_view> query_param(std::string_view query, std::string_view name) {
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

} // namespace vfb::text
