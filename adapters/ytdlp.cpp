#include "adapters/ytdlp.hpp"

#include "text/files.hpp"
#include "text/strings.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace vfb {

namespace {
using text::starts_with;
using text::trim;

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr milliseconds default_throttle_wait = std::chrono::minutes{15};

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (auto& p : parts)
    out += (out.empty() ? "" : sep) + p;
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

/// Whether a caption language is one yt-dlp's --sub-langs `pattern` asks for: "all", or a
/// regular expression matched against the whole code ("en.*", "en", "pt-BR").
bool lang_matches(const std::string& lang, const std::string& pattern) {
  if (pattern == "all")
    return true;
  if (pattern.empty() || pattern[0] == '-') // an exclusion: yt-dlp wrote no such file
    return false;
  try {
    return std::regex_match(lang, std::regex{pattern});
  } catch (const std::regex_error&) {
    return lang == pattern;
  }
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

/// The strings of the array `info[key]` (or, with `field`, of each element's `field`); empty
/// when it is missing, null or not an array.
std::vector<std::string> strings_in(const nlohmann::json& info, const char* key,
                                    const char* field) {
  std::vector<std::string> out;
  auto it = info.find(key);
  if (it == info.end() || !it->is_array())
    return out;
  for (const auto& e : *it) {
    const nlohmann::json* v = &e;
    if (field != nullptr) {
      if (!e.is_object() || !e.contains(field))
        continue;
      v = &e[field];
    }
    if (v->is_string() && !v->get<std::string>().empty())
      out.push_back(v->get<std::string>());
  }
  return out;
}

/// Whether `file` lies in `dir` (the info JSON is outside data: a path it names elsewhere, or
/// through "..", a link or a NUL, is never read).
bool inside(const std::string& file, const fs::path& dir) {
  if (file.find('\0') != std::string::npos)
    return false;
  std::error_code ec;
  auto f = fs::weakly_canonical(file, ec);
  auto d = fs::weakly_canonical(dir, ec);
  return !ec && f.parent_path() == d;
}

/// The media file: what yt-dlp says it wrote (in `out_dir`), else the one `media.EXT` (one dot:
/// not media.info.json, media.en.vtt, media.mp4.part or media.f137.mp4) in `out_dir`.
std::string find_media(const nlohmann::json& info, const fs::path& out_dir) {
  std::vector<std::string> named;
  if (auto rd = info.find("requested_downloads"); rd != info.end() && rd->is_array())
    for (auto& d : *rd)
      if (d.is_object())
        named.push_back(value_or<std::string>(d, "filepath", ""));
  named.push_back(value_or<std::string>(info, "filepath", ""));
  named.push_back(value_or<std::string>(info, "_filename", ""));
  std::error_code ec;
  for (auto& n : named)
    if (!n.empty() && inside(n, out_dir) && fs::is_regular_file(n, ec))
      return n;
  for (auto& e : fs::directory_iterator(out_dir, ec))
    if (e.path().stem() == "media" && e.path().has_extension() &&
        e.symlink_status(ec).type() == fs::file_type::regular) // a link could point anywhere
      return e.path().string();
  return {};
}

/// Caption files, best first: see parse_info_json.
std::vector<std::string> find_captions(const nlohmann::json& info, const fs::path& out_dir,
                                       const std::vector<std::string>& sub_langs) {
  struct found {
    std::string path;
    bool wanted;
    bool manual;
    size_t rank;
    int variant; // 0: the original speech ("en-orig"), 1: a plain language ("en"), 2: others
  };
  std::vector<found> all;
  auto manual = info.find("subtitles");
  std::error_code ec;
  for (auto& e : fs::directory_iterator(out_dir, ec)) {
    auto name = e.path().filename().string();
    if (!starts_with(name, "media.") || e.path().extension() != ".vtt" || name.size() <= 10)
      continue;
    auto lang = name.substr(6, name.size() - 6 - 4); // media.<lang>.vtt
    size_t rank = sub_langs.size();
    for (size_t i = 0; i < sub_langs.size() && rank == sub_langs.size(); ++i)
      if (lang_matches(lang, sub_langs[i]))
        rank = i;
    bool is_manual = manual != info.end() && manual->is_object() && manual->contains(lang);
    int variant = text::ends_with(lang, "-orig") ? 0 : lang.find('-') == std::string::npos ? 1 : 2;
    all.push_back({e.path().string(), rank < sub_langs.size(), is_manual, rank, variant});
  }
  // Ties go to the original speech ("en-orig": YouTube's recognition of what is said), then the
  // language itself (for a video in another language, YouTube's automatic "en" is a machine
  // translation), before any other variant: by file name, "media.en-de.vtt" (a translation)
  // would come before "media.en.vtt".
  std::sort(all.begin(), all.end(), [](const found& a, const found& b) {
    return std::tie(b.wanted, b.manual, a.rank, a.variant, a.path) <
           std::tie(a.wanted, a.manual, b.rank, b.variant, b.path);
  });
  std::vector<std::string> out;
  for (auto& f : all)
    out.push_back(f.path);
  return out;
}

/// Literal '%' in a directory name must not read as an output template field.
std::string escape_template(const std::string& s) {
  std::string out;
  for (char c : s)
    out += c == '%' ? std::string{"%%"} : std::string{c};
  return out;
}

/// What yt-dlp's messages can tell; the first that matches decides.
struct failure_sign {
  const char* text; // lower case
  ytdlp_failure kind;
};

const failure_sign failure_signs[] = {
    // Throttling first: a bot check or a 429 can come with other complaints.
    {"not a bot", ytdlp_failure::throttled},
    {"captcha", ytdlp_failure::throttled},
    {"http error 429", ytdlp_failure::throttled},
    {"too many requests", ytdlp_failure::throttled},
    {"rate-limit", ytdlp_failure::throttled},
    {"rate limit", ytdlp_failure::throttled},
    {"try again later", ytdlp_failure::throttled},
    {"private video", ytdlp_failure::permanent},
    {"video is private", ytdlp_failure::permanent},
    {"video unavailable", ytdlp_failure::permanent},
    {"has been removed", ytdlp_failure::permanent},
    {"has been deleted", ytdlp_failure::permanent},
    {"no longer available", ytdlp_failure::permanent},
    {"has been terminated", ytdlp_failure::permanent},
    {"members-only", ytdlp_failure::permanent},
    {"members only", ytdlp_failure::permanent},
    {"join this channel", ytdlp_failure::permanent},
    {"available to this channel's members", ytdlp_failure::permanent},
    {"sign in to confirm your age", ytdlp_failure::permanent},
    {"drm protected", ytdlp_failure::permanent},
    {"requested format is not available", ytdlp_failure::permanent},
    {"unsupported url", ytdlp_failure::permanent},
    {"is not a valid url", ytdlp_failure::permanent},
    {"incomplete youtube id", ytdlp_failure::permanent},
    {"http error 404", ytdlp_failure::permanent},
    {"http error 410", ytdlp_failure::permanent},
};

/// Not out yet: YouTube's own words for a premiere or a scheduled stream.
const char* const not_yet_signs[] = {"premieres in", "premiere will begin",
                                     "this live event will begin", "live event will begin"};

/// yt-dlp's warnings when YouTube's JavaScript challenge went unsolved on this host.
const char* const unsolved_challenge_signs[] = {
    "challenge solving failed", "no supported javascript runtime", "only images are available"};

constexpr auto longest_wait_for_premiere = std::chrono::hours{24 * 30};

/// How long until a premiere or stream begins: "in 2 hours", "in 3 days", "in a few moments".
/// "a", "an" or a number of units as a message says it, capped at a million (more says "much
/// later" just as well, and the waits computed from it stay far from overflowing).
int64_t units_in(const std::string& word) {
  if (word[0] == 'a')
    return 1;
  constexpr int64_t most = 1'000'000;
  int64_t n = 0;
  for (char c : word)
    if ((n = n * 10 + (c - '0')) >= most)
      return most;
  return n;
}

milliseconds wait_until_release(const std::string& lowered) {
  static const std::regex in{
      R"(in\s+(an?|\d+)\s*(second|sec|minute|min|hour|hr|day|week|month)s?\b)"};
  std::smatch m;
  if (lowered.find("few moments") != std::string::npos ||
      lowered.find("shortly") != std::string::npos)
    return std::chrono::minutes{5};
  if (!std::regex_search(lowered, m, in))
    return std::chrono::hours{1}; // a date or words we cannot read: look again in an hour
  auto n = units_in(m[1].str());
  auto unit = m[2].str();
  std::chrono::seconds s{n};
  if (unit.rfind("min", 0) == 0)
    s = std::chrono::minutes{n};
  else if (unit[0] == 'h')
    s = std::chrono::hours{n};
  else if (unit == "day")
    s = std::chrono::hours{24 * n};
  else if (unit == "week")
    s = std::chrono::hours{24 * 7 * n};
  else if (unit == "month")
    s = std::chrono::hours{24 * 30 * n};
  return milliseconds{s};
}

/// "retry after 30", "Retry-After: 30", "try again in 5 minutes", "for up to an hour".
std::optional<milliseconds> wait_named_in(const std::string& lowered) {
  static const std::regex wait{
      R"((?:retry[- ]after:?|try again in|for up to|wait)\s+(an?|\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)?\b)"};
  std::smatch m;
  if (!std::regex_search(lowered, m, wait))
    return std::nullopt;
  auto n = units_in(m[1].str());
  auto unit = m[2].str();
  std::chrono::seconds s{n};
  if (!unit.empty() && unit[0] == 'm')
    s = std::chrono::minutes{n};
  else if (!unit.empty() && unit[0] == 'h')
    s = std::chrono::hours{n};
  else if (!unit.empty() && unit[0] == 'd')
    s = std::chrono::hours{24 * n};
  if (s.count() <= 0 || s > std::chrono::hours{24}) // not believable: the default is safer
    return std::nullopt;
  return milliseconds{s};
}

/// A line as a reason: trimmed, without "ERROR: " and yt-dlp's bug-report request ("; please
/// report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the
/// appropriate issue template. Confirm you are on the latest version using  yt-dlp -U"), not
/// endless.
std::string reason_text(std::string_view line) {
  line = trim(line);
  if (starts_with(line, "ERROR:"))
    line = trim(line.substr(6));
  if (auto plea = text::ascii_lower(line).find("please report this issue");
      plea != std::string::npos) {
    line = trim(line.substr(0, plea));
    while (!line.empty() && (line.back() == ';' || line.back() == ','))
      line = trim(line.substr(0, line.size() - 1));
  }
  constexpr size_t max_reason = 400;
  if (line.size() > max_reason)
    return std::string{line.substr(0, max_reason)} + "...";
  return std::string{line};
}

std::vector<std::string_view> nonempty_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto eol = text.find('\n');
    auto line = trim(text.substr(0, eol));
    if (!line.empty())
      out.push_back(line);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
  }
  return out;
}

ytdlp_error failed(ytdlp_failure kind, std::string reason) {
  return ytdlp_error({kind, std::move(reason), milliseconds{0}});
}

} // namespace

std::vector<std::string> download_argv(const ytdlp_options& opts, const std::string& url,
                                       const fs::path& out_dir) {
  std::vector<std::string> argv{
      opts.program,
      "--ignore-config", // a user's yt-dlp config must not change what we get
      "--no-cache-dir",  // nor write outside the job's directory
      "--no-playlist",
      "--no-colors",
      "--newline", // progress as lines we can stream
      "--socket-timeout",
      std::to_string(opts.socket_timeout.count()),
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
      escape_template((out_dir / "media").string()) + ".%(ext)s",
  };
  if (!opts.date_after.empty()) {
    argv.push_back("--dateafter");
    argv.push_back(opts.date_after);
  }
  if (opts.time_after > 0) {
    argv.push_back("--match-filters");
    argv.push_back("timestamp>=?" + std::to_string(opts.time_after)); // `?`: no time, no check
  }
  argv.insert(argv.end(), opts.extra_args.begin(), opts.extra_args.end());
  // Machine translations of people's captions ("en-de": English from German) match "en.*" and
  // cost one request each; a 429 on any of them fails the whole download.
  add_extractor_arg(argv, "youtube", "skip=translated_subs");
  argv.push_back("--");
  argv.push_back(url);
  return argv;
}

void add_extractor_arg(std::vector<std::string>& argv, const std::string& extractor,
                       const std::string& arg) {
  auto prefix = extractor + ":";
  auto name = arg.substr(0, arg.find('='));
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] != "--extractor-args" || text::ascii_lower(argv[i + 1]).rfind(prefix, 0) != 0)
      continue;
    // yt-dlp keeps only the last --extractor-args of an extractor: add to it instead.
    auto& value = argv[i + 1];
    std::vector<std::string> parts;
    std::stringstream in{value.substr(prefix.size())};
    bool merged = false;
    for (std::string part; std::getline(in, part, ';');) {
      if (part.substr(0, part.find('=')) == name && arg.find('=') != std::string::npos &&
          part.find('=') != std::string::npos) {
        part += "," + arg.substr(arg.find('=') + 1); // skip=dash -> skip=dash,translated_subs
        merged = true;
      } else if (part == arg) {
        merged = true;
      }
      parts.push_back(part);
    }
    if (!merged)
      parts.push_back(arg);
    value = prefix + join(parts, ";");
    return;
  }
  argv.insert(argv.end(), {"--extractor-args", prefix + arg});
}

int64_t epoch_seconds(double seconds) {
  constexpr double year_5000 = 95'617'584'000.0;
  if (!(seconds >= 0 && seconds < year_5000))
    return 0;
  return static_cast<int64_t>(seconds);
}

download_result parse_info_json(std::string_view json, const fs::path& out_dir,
                                const std::vector<std::string>& sub_langs) {
  nlohmann::json info;
  try {
    info = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) { // also a number too large (out_of_range)
    throw failed(ytdlp_failure::permanent,
                 std::string{"yt-dlp wrote malformed info JSON: "} + e.what());
  }
  if (!info.is_object() || value_or<std::string>(info, "id", "").empty())
    throw failed(ytdlp_failure::permanent, "yt-dlp's info JSON names no video id");
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
  // Generic pages report a fractional timestamp (from Last-Modified).
  r.timestamp = epoch_seconds(value_or<double>(info, "timestamp", 0.0));
  r.duration = value_or<double>(info, "duration", 0.0);
  r.live_status = value_or<std::string>(info, "live_status", "");
  r.availability = value_or<std::string>(info, "availability", "");
  r.media_path = find_media(info, out_dir);
  r.caption_paths = find_captions(info, out_dir, sub_langs);
  // What the uploader says the video is about (biases the recogniser, weighs topics). Each is
  // null or missing on many sites; a tag or chapter that is not text is skipped.
  r.description = value_or<std::string>(info, "description", "");
  r.tags = strings_in(info, "tags", nullptr);
  r.chapters = strings_in(info, "chapters", "title");
  return r;
}

classified_failure classify_failure(int exit_code, std::string_view stderr_text) {
  auto lines = nonempty_lines(stderr_text);
  std::vector<std::string_view> errors;
  for (auto l : lines)
    if (starts_with(l, "ERROR:"))
      errors.push_back(l);
  auto& telling = errors.empty() ? lines : errors;
  classified_failure f;
  f.kind = ytdlp_failure::transient;
  auto any_of = [](const std::vector<std::string_view>& among, const char* sign) {
    return std::find_if(among.begin(), among.end(),
                        [&](std::string_view l) { return contains(text::ascii_lower(l), sign); });
  };
  // The host, not the video: without a JavaScript runtime YouTube offers only images.
  if (auto no_format = any_of(telling, "requested format is not available");
      no_format != telling.end() &&
      std::any_of(std::begin(unsolved_challenge_signs), std::end(unsolved_challenge_signs),
                  [&](const char* sign) { return any_of(lines, sign) != lines.end(); })) {
    f.reason = "YouTube's JavaScript challenge was not solved on this node, so yt-dlp found only "
               "images to download (" +
               reason_text(*no_format) +
               "). Install Deno 2.3 or newer (scripts/setup does) or set tools.js_runtime, and "
               "check with `vfb doctor`";
    return f;
  }
  for (const char* sign : not_yet_signs) {
    auto hit = any_of(telling, sign);
    if (hit == telling.end())
      continue;
    auto wait = wait_until_release(text::ascii_lower(*hit));
    f.reason = reason_text(*hit);
    if (wait > longest_wait_for_premiere) {
      f.kind = ytdlp_failure::permanent;
      f.reason += " (more than 30 days away: `vfb queue retry` runs it again once it is out)";
      return f;
    }
    f.kind = ytdlp_failure::not_yet;
    f.retry_after = wait;
    return f;
  }
  for (auto& sign : failure_signs) {
    auto hit = std::find_if(telling.begin(), telling.end(), [&](std::string_view l) {
      return contains(text::ascii_lower(l), sign.text);
    });
    if (hit == telling.end())
      continue;
    f.kind = sign.kind;
    f.reason = reason_text(*hit);
    if (f.kind == ytdlp_failure::throttled)
      f.retry_after = wait_named_in(text::ascii_lower(stderr_text)).value_or(default_throttle_wait);
    return f;
  }
  f.reason = telling.empty() ? "yt-dlp exited with " + std::to_string(exit_code)
                             : reason_text(telling.back());
  return f;
}

classified_failure classify_failure(const process_result& run) {
  if (run.spawn_failed) // yt-dlp may be installed later; the job waits
    return {ytdlp_failure::transient, run.error, milliseconds{0}};
  if (run.timed_out || run.cancelled || run.signal != 0)
    return {ytdlp_failure::transient, "yt-dlp " + run.describe(), milliseconds{0}};
  return classify_failure(run.exit_code, run.err);
}

std::optional<double> parse_progress(std::string_view line) {
  constexpr std::string_view tag = "[download]";
  if (!starts_with(line, tag))
    return std::nullopt;
  auto pct = line.find('%');
  if (pct == std::string_view::npos)
    return std::nullopt;
  auto start = pct;
  while (start > tag.size() &&
         (std::isdigit(static_cast<unsigned char>(line[start - 1])) || line[start - 1] == '.'))
    --start;
  if (start == pct || !trim(line.substr(tag.size(), start - tag.size())).empty())
    return std::nullopt; // only "[download]  42.0% of ...", not a file name with a '%'
  try {
    auto value = std::stod(std::string{line.substr(start, pct - start)});
    if (value < 0 || value > 100)
      return std::nullopt;
    return value;
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
  if (ec)
    throw failed(ytdlp_failure::transient,
                 "cannot create " + out_dir.string() + ": " + ec.message());
  process_options po;
  po.argv = download_argv(opts, url, out_dir);
  po.timeout = std::chrono::duration_cast<milliseconds>(opts.timeout);
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
    auto said = nonempty_lines(run.err + run.out);
    throw failed(ytdlp_failure::transient,
                 "yt-dlp wrote no info JSON (" +
                     (said.empty() ? std::string{"no output"} : reason_text(said.back())) + ")");
  }
  auto info = text::read_file(info_path);
  if (!info)
    throw failed(ytdlp_failure::transient, text::read_failure(info_path));
  auto result = parse_info_json(*info, out_dir, opts.sub_langs);
  if (result.media_path.empty())
    throw failed(ytdlp_failure::transient, "yt-dlp reported success but wrote no media file");
  return result;
}

} // namespace vfb
