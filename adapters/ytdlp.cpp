#include "adapters/ytdlp.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace vfb {

namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (auto& p : parts)
    out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

/// Whether a caption language matches one of yt-dlp's --sub-langs patterns ("en.*", "en").
bool lang_matches(const std::string& lang, const std::string& pattern) {
  if (pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0)
    return lang.compare(0, pattern.size() - 2, pattern, 0, pattern.size() - 2) == 0;
  return lang == pattern;
}

template <class T> T value_or(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

/// The media file: what yt-dlp says it wrote, else the one `media.*` file that is not metadata.
std::string find_media(const nlohmann::json& info, const fs::path& out_dir) {
  std::vector<std::string> named;
  if (auto rd = info.find("requested_downloads"); rd != info.end() && rd->is_array())
    for (auto& d : *rd)
      named.push_back(value_or<std::string>(d, "filepath", ""));
  named.push_back(value_or<std::string>(info, "filepath", ""));
  named.push_back(value_or<std::string>(info, "_filename", ""));
  for (auto& n : named) {
    std::error_code ec;
    if (!n.empty() && fs::is_regular_file(n, ec))
      return n;
  }
  std::error_code ec;
  for (auto& e : fs::directory_iterator(out_dir, ec)) {
    auto name = e.path().filename().string();
    auto ext = e.path().extension().string();
    if (name.rfind("media.", 0) == 0 && ext != ".json" && ext != ".vtt" && ext != ".part" &&
        ext != ".ytdl" && e.is_regular_file(ec))
      return e.path().string();
  }
  return {};
}

/// Caption files, manual captions before automatic ones, each in `sub_langs` order.
std::vector<std::string> find_captions(const nlohmann::json& info, const fs::path& out_dir,
                                       const std::vector<std::string>& sub_langs) {
  struct found {
    std::string path;
    bool manual;
    size_t rank;
  };
  std::vector<found> all;
  auto manual = info.find("subtitles");
  std::error_code ec;
  for (auto& e : fs::directory_iterator(out_dir, ec)) {
    auto name = e.path().filename().string();
    if (name.rfind("media.", 0) != 0 || e.path().extension() != ".vtt")
      continue;
    auto lang = name.substr(6, name.size() - 6 - 4); // media.<lang>.vtt
    size_t rank = sub_langs.size();
    for (size_t i = 0; i < sub_langs.size(); ++i)
      if (lang_matches(lang, sub_langs[i])) {
        rank = i;
        break;
      }
    bool is_manual = manual != info.end() && manual->is_object() && manual->contains(lang);
    all.push_back({e.path().string(), is_manual, rank});
  }
  std::sort(all.begin(), all.end(), [](const found& a, const found& b) {
    return std::tie(b.manual, a.rank, a.path) < std::tie(a.manual, b.rank, b.path);
  });
  std::vector<std::string> out;
  for (auto& f : all)
    out.push_back(f.path);
  return out;
}

/// The most telling line of yt-dlp's complaints: its last ERROR line, else the last line.
std::string reason_from(const std::string& err, const std::string& fallback) {
  std::istringstream in{err};
  std::string line, last, last_error;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    last = line;
    if (line.rfind("ERROR:", 0) == 0)
      last_error = line;
  }
  auto pick = !last_error.empty() ? last_error : last;
  if (pick.rfind("ERROR: ", 0) == 0)
    pick.erase(0, 7);
  return pick.empty() ? fallback : pick;
}

} // namespace

std::vector<std::string> download_argv(const ytdlp_options& opts, const std::string& url,
                                       const fs::path& out_dir) {
  std::vector<std::string> argv{
      opts.program,
      "--ignore-config", // a user's yt-dlp config must not change what we get
      "--no-cache-dir",
      "--no-playlist",
      "--no-colors",
      "--newline", // progress as lines we can stream
      "--socket-timeout",
      "30",
      "--restrict-filenames",
      "--no-mtime",
      "-f",
      opts.format,
      "--write-info-json",
      "--write-subs",
      "--write-auto-subs",
      "--sub-langs",
      join(opts.sub_langs, ","),
      "--sub-format",
      "vtt",
      "-o",
      (out_dir / "media.%(ext)s").string(),
  };
  if (!opts.date_after.empty()) {
    argv.push_back("--dateafter");
    argv.push_back(opts.date_after);
  }
  argv.insert(argv.end(), opts.extra_args.begin(), opts.extra_args.end());
  argv.push_back("--");
  argv.push_back(url);
  return argv;
}

download_result parse_info_json(std::string_view json, const fs::path& out_dir,
                                const std::vector<std::string>& sub_langs) {
  nlohmann::json info;
  try {
    info = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    throw ytdlp_error({ytdlp_failure::permanent,
                       std::string{"yt-dlp wrote malformed info JSON: "} + e.what(),
                       std::chrono::milliseconds{0}});
  }
  if (!info.is_object() || value_or<std::string>(info, "id", "").empty())
    throw ytdlp_error({ytdlp_failure::permanent, "yt-dlp's info JSON names no video id",
                       std::chrono::milliseconds{0}});
  download_result r;
  r.extractor =
      value_or<std::string>(info, "extractor_key", value_or<std::string>(info, "extractor", ""));
  r.video_id = value_or<std::string>(info, "id", "");
  r.title = value_or<std::string>(info, "title", "");
  r.uploader = value_or<std::string>(info, "uploader", "");
  r.uploader_id = value_or<std::string>(info, "uploader_id", "");
  r.uploader_url = value_or<std::string>(info, "uploader_url", "");
  r.channel_id = value_or<std::string>(info, "channel_id", "");
  r.channel_url = value_or<std::string>(info, "channel_url", "");
  r.webpage_url = value_or<std::string>(info, "webpage_url", "");
  r.upload_date = value_or<std::string>(info, "upload_date", "");
  r.timestamp = value_or<int64_t>(info, "timestamp", 0);
  r.duration = value_or<double>(info, "duration", 0.0);
  r.live_status = value_or<std::string>(info, "live_status", "");
  r.availability = value_or<std::string>(info, "availability", "");
  r.media_path = find_media(info, out_dir);
  r.caption_paths = find_captions(info, out_dir, sub_langs);
  return r;
}

classified_failure classify_failure(const process_result& run) {
  using namespace std::chrono;
  classified_failure f;
  if (run.spawn_failed) {
    f.kind = ytdlp_failure::transient; // yt-dlp may be installed later; the job waits
    f.reason = run.error;
    return f;
  }
  if (run.timed_out || run.cancelled || run.signal != 0) {
    f.kind = ytdlp_failure::transient;
    f.reason = "yt-dlp " + run.describe();
    return f;
  }
  f.reason = reason_from(run.err, "yt-dlp " + run.describe());
  auto text = lower(run.err);
  // Throttling first: a bot check or 429 can come with other complaints.
  if (contains(text, "not a bot") || contains(text, "http error 429") ||
      contains(text, "too many requests") || contains(text, "rate-limit") ||
      contains(text, "rate limit")) {
    f.kind = ytdlp_failure::throttled;
    f.retry_after = minutes{15};
    return f;
  }
  static const char* permanent[] = {
      "private video",       "video is private",
      "video unavailable",   "has been removed",
      "no longer available", "account associated with this video has been terminated",
      "members-only",        "members only",
      "join this channel",   "available to this channel's members",
      "unsupported url",     "http error 404",
      "http error 410",      "sign in to confirm your age",
      "is not a valid url",
  };
  for (auto* p : permanent)
    if (contains(text, p)) {
      f.kind = ytdlp_failure::permanent;
      return f;
    }
  f.kind = ytdlp_failure::transient;
  return f;
}

std::optional<double> parse_progress(std::string_view line) {
  constexpr std::string_view tag = "[download]";
  if (line.substr(0, tag.size()) != tag)
    return std::nullopt;
  auto pct = line.find('%');
  if (pct == std::string_view::npos)
    return std::nullopt;
  auto start = pct;
  while (start > tag.size() &&
         (std::isdigit(static_cast<unsigned char>(line[start - 1])) || line[start - 1] == '.'))
    --start;
  if (start == pct)
    return std::nullopt;
  try {
    return std::stod(std::string{line.substr(start, pct - start)});
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool skipped_by_date(std::string_view output) {
  return contains(output, "upload date is not in range") ||
         contains(output, "does not pass filter");
}

std::optional<download_result>
download(const ytdlp_options& opts, const std::string& url, const fs::path& out_dir,
         const std::function<void(double, const std::string&)>& progress,
         const std::atomic<bool>* cancel) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  process_options po;
  po.argv = download_argv(opts, url, out_dir);
  po.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout);
  po.cancel = cancel;
  po.on_stdout_line = [&](std::string_view line) {
    if (!progress)
      return;
    if (auto p = parse_progress(line))
      progress(*p / 100.0, "downloading");
  };
  auto run = run_process(po);
  if (!run.ok())
    throw ytdlp_error(classify_failure(run));
  auto info_path = out_dir / "media.info.json";
  if (!fs::exists(info_path, ec)) {
    if (skipped_by_date(run.out) || skipped_by_date(run.err))
      return std::nullopt;
    throw ytdlp_error(
        {ytdlp_failure::transient,
         "yt-dlp wrote no info JSON (" + reason_from(run.err + run.out, "no output") + ")",
         std::chrono::milliseconds{0}});
  }
  std::ifstream in(info_path);
  std::stringstream text;
  text << in.rdbuf();
  auto result = parse_info_json(text.str(), out_dir, opts.sub_langs);
  if (result.media_path.empty())
    throw ytdlp_error({ytdlp_failure::transient, "yt-dlp reported success but wrote no media file",
                       std::chrono::milliseconds{0}});
  return result;
}

} // namespace vfb
