#include "adapters/channel.hpp"

#include "text/strings.hpp"

#include <algorithm>
#include <cctype>

namespace vfb {

namespace {

constexpr std::string_view youtube_root = "https://www.youtube.com";

bool name_chars(std::string_view s, std::string_view extra) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](unsigned char c) {
    return std::isalnum(c) || extra.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

/// "UC" and 22 more characters of YouTube's id alphabet.
bool is_channel_id(std::string_view s) {
  return s.size() == 24 && s.substr(0, 2) == "UC" && name_chars(s, "-_");
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// `s` with its %XX escapes decoded; nullopt for a malformed escape.
std::optional<std::string> percent_decoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size())
      return std::nullopt;
    int hi = hex_digit(s[i + 1]);
    int lo = hex_digit(s[i + 2]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

/// Bytes outside ASCII as %XX (upper-case hex): the one spelling of a non-ASCII handle, safe in
/// yt-dlp's argv and for every check that refuses non-ASCII URLs.
std::string percent_encoded(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    out += '%';
    out += hex[c >> 4];
    out += hex[c & 0xf];
  }
  return out;
}

/// The code point of the UTF-8 sequence at s[i] (advancing i past it); nullopt for a malformed,
/// overlong or surrogate sequence.
std::optional<char32_t> next_code_point(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xe ? 2 : (b >> 3) == 0x1e ? 3 : 4;
  if (n == 4 || i + n >= s.size())
    return std::nullopt;
  char32_t cp = n == 0 ? b : b & (0x3f >> n);
  for (size_t k = 1; k <= n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 0x2)
      return std::nullopt;
    cp = (cp << 6) | (c & 0x3f);
  }
  static constexpr char32_t least[] = {0, 0x80, 0x800, 0x10000};
  if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return std::nullopt;
  i += n + 1;
  return cp;
}

/// A handle (decoded, without the '@'): 3 or more letters (of any script), digits, '.', '_', '-'
/// (YouTube's rules; yt-dlp's pattern is @[\w.-]{3,30}), at most 100 bytes. Outside ASCII,
/// controls, no-break space, general punctuation (spaces, joiners) and BOMs are refused.
bool is_handle(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    auto cp = next_code_point(s, i);
    if (!cp)
      return false;
    if (*cp < 0x80 && !std::isalnum(static_cast<int>(*cp)) && *cp != '.' && *cp != '_' &&
        *cp != '-')
      return false;
    if ((*cp >= 0x80 && *cp <= 0xa0) || (*cp >= 0x2000 && *cp <= 0x206f) || *cp == 0x3000 ||
        *cp == 0xfeff)
      return false;
  }
  return count >= 3 && s.size() <= 100;
}

/// The canonical "@handle" of a handle as written (without the '@', raw UTF-8 or
/// percent-encoded); nullopt when it is none.
std::optional<std::string> canonical_handle(std::string_view written) {
  auto decoded = percent_decoded(written);
  if (!decoded || !is_handle(*decoded))
    return std::nullopt;
  return "@" + percent_encoded(text::ascii_lower(*decoded));
}

/// The first segment of `path` after `prefix` ("/c/" → "Name" of "/c/Name/videos").
std::string_view segment_after(std::string_view path, std::string_view prefix) {
  auto rest = path.substr(prefix.size());
  return rest.substr(0, rest.find('/'));
}

} // namespace

std::optional<youtube_url_parts> split_youtube_url(std::string_view url) {
  for (std::string_view scheme : {"https://", "http://"})
    if (text::ascii_lower(url.substr(0, scheme.size())) == scheme) {
      url.remove_prefix(scheme.size());
      auto slash = url.find_first_of("/?#");
      auto host = text::ascii_lower(url.substr(0, slash));
      if (host != "youtube.com" && host != "www.youtube.com" && host != "m.youtube.com" &&
          host != "music.youtube.com")
        return std::nullopt;
      youtube_url_parts parts;
      if (slash == std::string_view::npos)
        return parts;
      auto rest = url.substr(slash);
      rest = rest.substr(0, rest.find('#'));
      auto q = rest.find('?');
      parts.path = rest.substr(0, q);
      if (q != std::string_view::npos)
        parts.query = rest.substr(q + 1);
      return parts;
    }
  return std::nullopt;
}

bool is_youtube_download(const download_result& d) {
  auto extractor = text::ascii_lower(d.extractor);
  return text::starts_with(extractor, "youtube") ||
         (extractor.empty() && split_youtube_url(d.webpage_url).has_value());
}

std::optional<std::string> canonical_channel_url(std::string_view input) {
  auto text = text::trim(input);
  if (is_channel_id(text))
    return std::string{youtube_root} + "/channel/" + std::string{text};
  if (!text.empty() && text.front() == '@') {
    auto handle = canonical_handle(text.substr(1));
    return handle ? std::optional{std::string{youtube_root} + "/" + *handle} : std::nullopt;
  }
  auto parts = split_youtube_url(text);
  if (!parts)
    return std::nullopt;
  auto path = parts->path;
  if (text::starts_with(path, "/channel/")) {
    auto id = segment_after(path, "/channel/");
    if (is_channel_id(id))
      return std::string{youtube_root} + "/channel/" + std::string{id};
    return std::nullopt;
  }
  if (text::starts_with(path, "/@")) {
    auto handle = canonical_handle(segment_after(path, "/@"));
    return handle ? std::optional{std::string{youtube_root} + "/" + *handle} : std::nullopt;
  }
  for (std::string_view kind : {"/c/", "/user/"})
    if (text::starts_with(path, kind)) {
      auto name = segment_after(path, kind);
      if (name_chars(name, "._-"))
        return std::string{youtube_root} + std::string{kind} + std::string{name};
      return std::nullopt;
    }
  return std::nullopt; // watch, shorts, live, embed, playlists, the home page: not a channel
}

std::optional<std::string> resolve_channel(const download_result& d) {
  if (d.channel_url.find("/channel/") != std::string::npos)
    if (auto c = canonical_channel_url(d.channel_url))
      return c;
  if (auto c = canonical_channel_url(d.channel_id))
    return c;
  if (d.uploader_url.find("/@") != std::string::npos)
    if (auto c = canonical_channel_url(d.uploader_url))
      return c;
  if (!d.uploader_id.empty()) {
    auto handle = d.uploader_id.front() == '@' ? d.uploader_id : "@" + d.uploader_id;
    if (auto c = canonical_channel_url(handle))
      return c;
  }
  return std::nullopt;
}

std::vector<std::string> channel_forms(const download_result& d) {
  std::vector<std::string> forms;
  auto add = [&](std::optional<std::string> c) {
    if (c && std::find(forms.begin(), forms.end(), *c) == forms.end())
      forms.push_back(std::move(*c));
  };
  add(resolve_channel(d));
  add(canonical_channel_url(d.channel_url));
  add(canonical_channel_url(d.channel_id));
  add(canonical_channel_url(d.uploader_url));
  if (!d.uploader_id.empty())
    add(canonical_channel_url(d.uploader_id.front() == '@' ? d.uploader_id : "@" + d.uploader_id));
  if (forms.empty()) // not YouTube: the site's own channel or uploader page
    for (auto* url : {&d.channel_url, &d.uploader_url})
      if (!url->empty() && url->size() <= 200) {
        forms.push_back(*url);
        break;
      }
  return forms;
}

const std::vector<std::string>& upload_tabs() {
  static const std::vector<std::string> tabs{"videos", "streams", "shorts"};
  return tabs;
}

std::vector<std::string> channel_tabs(const std::string& canonical,
                                      const std::vector<std::string>& tabs) {
  std::vector<std::string> urls;
  for (const auto& tab : upload_tabs())
    if (std::find(tabs.begin(), tabs.end(), tab) != tabs.end())
      urls.push_back(canonical + "/" + tab);
  return urls;
}

std::optional<size_t> tab_index(std::string_view url) {
  const auto& tabs = upload_tabs();
  for (size_t i = 0; i < tabs.size(); ++i)
    if (text::ends_with(url, "/" + tabs[i]))
      return i;
  return std::nullopt;
}

} // namespace vfb
