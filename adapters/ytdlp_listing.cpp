#include "adapters/ytdlp_listing.hpp"

#include "adapters/process.hpp"

#include <nlohmann/json.hpp>

namespace vfb {

namespace {

std::string string_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

} // namespace

int64_t listing_edge(const listing_options& opts) {
  auto since_s = opts.since / 1000;
  constexpr int64_t day = 24 * 3600;
  if (!opts.youtube || since_s % day == 0)
    return since_s;
  return (since_s / day + 1) * day;
}

std::vector<std::string> listing_argv(const listing_options& opts, const std::string& url) {
  std::vector<std::string> argv{
      opts.program,  "--ignore-config",  "--no-cache-dir",
      "--no-colors", "--flat-playlist",  "--lazy-playlist",
      "-j",          "--socket-timeout", std::to_string(opts.socket_timeout.count())};
  argv.insert(argv.end(), opts.extra_args.begin(), opts.extra_args.end());
  if (opts.youtube)
    add_extractor_arg(argv, "youtubetab", "approximate_date");
  // Conditions that must hold for the listing to go on; `?` lets entries without the field
  // pass (they are kept up to the cap, and their download checks the date).
  std::string filter;
  if (opts.chronological &&
      opts.since > 0) // strict: an entry dated at the edge is older than the window
    filter = "timestamp>?" + std::to_string(listing_edge(opts));
  // Entries without an id of their own (feeds) cannot be stopped at: the window and the queue's
  // dedupe keep their refreshes short and exact instead.
  if (opts.chronological && !opts.stop_at_id.empty() && opts.stop_at_id.rfind("url:", 0) != 0)
    filter += (filter.empty() ? "" : " & ") + std::string{"id!=?"} + opts.stop_at_id;
  if (!filter.empty()) {
    argv.push_back("--break-match-filters");
    argv.push_back(filter);
  }
  argv.push_back("--");
  argv.push_back(url);
  return argv;
}

std::optional<listing_entry> parse_listing_line(std::string_view line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object())
    return std::nullopt;
  listing_entry e;
  e.url = string_field(j, "url");
  if (e.url.empty())
    e.url = string_field(j, "webpage_url");
  // Feed entries carry data for the extractor in the fragment; the video is the URL before it.
  if (auto smuggled = e.url.find("#__youtubedl_smuggle"); smuggled != std::string::npos)
    e.url.erase(smuggled);
  e.id = string_field(j, "id");
  if (e.id.empty() && !e.url.empty() && e.url.find("://") != std::string::npos)
    e.id = "url:" + e.url; // feeds list entries without an id
  if (e.id.empty())
    return std::nullopt;
  e.title = string_field(j, "title");
  e.availability = string_field(j, "availability");
  e.live_status = string_field(j, "live_status");
  if (auto ts = j.find("timestamp"); ts != j.end() && ts->is_number())
    e.timestamp = epoch_seconds(ts->get<double>());
  if (auto d = j.find("duration"); d != j.end() && d->is_number())
    e.duration = d->get<double>();
  if (auto rt = j.find("release_timestamp"); rt != j.end() && rt->is_number())
    e.release_timestamp = epoch_seconds(rt->get<double>());
  // YouTube's flat entries name the video by id; the pipeline wants a URL it can canonicalise.
  auto ie = string_field(j, "ie_key");
  if ((ie == "Youtube" || string_field(j, "extractor_key") == "YoutubeTab") &&
      (e.url.empty() || e.url.find("://") == std::string::npos))
    e.url = "https://www.youtube.com/watch?v=" + e.id;
  if (e.url.empty())
    return std::nullopt;
  return e;
}

bool is_unavailable(const listing_entry& e) {
  return e.title == "[Private video]" || e.title == "[Deleted video]" ||
         e.availability == "private" || e.availability == "needs_auth" ||
         e.availability == "subscriber_only" || e.availability == "premium_only";
}

listing_result list_entries(const listing_options& opts, const std::string& url,
                            const std::atomic<bool>* cancel) {
  listing_result r;
  std::atomic<bool> enough{false};
  std::atomic<bool> stop{false};
  auto edge = listing_edge(opts);
  process_options po;
  po.argv = listing_argv(opts, url);
  po.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout);
  po.cancel = &stop;
  po.on_stdout_line = [&](std::string_view line) {
    if (cancel != nullptr && cancel->load())
      stop = true;
    if (enough || line.find_first_not_of(" \t\r") == std::string_view::npos)
      return;
    ++r.lines;
    auto e = parse_listing_line(line);
    if (!e) {
      ++r.malformed_lines;
      return;
    }
    if (is_unavailable(*e)) {
      ++r.unavailable;
      return;
    }
    if (e->timestamp > 0 && opts.since > 0 && e->timestamp <= edge) {
      ++r.too_old; // yt-dlp's filter stops at the first one; a playlist may have many
      return;
    }
    if (e->timestamp == 0)
      ++r.without_timestamp;
    r.entries.push_back(std::move(*e));
    if (opts.limit > 0 && r.entries.size() >= opts.limit) {
      r.reached_limit = true;
      enough = true;
      stop = true; // no need to page further
    }
  };
  auto run = run_process(po);
  if (r.reached_limit)
    return r;
  if (run.exit_code == 101) {
    r.stopped_at_filter = true;
    return r;
  }
  if (!run.ok())
    throw ytdlp_error(classify_failure(run));
  return r;
}

} // namespace vfb
