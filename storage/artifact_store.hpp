// Files the pipeline keeps between stages and across jobs, under one root directory (e.g.
// DATA_DIR/artifacts):
//
//   videos/HASH/           per video, shared by every tenant: the media and captions yt-dlp
//                          wrote, download.json and transcript.json. HASH is a BLAKE2b hash of
//                          (source, external id), so any id is a safe directory name.
//   jobs/ID/STAGE.json     per job, the output of each finished stage (a checkpoint): a retried
//                          job resumes after its last checkpoint.
//
// Every JSON file is replaced atomically (temporary file, fsync, rename, fsync of the directory):
// after a crash or a full disk a reader finds the previous version or the new one, never a torn
// one. A file that cannot be read or parsed counts as absent; the reader says why, so the caller
// can log it, and the stage runs again. Plain C++ (no CAF).
#pragma once

#include "messages/job.hpp"
#include "messages/media.hpp"
#include "messages/pipeline.hpp"
#include "storage/store_error.hpp"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vfb {

class artifact_store {
public:
  /// Uses `root`, creating it when needed. Throws storage_error when it cannot.
  explicit artifact_store(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }

  // -- per-video cache --------------------------------------------------------------------------

  /// The video's cache directory, created on demand. Throws storage_error.
  std::filesystem::path video_dir(const std::string& source, const std::string& external_id);

  /// Caches what a download produced (its paths should point into `video_dir`).
  void save_download(const std::string& source, const std::string& external_id,
                     const download_result& d);
  /// The cached download, if any. An unreadable or malformed file counts as absent and
  /// `problem` (when given) says why; it stays empty when there is simply no file.
  std::optional<download_result> cached_download(const std::string& source,
                                                 const std::string& external_id,
                                                 std::string* problem = nullptr) const;

  void save_transcript(const std::string& source, const std::string& external_id,
                       const transcript& t);
  std::optional<transcript> cached_transcript(const std::string& source,
                                              const std::string& external_id,
                                              std::string* problem = nullptr) const;

  // -- per-job checkpoints ----------------------------------------------------------------------

  /// Saves a stage's output for a job, replacing an earlier one atomically. Throws
  /// storage_error (kind disk_full when the disk refused); the earlier checkpoint stays then.
  void save_checkpoint(uint64_t job_id, stage_kind stage, const nlohmann::json& value);
  /// The stage's saved output; absent as for `cached_download`.
  std::optional<nlohmann::json> checkpoint(uint64_t job_id, stage_kind stage,
                                           std::string* problem = nullptr) const;
  /// Forgets one checkpoint of a job (absent already: nothing to do). Throws storage_error.
  void remove_checkpoint(uint64_t job_id, stage_kind stage);
  /// Forgets every checkpoint of a job (when it is over). Throws storage_error.
  void clear_checkpoints(uint64_t job_id);

private:
  std::filesystem::path video_path(const std::string& source, const std::string& external_id) const;
  std::filesystem::path checkpoint_path(uint64_t job_id, stage_kind stage) const;

  std::filesystem::path root_;
};

/// Replaces `path` with `data` so that a crash leaves the old content or the new one: a
/// temporary file in the same directory, fsync, rename, fsync of the directory. On failure the
/// temporary file is removed and storage_error thrown (`what` names the file).
void write_file_atomically(const std::filesystem::path& path, std::string_view data);

/// The JSON document in `path`, or nullopt: silently when there is no such file, else with the
/// reason in `problem` (unreadable, not JSON).
std::optional<nlohmann::json> read_json_file(const std::filesystem::path& path,
                                             std::string* problem);

/// A stage's checkpoint read as T (its from_json must be visible, e.g. storage/media_json.hpp);
/// absent when missing or unreadable, so the stage runs again rather than trusting a bad file.
template <class T>
std::optional<T> checkpoint_as(const artifact_store& a, uint64_t job_id, stage_kind stage) {
  auto j = a.checkpoint(job_id, stage);
  if (!j)
    return std::nullopt;
  try {
    return j->template get<T>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

} // namespace vfb
