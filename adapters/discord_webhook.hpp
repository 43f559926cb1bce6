// The Discord post for a processed video: one embed within Discord's limits. Plain C++.
#pragma once

#include "messages/media.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace vfb {

/// What a post shows.
struct discord_post {
  std::string title;
  std::string url;
  std::string uploader;
  std::string duration_text; // "3:32", empty when unknown
  std::string summary;
  std::vector<std::string> topics;
  std::vector<std::string> key_phrases;
};

/// The post for a download and its analysis.
discord_post make_post(const download_result& d, const analysis& a, const std::string& url);

/// "1:02:03" / "3:32" for a duration in seconds; empty for 0.
std::string format_duration_text(double seconds);

/// The webhook body: one embed (title <= 256, description <= 4096, fields <= 1024 each,
/// everything <= 6000 characters, cut on UTF-8 boundaries with an ellipsis) and no mentions, so
/// a video title can never ping @everyone.
nlohmann::json build_webhook_payload(const discord_post& post);

/// `s` cut to at most `max` characters (code points), ending in "…" when cut.
std::string truncate_utf8(const std::string& s, size_t max);

} // namespace vfb
