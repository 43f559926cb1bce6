// parse_listing_line (one line of yt-dlp's flat listing of a channel, playlist or feed) never
// crashes or throws, and an entry it returns has an id.
#include "adapters/ytdlp_listing.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (auto e = parse_listing_line(fuzz::text(data, size))) {
    fuzz::require(!e->id.empty(), "an entry has an id");
    is_unavailable(*e);
  }
  return 0;
}
