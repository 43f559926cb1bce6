#include "text/video_context.hpp"

#include "text/strings.hpp"
#include "text/tokenizer.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace vfb::text {

namespace {

constexpr size_t max_description = 2000;

/// A description line that is about the channel, not the video.
bool boilerplate(const std::string& line) {
  static const char* const signs[] = {"http",      "www.",      "subscribe", "patreon",
                                      "sponsor",   "merch",     "instagram", "twitter",
                                      "tiktok",    "facebook",  "discord",   "affiliate",
                                      "follow me", "follow us", "donate",    "paypal"};
  auto lower = ascii_lower(line);
  return std::any_of(std::begin(signs), std::end(signs),
                     [&](const char* s) { return lower.find(s) != std::string::npos; });
}

/// "00:42 Lava flows", "1:02:03 - Outro": the text after the timestamp.
std::string without_timestamp(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && (std::isdigit(static_cast<unsigned char>(line[i])) || line[i] == ':'))
    ++i;
  bool stamp = i > 0 && line.find(':') < i;
  if (!stamp)
    return line;
  while (i < line.size() && (line[i] == ' ' || line[i] == '-' || line[i] == '\t'))
    ++i;
  return line.substr(i);
}

} // namespace

std::string video_context(const download_result& d) {
  std::string out = d.title;
  auto add = [&](const std::string& s) {
    if (terms(s).empty())
      return;
    if (!out.empty())
      out += '\n';
    out += s;
  };
  for (const auto& t : d.tags)
    add(t);
  for (const auto& c : d.chapters)
    add(c);
  std::istringstream description{d.description.substr(0, max_description)};
  for (std::string line; std::getline(description, line);)
    if (!boilerplate(line))
      add(without_timestamp(line));
  return out;
}

std::string recogniser_context(const download_result& d) {
  bool told_more = !d.tags.empty() || !d.chapters.empty() || !d.description.empty();
  return told_more ? video_context(d) : std::string{};
}

} // namespace vfb::text
