#include "storage/media_cache.hpp"

#include "text/strings.hpp"

#include <algorithm>
#include <string>
#include <system_error>
#include <vector>

namespace vfb {

namespace fs = std::filesystem;

namespace {

/// A media file: its path, size and when it was last used (its mtime).
struct media_file {
  fs::path path;
  uint64_t bytes = 0;
  fs::file_time_type used;
};

/// Files of a write in progress: yt-dlp's (a part file, its fragment list) and the
/// temporary files of write_file_atomically.
bool in_progress(const std::string& name) {
  for (const char* ending : {".part", ".ytdl", ".temp", ".tmp"})
    if (text::ends_with(name, ending))
      return true;
  return false;
}

} // namespace

media_cache::media_cache(fs::path videos_root, int64_t max_bytes)
    : root_{std::move(videos_root)}, max_bytes_{max_bytes} {}

bool media_cache::is_media(const fs::path& file) {
  auto ext = file.extension().string();
  // What stays: the JSON (download, transcript, info) and captions.
  return ext != ".json" && ext != ".vtt" && ext != ".srt" && !in_progress(file.filename().string());
}

void media_cache::touch(const fs::path& media) {
  std::error_code ec;
  fs::last_write_time(media, fs::file_time_type::clock::now(), ec); // best effort: LRU order only
}

media_usage media_cache::trim() {
  std::lock_guard guard{trimming_};
  std::vector<media_file> removable;
  media_usage total;
  std::error_code ec;
  for (fs::directory_iterator video{root_, ec}, end; !ec && video != end; video.increment(ec)) {
    std::error_code e;
    if (!video->is_directory(e))
      continue;
    bool needed = !fs::exists(video->path() / "transcript.json", e);
    for (fs::directory_iterator f{video->path(), e}, fend; !e && f != fend; f.increment(e)) {
      std::error_code fe;
      if (!f->is_regular_file(fe) || !is_media(f->path()))
        continue;
      media_file m{f->path(), f->file_size(fe), f->last_write_time(fe)};
      if (fe)
        continue; // gone meanwhile
      total.bytes += m.bytes;
      ++total.files;
      if (!needed)
        removable.push_back(std::move(m));
    }
  }
  media_usage removed;
  if (max_bytes_ >= 0) {
    std::sort(removable.begin(), removable.end(),
              [](const media_file& a, const media_file& b) { return a.used < b.used; });
    for (const auto& m : removable) {
      if (total.bytes <= static_cast<uint64_t>(max_bytes_))
        break;
      std::error_code re;
      if (!fs::remove(m.path, re) || re)
        continue;
      total.bytes -= m.bytes;
      --total.files;
      removed.bytes += m.bytes;
      ++removed.files;
    }
  }
  kept_bytes_ = total.bytes;
  kept_files_ = total.files;
  removed_bytes_ += removed.bytes;
  removed_files_ += removed.files;
  return removed;
}

} // namespace vfb
