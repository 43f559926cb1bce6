// The Discord post for a processed video: one embed within Discord's limits, and the client
// that sends it to a webhook (rate limits honoured, the webhook's token never shown). Plain C++.
#pragma once

#include "messages/media.hpp"

#include <chrono>
#include <cstdint>
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
  std::string page_url; // the job's page on the node ([api] public_url); empty: no link
};

/// The post for a download and its analysis.
discord_post make_post(const download_result& d, const analysis& a, const std::string& url);

/// The webhook body: one embed (title <= 256, description <= 4096, fields <= 1024 each,
/// everything <= 6000 characters, cut on UTF-8 boundaries with an ellipsis) and no mentions, so
/// a video title can never ping @everyone.
nlohmann::json build_webhook_payload(const discord_post& post);

/// One video of a digest.
struct digest_item {
  std::string title;
  std::string url;
};

/// The digest post for a follow's backfill or refresh videos: one embed titled with the count and
/// the uploader (linked to `channel_url` when it is a URL), one line per video, as many as fit
/// Discord's limits, then "…and N more". No mentions.
nlohmann::json build_digest_payload(const std::string& uploader, const std::string& channel_url,
                                    const std::vector<digest_item>& items);

/// `s` cut to at most `max` characters (code points), ending in "…" when cut.
std::string truncate_utf8(const std::string& s, size_t max);

/// The User-Agent of every request vfb sends to Discord, in the form Discord requires
/// ("DiscordBot ($url, $versionNumber)"; requests without it may be blocked).
extern const char* const discord_user_agent;

/// How a webhook post went.
struct webhook_result {
  int status = 0; // the HTTP status; 0 when no answer arrived
  bool ok = false;
  /// Discord's JSON error code and message when it sent them (e.g. 50027, "Invalid Webhook
  /// Token"); 0 and empty otherwise.
  int64_t code = 0;
  std::string message;
  /// The body of a successful answer (the created or edited message, or a command list).
  std::string body;
  /// Worth trying again later: 429, 5xx, no answer. A 4xx is permanent (the post or the webhook
  /// is wrong; retrying cannot help).
  bool retryable = false;
  /// Wait this long before the next post to this webhook: Discord's retry_after on a 429, or
  /// the bucket's reset-after when a successful post used up the bucket (0: no need to wait).
  std::chrono::milliseconds retry_after{0};
  /// For people: what went wrong, with Discord's own message when it sent one. Never holds the
  /// webhook's token.
  std::string error;
};

/// Posts `payload` to the webhook (http or https; certificates are verified) with ?wait=true, so
/// Discord confirms the message was created. Never throws for network or HTTP failures.
webhook_result post_webhook(const std::string& webhook_url, const nlohmann::json& payload,
                            std::chrono::seconds timeout = std::chrono::seconds{30});

/// Sends `payload` to any Discord API URL with `method` ("POST", "PATCH", "PUT"): e.g. editing
/// an interaction's deferred reply (PATCH .../webhooks/APP/TOKEN/messages/@original) or a bot
/// message (POST .../channels/ID/messages with `bot_token`, sent as `Authorization: Bot ...`).
/// Never throws for network or HTTP failures; neither the bot token nor a webhook's token
/// appears in the result.
webhook_result send_to_discord(const std::string& method, const std::string& url,
                               const nlohmann::json& payload,
                               std::chrono::seconds timeout = std::chrono::seconds{30},
                               const std::string& bot_token = {});

/// The URL with its secret replaced: ".../webhooks/ID/[redacted]"; for a URL of another shape,
/// everything after the host. Fit for logs and errors.
std::string redact_webhook_url(const std::string& webhook_url);

} // namespace vfb
