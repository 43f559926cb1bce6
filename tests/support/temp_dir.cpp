#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

namespace vfb::test {

temp_dir::temp_dir() {
  auto base = std::filesystem::temp_directory_path() / "vfb-test-XXXXXX";
  auto pattern = base.string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

std::filesystem::path temp_dir::subdir(const std::string& name) const {
  auto p = path_ / name;
  std::filesystem::create_directories(p);
  return p;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

} // namespace vfb::test
