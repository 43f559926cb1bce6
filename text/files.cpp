#include "text/files.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

namespace vfb::text {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(int code, const std::string& doing) {
  throw std::system_error(code, std::generic_category(), doing);
}

/// Writes all of `data` to `fd`; false with errno set when a write fails.
bool write_all(int fd, std::string_view data) {
  for (size_t done = 0; done < data.size();) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

} // namespace

std::optional<std::string> read_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return std::nullopt;
  std::string content;
  char buf[65536];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) { // EISDIR for a directory
      auto code = errno;
      ::close(fd);
      errno = code;
      return std::nullopt;
    }
    if (n == 0)
      break;
    content.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return content;
}

std::string read_failure(const fs::path& path, int code) {
  return "cannot read " + path.string() + ": " + std::strerror(code);
}

void replace_file(const fs::path& path, std::string_view data, bool sync) {
  static std::atomic<uint64_t> counter{0};
  auto tmp =
      path.parent_path() / ("." + path.filename().string() + "." + std::to_string(::getpid()) +
                            "." + std::to_string(counter.fetch_add(1)) + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0)
    fail(errno, "cannot save " + path.string());
  auto give_up = [&](int code) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(code, "cannot save " + path.string());
  };
  if (!write_all(fd, data) || (sync && ::fsync(fd) != 0))
    give_up(errno);
  if (::close(fd) != 0) {
    auto code = errno;
    ::unlink(tmp.c_str());
    fail(code, "cannot save " + path.string());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto code = errno;
    ::unlink(tmp.c_str());
    fail(code, "cannot save " + path.string());
  }
  if (sync)
    sync_directory(path.parent_path().empty() ? fs::path{"."} : path.parent_path());
}

void sync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    fail(errno, "cannot open " + dir.string());
  int rc = ::fsync(fd);
  int code = errno;
  ::close(fd);
  if (rc != 0)
    fail(code, "cannot sync " + dir.string());
}

} // namespace vfb::text
