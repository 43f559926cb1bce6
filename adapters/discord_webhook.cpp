#include "adapters/discord_webhook.hpp"

#include "text/durations.hpp"

#include <cstdlib>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <optional>

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

discord_post make_post(const download_result& d, const analysis& a, const std::string& url) {
  discord_post p;
  p.title = d.title.empty() ? d.video_id : d.title;
  p.url = d.webpage_url.empty() ? url : d.webpage_url;
  p.uploader = d.uploader;
  p.duration_text = text::clock_duration(d.duration);
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
  // A link to the job's page (its timed transcript, search): markdown works in field values.
  if (!post.page_url.empty())
    add_field("Transcript", "[Open on vfb](" + post.page_url + ")");
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

nlohmann::json build_digest_payload(const std::string& uploader, const std::string& channel_url,
                                    const std::vector<digest_item>& items) {
  auto who = uploader.empty() ? std::string{"a followed channel"} : uploader;
  nlohmann::json embed;
  embed["title"] = truncate_utf8(std::to_string(items.size()) +
                                     (items.size() == 1 ? " video from " : " videos from ") + who,
                                 title_limit);
  if (channel_url.rfind("https://", 0) == 0 || channel_url.rfind("http://", 0) == 0)
    embed["url"] = channel_url;
  std::string description;
  size_t shown = 0;
  for (const auto& item : items) {
    // Brackets would end the link text early; a title keeps its words without them.
    std::string title = item.title.empty() ? item.url : item.title;
    for (auto& c : title)
      c = c == '[' ? '(' : c == ']' ? ')' : c;
    auto line = "- [" + truncate_utf8(title, 200) + "](" + item.url + ")\n";
    // Room is kept for the "…and N more" line.
    if (code_points(description) + code_points(line) > description_limit - 40)
      break;
    description += line;
    ++shown;
  }
  if (shown < items.size())
    description += "\xE2\x80\xA6"
                   "and " +
                   std::to_string(items.size() - shown) + " more";
  embed["description"] = description;
  return {{"embeds", nlohmann::json::array({embed})},
          {"allowed_mentions", {{"parse", nlohmann::json::array()}}}};
}

namespace {

/// A webhook URL cut where its secret starts: "https://host/api/webhooks/ID/" and "TOKEN" (the
/// token alone, without later path segments). URLs of another shape keep only scheme and host.
std::pair<std::string, std::string> split_secret(const std::string& url) {
  constexpr std::string_view marker = "/webhooks/";
  auto path = url.substr(0, url.find_first_of("?#"));
  if (auto at = path.find(marker); at != std::string::npos) {
    auto id_end = path.find('/', at + marker.size());
    if (id_end != std::string::npos && id_end + 1 < path.size())
      return {path.substr(0, id_end + 1),
              path.substr(id_end + 1, path.find('/', id_end + 1) - id_end - 1)};
  }
  auto host_at = url.find("://");
  auto host_end = host_at == std::string::npos ? 0 : url.find_first_of("/?#", host_at + 3);
  if (host_end == std::string::npos)
    return {url, {}};
  return {url.substr(0, host_end) + "/", url.substr(host_end + 1)};
}

/// Seconds in a header or JSON value ("0.05", "1") as milliseconds, rounded up.
std::optional<std::chrono::milliseconds> seconds_value(const std::string& text) {
  char* end = nullptr;
  double s = std::strtod(text.c_str(), &end);
  if (text.empty() || end == text.c_str() || !std::isfinite(s) || s < 0)
    return std::nullopt;
  return std::chrono::milliseconds{static_cast<int64_t>(std::ceil(s * 1000))};
}

/// "embeds.0.title: Must be 256 or fewer in length." for each of the first few entries of
/// Discord's nested "errors" object.
void collect_errors(const nlohmann::json& node, const std::string& where,
                    std::vector<std::string>& out) {
  if (!node.is_object() || out.size() >= 3)
    return;
  if (auto e = node.find("_errors"); e != node.end() && e->is_array())
    for (auto& item : *e)
      if (item.is_object() && item.value("message", "") != "" && out.size() < 3)
        out.push_back(where + ": " + item.value("message", ""));
  for (auto& [key, child] : node.items())
    if (key != "_errors")
      collect_errors(child, where.empty() ? key : where + "." + key, out);
}

/// What Discord said in an error body: its message, code and field errors; else the start of
/// whatever it sent (a proxy's HTML page, say). Its `code` and `message` also go to `r`.
std::string discord_message(const std::string& body, webhook_result& r) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("message")) {
    auto text = truncate_utf8(body, 200);
    for (auto& c : text)
      c = c == '\n' || c == '\r' ? ' ' : c;
    return text.empty() ? "(empty body)" : text;
  }
  auto text = j["message"].is_string() ? j["message"].get<std::string>() : j["message"].dump();
  r.message = text;
  if (auto code = j.find("code"); code != j.end() && code->is_number_integer() && *code != 0) {
    r.code = code->get<int64_t>();
    text += " (code " + std::to_string(r.code) + ")";
  }
  std::vector<std::string> fields;
  if (auto errors = j.find("errors"); errors != j.end())
    collect_errors(*errors, "", fields);
  for (auto& f : fields)
    text += "; " + f;
  if (j.value("global", false))
    text += " (global rate limit)";
  return text;
}

/// How long a 429 asks us to wait: the body's retry_after is the most precise, then the
/// bucket's reset-after, then Retry-After (whole seconds); one second if none is readable.
std::chrono::milliseconds rate_limit_wait(const httplib::Response& res) {
  auto j = nlohmann::json::parse(res.body, nullptr, false);
  if (j.is_object())
    if (auto r = j.find("retry_after"); r != j.end() && r->is_number() && *r >= 0)
      return std::chrono::milliseconds{static_cast<int64_t>(std::ceil(r->get<double>() * 1000))};
  for (auto header : {"X-RateLimit-Reset-After", "Retry-After"})
    if (auto wait = seconds_value(res.get_header_value(header)))
      return *wait;
  return std::chrono::seconds{1};
}

/// Replaces every copy of the secret in `text`, should a server ever echo it.
std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty())
    return text;
  for (size_t at; (at = text.find(secret)) != std::string::npos;)
    text.replace(at, secret.size(), "[redacted]");
  return text;
}

} // namespace

std::string redact_webhook_url(const std::string& webhook_url) {
  auto [kept, secret] = split_secret(webhook_url);
  return secret.empty() ? kept : kept + "[redacted]";
}

// The project's home and version, as Discord's User-Agent format asks.
const char* const discord_user_agent =
    "DiscordBot (https://github.com/vfb-video/vfb, " VFB_VERSION ")";

webhook_result post_webhook(const std::string& webhook_url, const nlohmann::json& payload,
                            std::chrono::seconds timeout) {
  // A webhook execution: with wait=true Discord confirms the message was created.
  auto fragment = webhook_url.find('#');
  auto url = webhook_url.substr(0, fragment);
  url += url.find('?') == std::string::npos ? "?wait=true" : "&wait=true";
  return send_to_discord("POST", url, payload, timeout);
}

webhook_result send_to_discord(const std::string& method, const std::string& webhook_url,
                               const nlohmann::json& payload, std::chrono::seconds timeout,
                               const std::string& bot_token) {
  webhook_result r;
  auto secret = split_secret(webhook_url).second;
  auto shown = "Discord " + method + " " + redact_webhook_url(webhook_url) + ": ";
  auto scheme_end = webhook_url.find("://");
  auto scheme = webhook_url.substr(0, scheme_end == std::string::npos ? 0 : scheme_end);
  auto path_at =
      scheme_end == std::string::npos ? std::string::npos : webhook_url.find('/', scheme_end + 3);
  if ((scheme != "http" && scheme != "https") || path_at == std::string::npos ||
      path_at == scheme_end + 3) {
    r.error = shown + "not an http(s) URL with a path";
    return r;
  }
  httplib::Client client{webhook_url.substr(0, path_at)};
  if (!client.is_valid()) {
    r.error = shown + "not a usable host";
    return r;
  }
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  auto path = webhook_url.substr(path_at);
  // Invalid UTF-8 (from a title, say) becomes U+FFFD instead of failing the post.
  auto body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  httplib::Headers headers{{"User-Agent", discord_user_agent}};
  if (!bot_token.empty())
    headers.emplace("Authorization", "Bot " + bot_token);
  auto res = method == "PATCH" ? client.Patch(path, headers, body, "application/json")
             : method == "PUT" ? client.Put(path, headers, body, "application/json")
                               : client.Post(path, headers, body, "application/json");
  if (!res) {
    r.retryable = true;
    r.error = shown + "no answer: " + httplib::to_string(res.error());
    return r;
  }
  r.status = res->status;
  if (r.status >= 200 && r.status < 300) {
    r.ok = true;
    r.body = res->body;
    if (res->get_header_value("X-RateLimit-Remaining") == "0")
      r.retry_after = seconds_value(res->get_header_value("X-RateLimit-Reset-After"))
                          .value_or(std::chrono::milliseconds{0});
    return r;
  }
  r.retryable = r.status == 429 || r.status >= 500;
  if (r.status == 429)
    r.retry_after = rate_limit_wait(*res);
  r.error = shown + "HTTP " + std::to_string(r.status) + ": " +
            scrub(scrub(discord_message(res->body, r), secret), bot_token);
  r.message = scrub(scrub(r.message, secret), bot_token);
  return r;
}

} // namespace vfb
