// Reading vfb's config file with inih (libinih), then --set overrides and the design's
// environment flags (adapters/config_file.hpp). inih splits lines into sections and keys; the
// key table (adapters/config_keys.cpp) turns values into settings. Debian's inih passes no line
// numbers to the handler, so the lines are fed through our own reader, which counts them.
#include "adapters/config_file.hpp"

#include "adapters/config_keys.hpp"
#include "text/files.hpp"
#include "text/strings.hpp"

#include <cerrno>
#include <cstring>
#include <ini.h>

extern char** environ;

namespace vfb {

namespace {

std::string trim(std::string_view s) {
  return std::string(text::trim(s));
}

/// The file's text handed to inih in fgets-sized pieces, and where inih is: the line number
/// and the line itself, for "FILE:LINE: what is wrong". Section headers are checked as their
/// line passes (inih reports keys only, so an unknown section without keys would go
/// unnoticed). The first error is kept here and stops the parse: nothing may throw through C.
struct config_lines {
  vfb_config& config;
  std::string file;
  std::string text;
  size_t pos = 0;
  size_t line_start = 0;
  int line = 0;
  std::string error;

  std::string where() const { return file + ":" + std::to_string(line); }

  /// The current line without surrounding whitespace.
  std::string current() const {
    auto end = text.find('\n', line_start);
    auto length = end == std::string::npos ? std::string::npos : end - line_start;
    return trim(std::string_view{text}.substr(line_start, length));
  }

  /// A "[section]" line must be well-formed and name a known section.
  bool check_section_header() {
    auto header = current();
    if (header.empty() || header.front() != '[')
      return true;
    if (header.back() != ']')
      error = where() + ": malformed section header '" + header + "'";
    else if (auto section = trim(std::string_view{header}.substr(1, header.size() - 2));
             !is_config_section(section))
      error = where() + ": unknown section [" + section + "]";
    return error.empty();
  }
};

/// inih's reader, as fgets: at most size - 1 characters, up to and including a newline.
char* next_piece(char* buf, int size, void* stream) {
  auto& in = *static_cast<config_lines*>(stream);
  if (!in.error.empty() || in.pos >= in.text.size())
    return nullptr;
  if (in.pos == 0 || in.text[in.pos - 1] == '\n') {
    ++in.line;
    in.line_start = in.pos;
    if (!in.check_section_header())
      return nullptr;
  }
  size_t n = 0;
  while (n + 1 < static_cast<size_t>(size) && in.pos < in.text.size()) {
    char c = in.text[in.pos++];
    buf[n++] = c;
    if (c == '\n')
      break;
  }
  buf[n] = '\0';
  return buf;
}

/// inih's handler for one key line (value null: the line has no separator at all).
int on_key(void* user, const char* section, const char* name, const char* value) {
  auto& in = *static_cast<config_lines*>(user);
  try {
    auto line_text = in.current();
    auto eq = line_text.find('=');
    if (value == nullptr || eq == std::string::npos)
      throw config_error(in.where() + ": expected 'key = value', got '" + line_text + "'");
    if (trim(section).empty())
      throw config_error(in.where() + ": key outside of a [section]");
    auto key = trim(name);
    std::string val = value;
    if (line_text.find(':') < eq) { // inih splits at ':' too; the format splits at '=' only
      key = trim(std::string_view{line_text}.substr(0, eq));
      val = trim(std::string_view{line_text}.substr(eq + 1));
    }
    if (val.size() >= 2 && val.front() == '"' && val.back() == '"')
      val = val.substr(1, val.size() - 2);
    set_config_key(in.config, trim(section) + "." + key, in.where(), val);
  } catch (const std::exception& e) {
    in.error = e.what();
    return 0;
  }
  return 1;
}

void read_file(vfb_config& c, const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw config_error(file.string() + ": is a directory, not a config file");
  auto whole = text::read_file(file);
  if (!whole) {
    auto code = errno;
    throw config_error(file.string() + ": cannot read: " + std::strerror(code));
  }
  config_lines in{c, file.string(), std::move(*whole), 0, 0, 0, {}};
  if (text::starts_with(in.text, "\xEF\xBB\xBF")) // a UTF-8 byte order mark, as inih allows
    in.text.erase(0, 3);
  // The file format predates inih and is part of the interface: an indented line is a line of
  // its own (no continuation lines), ';' inside a value belongs to it (URLs, yt-dlp arguments),
  // a line without '=' reaches on_key (which names it), and lines may be long.
  ini_allow_multiline = false;
  ini_allow_inline_comments = false;
  ini_allow_no_value = true;
  ini_stop_on_first_error = true;
  ini_use_stack = false;
  ini_allow_realloc = true;
  ini_max_line = 1 << 20;
  int rc = ini_parse_stream(next_piece, &in, on_key, &in);
  if (!in.error.empty())
    throw config_error(in.error);
  if (rc != 0)
    throw config_error(file.string() + ":" + std::to_string(rc) + ": cannot parse this line");
}

/// The original design's environment flags and the keys they override.
const std::map<std::string, std::string>& env_flags() {
  static const std::map<std::string, std::string> all = {
      {"ENABLE_AUTO_FOLLOW_UPLOADER", "auto_follow.enabled"},
      {"ENABLE_UPLOADER_BACKFILL", "auto_follow.backfill"},
      {"AUTO_FOLLOW_MAX_VIDEOS", "auto_follow.max_videos"},
      // Not one of the design's flags: a secret is better kept out of config files.
      {"VFB_DISCORD_BOT_TOKEN", "discord.bot_token"},
  };
  return all;
}

} // namespace

vfb_config load_config(const std::filesystem::path& file,
                       const std::map<std::string, std::string>& overrides,
                       const std::map<std::string, std::string>& env) {
  vfb_config c;
  if (!file.empty())
    read_file(c, file);
  for (auto& [key, value] : overrides)
    set_config_key(c, key, "--set " + key, value);
  for (auto& [var, key] : env_flags())
    if (auto it = env.find(var); it != env.end() && !it->second.empty())
      set_config_key(c, key, "environment " + var, it->second);
  if (c.queue.backoff_cap_ms < c.queue.backoff_base_ms)
    throw config_error("queue.backoff_cap_ms (" + std::to_string(c.queue.backoff_cap_ms) +
                       ") is smaller than queue.backoff_base_ms (" +
                       std::to_string(c.queue.backoff_base_ms) + ")");
  if (c.analysis.chunk_overlap_chars >= c.analysis.chunk_chars)
    throw config_error("analysis.chunk_overlap_chars must be smaller than analysis.chunk_chars");
  if (c.storage.max_map_size_mb != 0 && c.storage.max_map_size_mb < c.storage.map_size_mb)
    throw config_error("storage.max_map_size_mb is smaller than storage.map_size_mb");
  return c;
}

std::optional<std::string> webhook_for(const vfb_config& c, const std::string& tenant,
                                       const std::string& workspace) {
  auto it = c.discord.webhooks.find(tenant + "/" + workspace);
  if (it == c.discord.webhooks.end())
    return std::nullopt;
  return it->second;
}

std::string backfill_posts_for(const vfb_config& c, const std::string& tenant,
                               const std::string& workspace) {
  auto it = c.discord.backfill_posts_for.find(tenant + "/" + workspace);
  return it == c.discord.backfill_posts_for.end() ? c.discord.backfill_posts : it->second;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    if (auto eq = kv.find('='); eq != std::string::npos)
      out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

} // namespace vfb
