// Whether a file system is full, for failures that do not say why: yt-dlp reports "Cannot write
// video metadata to JSON file ..." without the errno, ffmpeg a broken output. A stage that failed
// asks here, and a full disk becomes the reason (and a transient failure). Plain C++ (no CAF).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace vfb {

/// Below this much free space (or without a free inode) a file system counts as full.
inline constexpr uint64_t nearly_full_bytes = uint64_t{1} << 20;

/// "disk full: 12 KiB free on DIR" when the file system holding `dir` is full; nullopt when it
/// is not, or cannot be asked.
std::optional<std::string> disk_full_note(const std::filesystem::path& dir);

} // namespace vfb
