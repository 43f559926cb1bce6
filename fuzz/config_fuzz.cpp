// load_config reads any config file without crashing and refuses bad ones with config_error
// only (the file is the input, written to a temp file; no overrides, no environment).
#include "adapters/config_file.hpp"
#include "fuzz/fuzz_check.hpp"

#include <fstream>
#include <unistd.h>

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto file = std::filesystem::temp_directory_path() /
                           ("vfb-fuzz-config-" + std::to_string(::getpid()) + ".conf");
  {
    std::ofstream out{file, std::ios::binary | std::ios::trunc};
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    load_config(file, {}, {});
  } catch (const config_error&) {
  }
  return 0;
}
