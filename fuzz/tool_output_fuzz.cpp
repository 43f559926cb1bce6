// What vfb reads from its tools' output and from release downloads never crashes: yt-dlp's
// progress lines, its "skipped by date" note, its error classification, yt-dlp's and Deno's
// --version output, a SHA2-256SUMS file and a redirect's Location.
#include "adapters/tool_update.hpp"
#include "adapters/ytdlp.hpp"
#include "adapters/ytdlp_version.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::text(data, size);
  if (auto p = parse_progress(in))
    fuzz::require(*p >= 0 && *p <= 100, "progress is a percentage");
  skipped_by_date(in);
  for (int exit_code : {1, 2, 101})
    classify_failure(exit_code, in);
  parse_ytdlp_version(in);
  parse_deno_version(in);
  auto [asset, sums] = fuzz::split_once(in, '\n');
  checksum_for(sums, asset);
  try {
    redirect_target("https://github.com/yt-dlp/yt-dlp/releases/latest/download/yt-dlp",
                    std::string{in});
  } catch (const tool_update_error&) {
  }
  return 0;
}
