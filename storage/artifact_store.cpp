#include "storage/artifact_store.hpp"

#include "storage/codec.hpp"
#include "storage/media_json.hpp"
#include "text/files.hpp"

#include <cerrno>
#include <cstring>
#include <sodium.h>
#include <system_error>

namespace vfb {

namespace fs = std::filesystem;

namespace {

bool is_disk_full(int code) {
  return code == ENOSPC || code == EFBIG || code == EDQUOT;
}

/// A storage_error for a failure with errno `code`: disk full or I/O.
[[noreturn]] void fail_because(int code, const std::string& reason) {
  if (is_disk_full(code))
    throw storage_error(store_failure::disk_full, "disk full: " + reason);
  throw storage_error(store_failure::io, reason);
}

[[noreturn]] void fail(int code, const std::string& doing) {
  fail_because(code, doing + ": " + std::strerror(code));
}

/// Makes a directory's entries (a rename, a new file) durable.
void sync_dir(const fs::path& dir) {
  try {
    text::sync_directory(dir);
  } catch (const std::system_error& e) {
    fail_because(e.code().value(), e.what());
  }
}

/// Creates `dir` (and its parents) if needed; a new directory is made durable in its parent.
void ensure_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec))
    return;
  ensure_dir(dir.parent_path());
  if (!fs::create_directory(dir, ec) && ec)
    fail(ec.value(), "cannot create " + dir.string());
  if (!fs::is_directory(dir, ec))
    fail(ENOTDIR, "cannot create " + dir.string());
  sync_dir(dir.parent_path());
}

std::string hex(const unsigned char* bytes, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0xf]);
  }
  return out;
}

/// Reads a cached value of type T; malformed content counts as absent, with the reason.
template <class T> std::optional<T> read_cached(const fs::path& path, std::string* problem) {
  auto j = read_json_file(path, problem);
  if (!j)
    return std::nullopt;
  try {
    return j->get<T>();
  } catch (const media_json_error& e) {
    if (problem != nullptr)
      *problem = path.string() + ": " + e.what();
    return std::nullopt;
  }
}

} // namespace

void write_file_atomically(const fs::path& path, std::string_view data) {
  try {
    text::replace_file(path, data);
  } catch (const std::system_error& e) {
    fail_because(e.code().value(), e.what());
  }
}

std::optional<nlohmann::json> read_json_file(const fs::path& path, std::string* problem) {
  std::string ignored;
  auto& why = problem != nullptr ? *problem : ignored;
  why.clear();
  auto content = text::read_file(path);
  if (!content) {
    if (auto code = errno; code != ENOENT && code != ENOTDIR)
      why = text::read_failure(path, code);
    return std::nullopt;
  }
  auto parsed = nlohmann::json::parse(*content, nullptr, false);
  if (parsed.is_discarded()) {
    why = path.string() + " is not valid JSON (" + std::to_string(content->size()) + " bytes)";
    return std::nullopt;
  }
  return parsed;
}

artifact_store::artifact_store(fs::path root) : root_(std::move(root)) {
  if (sodium_init() < 0)
    throw storage_error(store_failure::io, "libsodium failed to initialise");
  ensure_dir(root_);
}

fs::path artifact_store::video_path(const std::string& source,
                                    const std::string& external_id) const {
  std::string key; // length-prefixed parts: ("ab", "c") and ("a", "bc") differ
  codec::put_lp16(key, source);
  codec::put_lp16(key, external_id);
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(key.data()),
                     key.size(), nullptr, 0);
  return root_ / "videos" / hex(digest, sizeof digest);
}

fs::path artifact_store::checkpoint_path(uint64_t job_id, stage_kind stage) const {
  return root_ / "jobs" / std::to_string(job_id) / (std::string{to_string(stage)} + ".json");
}

fs::path artifact_store::video_dir(const std::string& source, const std::string& external_id) {
  if (source.size() > 0xffff || external_id.size() > 0xffff)
    throw std::invalid_argument("artifacts: source or external id longer than 64 KiB");
  auto dir = video_path(source, external_id);
  ensure_dir(dir);
  return dir;
}

void artifact_store::save_download(const std::string& source, const std::string& external_id,
                                   const download_result& d) {
  write_file_atomically(video_dir(source, external_id) / "download.json",
                        nlohmann::json(d).dump(2));
}

std::optional<download_result> artifact_store::cached_download(const std::string& source,
                                                               const std::string& external_id,
                                                               std::string* problem) const {
  return read_cached<download_result>(video_path(source, external_id) / "download.json", problem);
}

void artifact_store::save_transcript(const std::string& source, const std::string& external_id,
                                     const transcript& t) {
  write_file_atomically(video_dir(source, external_id) / "transcript.json",
                        nlohmann::json(t).dump());
}

std::optional<transcript> artifact_store::cached_transcript(const std::string& source,
                                                            const std::string& external_id,
                                                            std::string* problem) const {
  return read_cached<transcript>(video_path(source, external_id) / "transcript.json", problem);
}

void artifact_store::save_checkpoint(uint64_t job_id, stage_kind stage,
                                     const nlohmann::json& value) {
  auto path = checkpoint_path(job_id, stage);
  ensure_dir(path.parent_path());
  write_file_atomically(path, value.dump());
}

std::optional<nlohmann::json> artifact_store::checkpoint(uint64_t job_id, stage_kind stage,
                                                         std::string* problem) const {
  return read_json_file(checkpoint_path(job_id, stage), problem);
}

void artifact_store::remove_checkpoint(uint64_t job_id, stage_kind stage) {
  std::error_code ec;
  fs::remove(checkpoint_path(job_id, stage), ec);
  if (ec)
    fail(ec.value(), "cannot remove " + checkpoint_path(job_id, stage).string());
}

void artifact_store::clear_checkpoints(uint64_t job_id) {
  std::error_code ec;
  fs::remove_all(root_ / "jobs" / std::to_string(job_id), ec);
  if (ec)
    fail(ec.value(), "cannot remove the checkpoints of job " + std::to_string(job_id));
}

} // namespace vfb
