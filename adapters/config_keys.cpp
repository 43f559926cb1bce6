// The table of configuration keys: for each "section.key" that conf/vfb.conf documents, how
// its text becomes a field of vfb_config (type, range, allowed words), plus the free-form
// per-workspace and per-guild sections. The file reader, --set and the environment flags all
// set keys through here, so a value is checked the same way wherever it comes from.
#include "adapters/config_keys.hpp"

#include "adapters/channel.hpp"
#include "adapters/host_port.hpp"
#include "adapters/ytdlp_tools.hpp"
#include "text/numbers.hpp"
#include "text/strings.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <sstream>
#include <string_view>

namespace vfb {

namespace {
std::string trim(const std::string& s) {
  return std::string(text::trim(s));
}

int64_t to_int(const std::string& where, const std::string& v, int64_t lo, int64_t hi) {
  auto x = text::parse_int(v);
  if (!x)
    throw config_error(where + ": expected an integer, got '" + v + "'");
  if (*x < lo || *x > hi)
    throw config_error(where + ": " + v + " is out of range [" + std::to_string(lo) + ", " +
                       std::to_string(hi) + "]");
  return *x;
}

bool to_bool(const std::string& where, const std::string& v) {
  std::string l = text::ascii_lower(v);
  if (l == "1" || l == "true" || l == "yes" || l == "on")
    return true;
  if (l == "0" || l == "false" || l == "no" || l == "off")
    return false;
  throw config_error(where + ": expected true or false, got '" + v + "'");
}

std::vector<std::string> to_list(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream in(v);
  for (std::string item; std::getline(in, item, ',');)
    if (auto t = trim(item); !t.empty())
      out.push_back(t);
  return out;
}

/// `v` when it is one of `words`; else "expected a, b or c, got 'v'".
std::string one_of(const std::string& where, const std::string& v,
                   const std::vector<std::string>& words) {
  if (std::find(words.begin(), words.end(), v) != words.end())
    return v;
  std::string expected;
  for (size_t i = 0; i < words.size(); ++i)
    expected += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  throw config_error(where + ": expected " + expected + ", got '" + v + "'");
}

std::string backfill_mode(const std::string& where, const std::string& v) {
  return one_of(where, v, {"digest", "each", "off"});
}

/// [auto_follow] tabs: some of upload_tabs, each once.
std::vector<std::string> channel_tab_list(const std::string& where, const std::string& v) {
  auto tabs = to_list(v);
  if (tabs.empty())
    throw config_error(where + ": name at least one tab (videos, streams, shorts)");
  std::set<std::string> seen;
  for (const auto& tab : tabs) {
    const auto& known = upload_tabs();
    if (std::find(known.begin(), known.end(), tab) == known.end())
      throw config_error(where + ": unknown tab '" + tab +
                         "' (expected videos, streams or shorts)");
    if (!seen.insert(tab).second)
      throw config_error(where + ": tab '" + tab + "' is named twice");
  }
  return tabs;
}

/// Sets one key from its text; `where` names the origin for error messages.
using setter = std::function<void(vfb_config&, const std::string& where, const std::string& v)>;

template <class Section>
setter int_key(Section vfb_config::*section, int64_t Section::*field, int64_t lo, int64_t hi) {
  return [=](vfb_config& c, const std::string& where, const std::string& v) {
    c.*section.*field = to_int(where, v, lo, hi);
  };
}

template <class Section> setter bool_key(Section vfb_config::*section, bool Section::*field) {
  return [=](vfb_config& c, const std::string& where, const std::string& v) {
    c.*section.*field = to_bool(where, v);
  };
}

template <class Section>
setter word_key(Section vfb_config::*section, std::string Section::*field,
                std::vector<std::string> words) {
  return [=](vfb_config& c, const std::string& where, const std::string& v) {
    c.*section.*field = one_of(where, v, words);
  };
}

template <class Section>
setter string_key(Section vfb_config::*section, std::string Section::*field) {
  return [=](vfb_config& c, const std::string& where, const std::string& v) {
    if (v.empty())
      throw config_error(where + ": must not be empty");
    c.*section.*field = v;
  };
}

/// A string that may be empty (empty: the key's default behaviour, as its comment says).
template <class Section>
setter optional_string_key(Section vfb_config::*section, std::string Section::*field) {
  return [=](vfb_config& c, const std::string&, const std::string& v) { c.*section.*field = v; };
}

constexpr int64_t max_ms = int64_t{30} * 24 * 3600 * 1000; // 30 days
constexpr int64_t max_s = max_ms / 1000;
constexpr int64_t max_mb = int64_t{1} << 30; // 1 PiB in MiB

/// Every configuration key; conf/vfb.conf documents each of them.
const std::map<std::string, setter>& keys() {
  using C = vfb_config;
  static const std::map<std::string, setter> all = {
      {"storage.data_dir",
       [](C& c, const std::string&, const std::string& v) { c.storage.data_dir = v; }},
      {"storage.sync", word_key(&C::storage, &C::storage_t::sync, {"always", "periodic"})},
      {"storage.sync_interval_ms",
       int_key(&C::storage, &C::storage_t::sync_interval_ms, 1, max_ms)},
      {"storage.map_size_mb", int_key(&C::storage, &C::storage_t::map_size_mb, 1, max_mb)},
      {"storage.max_map_size_mb", int_key(&C::storage, &C::storage_t::max_map_size_mb, 0, max_mb)},
      {"storage.media_cache_mb",
       int_key(&C::storage, &C::storage_t::media_cache_mb, -1, max_mb)},
      {"queue.max_attempts", int_key(&C::queue, &C::queue_t::max_attempts, 1, 1000)},
      {"queue.max_rescues", int_key(&C::queue, &C::queue_t::max_rescues, 0, 1000)},
      {"queue.backoff_base_ms", int_key(&C::queue, &C::queue_t::backoff_base_ms, 1, max_ms)},
      {"queue.backoff_cap_ms", int_key(&C::queue, &C::queue_t::backoff_cap_ms, 1, max_ms)},
      {"queue.lease_ttl_ms", int_key(&C::queue, &C::queue_t::lease_ttl_ms, 1000, max_ms)},
      {"queue.rescue_interval_ms", int_key(&C::queue, &C::queue_t::rescue_interval_ms, 10, max_ms)},
      {"sources.allowed_hosts", [](C& c, const std::string&,
                                   const std::string& v) { c.sources.allowed_hosts = to_list(v); }},
      {"sources.allow_loopback", bool_key(&C::sources, &C::sources_t::allow_loopback)},
      {"tools.ytdlp", string_key(&C::tools, &C::tools_t::ytdlp)},
      {"tools.ffmpeg", string_key(&C::tools, &C::tools_t::ffmpeg)},
      {"tools.ytdlp_timeout_s", int_key(&C::tools, &C::tools_t::ytdlp_timeout_s, 1, max_s)},
      {"tools.ffmpeg_timeout_s", int_key(&C::tools, &C::tools_t::ffmpeg_timeout_s, 1, max_s)},
      {"tools.ytdlp_args",
       [](C& c, const std::string& where, const std::string& v) {
         try {
           c.tools.ytdlp_args = split_ytdlp_args(v);
         } catch (const std::invalid_argument& e) {
           throw config_error(where + ": " + e.what());
         }
       }},
      {"tools.js_runtime", string_key(&C::tools, &C::tools_t::js_runtime)},
      {"tools.release_url",
       [](C& c, const std::string& where, const std::string& v) {
         if (v.rfind("https://", 0) != 0 && v.rfind("http://", 0) != 0)
           throw config_error(where + ": expected an http:// or https:// URL, got '" + v + "'");
         c.tools.release_url = v;
       }},
      {"tools.ytdlp_asset", string_key(&C::tools, &C::tools_t::ytdlp_asset)},
      {"tools.auto_update_hours",
       int_key(&C::tools, &C::tools_t::auto_update_hours, 0, 24 * 365)},
      {"captions.languages",
       [](C& c, const std::string& where, const std::string& v) {
         c.captions.languages = to_list(v);
         if (c.captions.languages.empty())
           throw config_error(where + ": name at least one language (e.g. en.*,en)");
       }},
      {"captions.use", bool_key(&C::captions, &C::captions_t::use)},
      {"speech.model_dir",
       [](C& c, const std::string&, const std::string& v) { c.speech.model_dir = v; }},
      {"speech.external_command",
       [](C& c, const std::string&, const std::string& v) { c.speech.external_command = v; }},
      {"speech.timeout_s", int_key(&C::speech, &C::speech_t::timeout_s, 1, max_s)},
      {"speech.adaptation", bool_key(&C::speech, &C::speech_t::adaptation)},
      {"pipeline.enabled", bool_key(&C::pipeline, &C::pipeline_t::enabled)},
      {"pipeline.download_slots", int_key(&C::pipeline, &C::pipeline_t::download_slots, 1, 64)},
      {"pipeline.transcribe_slots", int_key(&C::pipeline, &C::pipeline_t::transcribe_slots, 0, 64)},
      {"pipeline.analyze_slots", int_key(&C::pipeline, &C::pipeline_t::analyze_slots, 1, 64)},
      {"pipeline.post_slots", int_key(&C::pipeline, &C::pipeline_t::post_slots, 1, 64)},
      {"analysis.topics", int_key(&C::analysis, &C::analysis_t::topics, 0, 100)},
      {"analysis.key_phrases", int_key(&C::analysis, &C::analysis_t::key_phrases, 0, 100)},
      {"analysis.summary_sentences",
       int_key(&C::analysis, &C::analysis_t::summary_sentences, 0, 100)},
      {"analysis.chunk_chars", int_key(&C::analysis, &C::analysis_t::chunk_chars, 100, 100000)},
      {"analysis.chunk_overlap_chars",
       int_key(&C::analysis, &C::analysis_t::chunk_overlap_chars, 0, 100000)},
      {"discord.public_key",
       [](C& c, const std::string& where, const std::string& v) {
         if (v.empty()) {
           c.discord.public_key.clear();
           return;
         }
         if (v.size() != 64 || v.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
           throw config_error(where + ": expected the application's public key (64 hex digits)");
         c.discord.public_key = v;
       }},
      {"discord.api_base",
       [](C& c, const std::string& where, const std::string& v) {
         if (v.rfind("https://", 0) != 0 && v.rfind("http://", 0) != 0)
           throw config_error(where + ": expected an http(s) URL");
         c.discord.api_base = v;
         while (!c.discord.api_base.empty() && c.discord.api_base.back() == '/')
           c.discord.api_base.pop_back();
       }},
      {"discord.post_attempts", int_key(&C::discord, &C::discord_t::post_attempts, 1, 100)},
      {"discord.bot_token", // empty: no bot (results go to the webhook)
       [](C& c, const std::string&, const std::string& v) { c.discord.bot_token = v; }},
      {"discord.backfill_posts",
       [](C& c, const std::string& where, const std::string& v) {
         c.discord.backfill_posts = backfill_mode(where, v);
       }},
      {"discord.digest_interval_min",
       int_key(&C::discord, &C::discord_t::digest_interval_min, 1, 7 * 24 * 60)},
      {"auto_follow.enabled", bool_key(&C::auto_follow, &C::auto_follow_t::enabled)},
      {"auto_follow.backfill", bool_key(&C::auto_follow, &C::auto_follow_t::backfill)},
      {"auto_follow.max_videos",
       int_key(&C::auto_follow, &C::auto_follow_t::max_videos, 0, 100000)},
      {"auto_follow.window_days",
       int_key(&C::auto_follow, &C::auto_follow_t::window_days, 1, 3650)},
      {"auto_follow.tabs",
       [](C& c, const std::string& where, const std::string& v) {
         c.auto_follow.tabs = channel_tab_list(where, v);
       }},
      {"auto_follow.refresh_interval_min",
       int_key(&C::auto_follow, &C::auto_follow_t::refresh_interval_min, 1, 7 * 24 * 60)},
      {"auto_follow.refresh_interval_s",
       int_key(&C::auto_follow, &C::auto_follow_t::refresh_interval_s, 0, 7 * 24 * 3600)},
      {"auto_follow.refresh_jitter_pct",
       int_key(&C::auto_follow, &C::auto_follow_t::refresh_jitter_pct, 0, 50)},
      {"log.level", word_key(&C::log, &C::log_t::level,
                             {"trace", "debug", "info", "warn", "error", "off"})},
      {"log.format", word_key(&C::log, &C::log_t::format, {"text", "json"})},
      {"rate_limits.listings_per_minute",
       int_key(&C::rate_limits, &C::rate_limits_t::listings_per_minute, 0, 100000)},
      {"rate_limits.listing_burst",
       int_key(&C::rate_limits, &C::rate_limits_t::listing_burst, 1, 10000)},
      {"rate_limits.downloads_per_minute",
       int_key(&C::rate_limits, &C::rate_limits_t::downloads_per_minute, 0, 100000)},
      {"rate_limits.download_burst",
       int_key(&C::rate_limits, &C::rate_limits_t::download_burst, 1, 10000)},
      {"api.listen", string_key(&C::api, &C::api_t::listen)},
      {"api.port", int_key(&C::api, &C::api_t::port, 0, 65535)},
      {"api.max_body_kb", int_key(&C::api, &C::api_t::max_body_kb, 1, 1 << 20)},
      {"api.public_url",
       [](C& c, const std::string& where, const std::string& v) {
         // The page lives at the root of its address (its files, /v1/...): no path.
         auto url = v;
         while (!url.empty() && url.back() == '/')
           url.pop_back();
         auto scheme = url.find("://");
         bool web = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
         if (!url.empty() && (!web || scheme + 3 == url.size() || url.size() > 900 ||
                              url.find_first_of(" \t/?#@", scheme + 3) != std::string::npos))
           throw config_error(where + ": expected the page's address, http(s)://HOST[:PORT] " +
                              "(no path, query or user), got '" + v + "'");
         c.api.public_url = url;
       }},
      {"cluster.listen", optional_string_key(&C::cluster, &C::cluster_t::listen)},
      {"cluster.port", int_key(&C::cluster, &C::cluster_t::port, 0, 65535)},
      {"cluster.join",
       [](C& c, const std::string& where, const std::string& v) {
         if (!v.empty() && !parse_host_port(v))
           throw config_error(where + ": expected HOST:PORT, got '" + v + "'");
         c.cluster.join = v;
       }},
      {"cluster.name", optional_string_key(&C::cluster, &C::cluster_t::name)},
      {"cluster.cert", optional_string_key(&C::cluster, &C::cluster_t::cert)},
      {"cluster.key", optional_string_key(&C::cluster, &C::cluster_t::key)},
      {"cluster.ca", optional_string_key(&C::cluster, &C::cluster_t::ca)},
  };
  return all;
}

/// [webhooks] maps "tenant/workspace" to a Discord webhook URL; its keys are not fixed.
constexpr std::string_view webhooks_prefix = "webhooks.";

/// [backfill_posts] maps "tenant/workspace" to digest, each or off.
constexpr std::string_view backfill_posts_prefix = "backfill_posts.";

/// The TENANT/WORKSPACE after a per-workspace section's prefix.
std::string workspace_key(const std::string& key, size_t prefix, const std::string& where) {
  auto workspace = key.substr(prefix);
  auto slash = workspace.find('/');
  if (slash == 0 || slash == std::string::npos || slash + 1 == workspace.size() ||
      workspace.find('/', slash + 1) != std::string::npos)
    throw config_error(where + ": keys are TENANT/WORKSPACE here, got '" + workspace + "'");
  return workspace;
}

void set_webhook(vfb_config& c, const std::string& key, const std::string& where,
                 const std::string& value) {
  auto workspace = workspace_key(key, webhooks_prefix.size(), where);
  if (value.rfind("https://", 0) != 0 && value.rfind("http://", 0) != 0)
    throw config_error(where + ": a webhook must be an http(s) URL");
  c.discord.webhooks[workspace] = value;
}

/// [guilds] GUILD_ID = TENANT/WORKSPACE and [guild_operators] GUILD_ID = ROLE_ID,...
bool set_guild(vfb_config& c, const std::string& key, const std::string& where,
               const std::string& value) {
  for (std::string_view section : {"guilds.", "guild_operators."}) {
    if (key.rfind(section, 0) != 0)
      continue;
    auto guild = key.substr(section.size());
    if (guild.empty() || guild.find_first_not_of("0123456789") != std::string::npos)
      throw config_error(where + ": a guild is named by its numeric id, got '" + guild + "'");
    if (section == "guilds.") {
      auto slash = value.find('/');
      if (slash == 0 || slash == std::string::npos || slash + 1 == value.size() ||
          value.find('/', slash + 1) != std::string::npos)
        throw config_error(where + ": expected TENANT/WORKSPACE, got '" + value + "'");
      c.discord.guilds[guild] = value;
    } else {
      c.discord.guild_operators[guild] = to_list(value);
    }
    return true;
  }
  return false;
}

} // namespace

bool is_config_section(const std::string& section) {
  static const std::set<std::string> free_form{"webhooks", "guilds", "guild_operators",
                                               "backfill_posts"};
  return free_form.count(section) != 0 || std::any_of(keys().begin(), keys().end(), [&](auto& kv) {
           return kv.first.rfind(section + ".", 0) == 0;
         });
}

void set_config_key(vfb_config& c, const std::string& key, const std::string& where,
                    const std::string& value) {
  if (key.rfind(webhooks_prefix, 0) == 0)
    return set_webhook(c, key, where, value);
  if (key.rfind(backfill_posts_prefix, 0) == 0) {
    auto workspace = workspace_key(key, backfill_posts_prefix.size(), where);
    c.discord.backfill_posts_for[workspace] = backfill_mode(where, value);
    return;
  }
  if (set_guild(c, key, where, value))
    return;
  auto it = keys().find(key);
  if (it == keys().end())
    throw config_error(where + ": unknown key '" + key + "' (conf/vfb.conf lists every key)");
  it->second(c, where, value);
}

} // namespace vfb
