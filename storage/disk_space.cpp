#include "storage/disk_space.hpp"

#include <sys/statvfs.h>

namespace vfb {

std::optional<std::string> disk_full_note(const std::filesystem::path& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0)
    return std::nullopt;
  auto free_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  if (st.f_files > 0 && st.f_favail == 0)
    return "disk full: no free inode on " + dir.string();
  if (free_bytes >= nearly_full_bytes)
    return std::nullopt;
  return "disk full: " + std::to_string(free_bytes / 1024) + " KiB free on " + dir.string();
}

} // namespace vfb
