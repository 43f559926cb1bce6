// One writer per data directory. A node (or a writing CLI command) holds an exclusive lock on
// DIR/vfb.lock for as long as it runs: opening the queue for writing rescues every leased job,
// which must never happen under a running node's feet. Read-only commands take no lock.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace vfb {

class data_dir_locked : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class data_dir_lock {
public:
  /// Takes the lock without waiting; throws data_dir_locked naming the holder's pid when
  /// another process has it, or std::runtime_error when the lock file cannot be opened.
  explicit data_dir_lock(const std::filesystem::path& dir);
  ~data_dir_lock();
  data_dir_lock(const data_dir_lock&) = delete;
  data_dir_lock& operator=(const data_dir_lock&) = delete;

private:
  int fd_ = -1;
};

} // namespace vfb
