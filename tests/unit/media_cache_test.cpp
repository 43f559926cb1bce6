// The media cache's bound: media no stage needs go, least recently used first; media a stage
// may need, a download in progress and what stays for good (JSON, captions) are never removed.
#include "storage/media_cache.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

/// A file of `bytes` bytes, last used `age` ago.
fs::path file(const fs::path& p, size_t bytes, std::chrono::minutes age = {}) {
  fs::create_directories(p.parent_path());
  std::ofstream{p} << std::string(bytes, 'x');
  fs::last_write_time(p, fs::file_time_type::clock::now() - age);
  return p;
}

/// A video's cache directory; `transcribed`: its transcript is cached (its media are not needed).
fs::path video(const fs::path& root, const std::string& name, bool transcribed) {
  auto dir = root / name;
  fs::create_directories(dir);
  file(dir / "download.json", 100);
  if (transcribed)
    file(dir / "transcript.json", 100);
  return dir;
}

} // namespace

TEST_CASE("over its bound the cache removes unneeded media, least recently used first") {
  test::temp_dir root;
  auto old_one = file(video(root.path(), "a", true) / "a.mp4", 1000, std::chrono::minutes{30});
  auto newer = file(video(root.path(), "b", true) / "b.webm", 1000, std::chrono::minutes{20});
  auto newest = file(video(root.path(), "c", true) / "c.mkv", 1000, std::chrono::minutes{10});
  auto needed = file(video(root.path(), "d", false) / "d.mp4", 1000, std::chrono::minutes{60});
  auto caption = file(root.path() / "a" / "a.en.vtt", 500, std::chrono::minutes{60});
  auto partial = file(video(root.path(), "e", true) / "e.mp4.part", 5000, std::chrono::minutes{60});

  media_cache cache{root.path(), 2500};
  auto removed = cache.trim();
  CHECK(removed.files == 2);
  CHECK(removed.bytes == 2000);
  CHECK_FALSE(fs::exists(old_one));
  CHECK_FALSE(fs::exists(newer));
  CHECK(fs::exists(newest));
  CHECK(fs::exists(needed)); // no transcript yet: the transcribe stage needs it
  CHECK(fs::exists(caption));
  CHECK(fs::exists(partial)); // a download in progress
  CHECK(fs::exists(root.path() / "a" / "transcript.json"));
  CHECK(fs::exists(root.path() / "a" / "download.json"));
  CHECK(cache.kept().bytes == 2000);
  CHECK(cache.kept().files == 2);
  CHECK(cache.removed().files == 2);

  SECTION("a media file used again goes last") {
    auto again = file(video(root.path(), "f", true) / "f.mp4", 1000, std::chrono::minutes{90});
    media_cache::touch(again);
    cache.trim(); // 3000 > 2500: the oldest use goes, which is now c's
    CHECK_FALSE(fs::exists(newest));
    CHECK(fs::exists(again));
  }
}

TEST_CASE("a bound of 0 removes every unneeded media file, a negative bound none") {
  test::temp_dir root;
  auto done = file(video(root.path(), "a", true) / "a.mp4", 1000);
  auto needed = file(video(root.path(), "b", false) / "b.mp4", 1000);
  media_cache forever{root.path(), -1};
  CHECK(forever.trim().files == 0);
  CHECK(forever.kept().bytes == 2000);
  media_cache at_once{root.path(), 0};
  CHECK(at_once.trim().files == 1);
  CHECK_FALSE(fs::exists(done));
  CHECK(fs::exists(needed));
  CHECK(at_once.kept().bytes == 1000);
}

TEST_CASE("an empty or missing cache measures zero") {
  test::temp_dir root;
  media_cache missing{root.path() / "videos", 0};
  CHECK(missing.trim().files == 0);
  CHECK(missing.kept().bytes == 0);
}
