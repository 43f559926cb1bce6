// The URL check and the canonicalisers (submissions, channels, playlists, feeds, follows, and a
// cluster's HOST:PORT) never crash, throw only what they document, and a canonical URL is a
// fixed point: canonicalising it again gives it back.
#include "adapters/channel.hpp"
#include "adapters/follow_url.hpp"
#include "adapters/host_port.hpp"
#include "adapters/source_url.hpp"
#include "follows/follow_plan.hpp"
#include "fuzz/fuzz_check.hpp"

#include <stdexcept>

using namespace vfb;

namespace {

void submissions(std::string_view url) {
  is_loopback_url(url);
  for (const auto& policy : {url_policy{}, url_policy{{"youtube.com", "example.org"}, true}}) {
    auto r = canonicalize_url(url, policy);
    if (!r.ok)
      continue;
    auto again = canonicalize_url(r.ref.canonical_url, policy);
    fuzz::require(again.ok, "a canonical URL is accepted");
    fuzz::require(again.ref.canonical_url == r.ref.canonical_url, "canonical URLs are fixed");
    fuzz::require(again.ref.external_id == r.ref.external_id, "the id survives canonicalising");
  }
}

void follows(std::string_view url) {
  if (auto c = canonical_channel_url(url))
    fuzz::require(canonical_channel_url(*c) == c, "canonical channel URLs are fixed");
  split_youtube_url(url);
  tab_index(url);
  try {
    if (auto p = canonical_playlist_url(url))
      fuzz::require(canonical_playlist_url(*p) == p, "canonical playlist URLs are fixed");
    if (auto f = youtube_follow_url(url)) {
      fuzz::require(youtube_follow_url(*f) == f, "canonical follow URLs are fixed");
      is_playlist_url(*f);
    }
  } catch (const std::invalid_argument&) {
  }
  try {
    auto f = follow_for_url(std::string{url}, url_policy{});
    fuzz::require(follow_for_url(f.channel_url, url_policy{}).channel_url == f.channel_url,
                  "a followed URL is fixed");
  } catch (const follow_refused&) {
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto url = fuzz::text(data, size);
  submissions(url);
  follows(url);
  if (auto hp = parse_host_port(url))
    fuzz::require(!hp->host.empty() && hp->port != 0, "an address has a host and a port");
  return 0;
}
