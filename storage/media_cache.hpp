// The media in the artifact cache (DATA_DIR/artifacts/videos/HASH/: what yt-dlp downloaded),
// kept within a bound. Once a video's transcript is cached no stage needs its media: a later job
// of the same video (another tenant's, a --force re-run) takes the transcript. Such media go,
// least recently used first, whenever the cache is over its bound; media a stage may still need
// (no transcript yet) are never removed. Transcripts, download.json, captions and checkpoints
// stay. A job that finds its media gone downloads it again. Plain C++ (no CAF).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>

namespace vfb {

/// Bytes and files.
struct media_usage {
  uint64_t bytes = 0;
  uint64_t files = 0;
};

class media_cache {
public:
  /// The media under `videos_root` (artifact_store::root() / "videos"). `max_bytes`: the bound;
  /// 0 removes media as soon as no stage needs them; negative keeps them for good.
  media_cache(std::filesystem::path videos_root, int64_t max_bytes);

  /// Measures the cache and removes media no stage needs, least recently used first, until it
  /// fits its bound (or nothing more may go). What was removed; failures to remove a file are
  /// skipped (it is measured again next time). Thread-safe: one trim at a time.
  media_usage trim();
  /// Marks a media file used now (a cached download served again), so it goes last.
  static void touch(const std::filesystem::path& media);
  /// Whether `file` (in a video's directory) is media, as opposed to what stays for good.
  static bool is_media(const std::filesystem::path& file);

  /// The media kept after the last trim.
  media_usage kept() const { return {kept_bytes_.load(), kept_files_.load()}; }
  /// Everything removed since this process started.
  media_usage removed() const { return {removed_bytes_.load(), removed_files_.load()}; }
  int64_t max_bytes() const { return max_bytes_; }

private:
  std::filesystem::path root_;
  int64_t max_bytes_;
  std::mutex trimming_;
  std::atomic<uint64_t> kept_bytes_{0}, kept_files_{0}, removed_bytes_{0}, removed_files_{0};
};

} // namespace vfb
