#include "adapters/discord_webhook.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace vfb {

namespace {

// Discord's embed limits, in characters.
constexpr size_t title_limit = 256;
constexpr size_t description_limit = 4096;
constexpr size_t field_limit = 1024;
constexpr size_t author_limit = 256;
constexpr size_t total_limit = 6000;

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (auto& i : items)
    out += (out.empty() ? "" : ", ") + i;
  return out;
}

} // namespace

std::string truncate_utf8(const std::string& s, size_t max) {
  if (code_points(s) <= max)
    return s;
  if (max == 0)
    return {};
  size_t keep = max - 1, seen = 0, at = 0;
  for (; at < s.size(); ++at) {
    if ((static_cast<unsigned char>(s[at]) & 0xC0) != 0x80) {
      if (seen == keep)
        break;
      ++seen;
    }
  }
  return s.substr(0, at) + "\xE2\x80\xA6"; // …
}

std::string format_duration_text(double seconds) {
  if (seconds <= 0)
    return {};
  auto total = static_cast<long long>(std::llround(seconds));
  char buf[32];
  if (total >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", total / 3600, (total / 60) % 60,
                  total % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", total / 60, total % 60);
  return buf;
}

discord_post make_post(const download_result& d, const analysis& a, const std::string& url) {
  discord_post p;
  p.title = d.title.empty() ? d.video_id : d.title;
  p.url = d.webpage_url.empty() ? url : d.webpage_url;
  p.uploader = d.uploader;
  p.duration_text = format_duration_text(d.duration);
  for (auto& s : a.summary)
    p.summary += (p.summary.empty() ? "" : " ") + s;
  for (auto& t : a.topics)
    p.topics.push_back(t.term);
  for (auto& k : a.key_phrases)
    p.key_phrases.push_back(k.term);
  return p;
}

nlohmann::json build_webhook_payload(const discord_post& post) {
  nlohmann::json embed;
  auto title = truncate_utf8(post.title.empty() ? "Untitled video" : post.title, title_limit);
  embed["title"] = title;
  if (!post.url.empty())
    embed["url"] = post.url;
  size_t used = code_points(title);
  if (!post.uploader.empty()) {
    auto author = truncate_utf8(post.uploader, author_limit);
    embed["author"] = {{"name", author}};
    used += code_points(author);
  }
  auto fields = nlohmann::json::array();
  auto add_field = [&](const std::string& name, const std::string& value) {
    if (value.empty())
      return;
    auto v = truncate_utf8(value, field_limit);
    used += code_points(name) + code_points(v);
    fields.push_back({{"name", name}, {"value", v}, {"inline", name == "Duration"}});
  };
  add_field("Duration", post.duration_text);
  add_field("Topics", join(post.topics));
  add_field("Key phrases", join(post.key_phrases));
  // The description gets what the 6000-character total leaves.
  auto room = used < total_limit ? total_limit - used : 0;
  auto description = truncate_utf8(post.summary.empty() ? "(no summary)" : post.summary,
                                   std::min(description_limit, room));
  if (!description.empty())
    embed["description"] = description;
  if (!fields.empty())
    embed["fields"] = fields;
  return {{"embeds", nlohmann::json::array({embed})},
          {"allowed_mentions", {{"parse", nlohmann::json::array()}}}};
}

} // namespace vfb
