// A yt-dlp release server on loopback, laid out as yt-dlp's GitHub releases are: the files and
// SHA2-256SUMS under /releases/download/TAG, and /releases/latest/download/FILE redirecting
// there; and stand-in yt-dlp programs that answer --version. For `vfb tools update` and the
// node's tool updater.
#pragma once

#include "tests/support/media_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <ctime>
#include <sodium.h>
#include <string>

namespace vfb::test::releases {

inline std::string sha256(const std::string& data) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : d)
    out += std::string{digits[b >> 4], digits[b & 0xf]};
  return out;
}

/// A program that answers --version as yt-dlp `version` does.
inline std::string fake_ytdlp(const std::string& version) {
  return "#!/bin/sh\nif [ \"$1\" = --version ]; then echo " + version + "; exit 0; fi\nexit 2\n";
}

/// yt-dlp's version a few days ago: a current release, whatever today is.
inline std::string recent_version() {
  auto t = std::time(nullptr) - 5 * 24 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y.%m.%d", &tm);
  return buf;
}

/// A release server: `publish` puts a release up as the latest.
struct release_server {
  test::temp_dir root;
  test::media_server server{root.path()};

  void publish(const std::string& tag, const std::string& asset, const std::string& body,
               const std::string& sums_override = {}) {
    auto dir = "/releases/download/" + tag + "/";
    auto sums = sums_override.empty()
                    ? sha256("other build") + "  yt-dlp_linux\n" + sha256(body) + "  " + asset +
                          "\n" + sha256("zip") + "  yt-dlp.tar.gz\n"
                    : sums_override;
    server.add_route(dir + asset, "application/octet-stream", body);
    server.add_route(dir + "SHA2-256SUMS", "text/plain", sums);
    for (const auto& file : {asset, std::string{"SHA2-256SUMS"}})
      server.add_redirect("/releases/latest/download/" + file, server.url(dir + file));
  }
  std::string url() const { return server.url("/releases/latest/download"); }
};

} // namespace vfb::test::releases
