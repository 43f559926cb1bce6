// parse_info_json (yt-dlp's media.info.json) never crashes on any bytes and throws only
// ytdlp_error; the channel resolved from what it read too. The output dir is empty: the JSON's
// file names are looked up and not found.
#include "adapters/channel.hpp"
#include "adapters/ytdlp.hpp"
#include "fuzz/fuzz_check.hpp"

#include <filesystem>
#include <unistd.h>

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto out_dir = [] {
    auto dir =
        std::filesystem::temp_directory_path() / ("vfb-fuzz-info-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
  }();
  try {
    auto d = parse_info_json(fuzz::text(data, size), out_dir);
    fuzz::require(!d.video_id.empty(), "a parsed download has an id");
    resolve_channel(d);
  } catch (const ytdlp_error&) {
  }
  return 0;
}
