// A directory under $TMPDIR that is removed when the test is over.
#pragma once

#include <filesystem>
#include <string>

namespace vfb::test {

class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  /// DIR/name, created (with its parents) if it is not there yet.
  std::filesystem::path subdir(const std::string& name) const;

private:
  std::filesystem::path path_;
};

} // namespace vfb::test
