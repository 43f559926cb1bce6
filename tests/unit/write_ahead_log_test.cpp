// The write-ahead log: records come back in order; a torn tail, zeros and an older run's
// records after a reset are never replayed.
#include "storage/write_ahead_log.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

using namespace vfb;

namespace {

std::vector<std::pair<uint64_t, std::string>> records(const std::filesystem::path& file) {
  write_ahead_log log{file};
  std::vector<std::pair<uint64_t, std::string>> out;
  log.replay([&](uint64_t seq, std::string_view p) { out.emplace_back(seq, std::string{p}); });
  return out;
}

using list = std::vector<std::pair<uint64_t, std::string>>;

} // namespace

TEST_CASE("records are replayed in order after a reopen") {
  test::temp_dir dir;
  auto file = dir / "log";
  {
    write_ahead_log log{file};
    log.replay([](uint64_t, std::string_view) { FAIL("a new log has records"); });
    log.append(1, "one");
    log.append(2, std::string(100'000, 'x')); // crosses a growth step
    log.append(3, "");
    log.sync();
  }
  auto got = records(file);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == std::pair<uint64_t, std::string>{1, "one"});
  CHECK(got[1].second.size() == 100'000);
  CHECK(got[2] == std::pair<uint64_t, std::string>{3, ""});
}

TEST_CASE("a torn last record is not replayed, and the next append replaces it") {
  test::temp_dir dir;
  auto file = dir / "log";
  {
    write_ahead_log log{file};
    log.append(1, "kept");
    log.append(2, "torn record payload");
  }
  // Damage the last record's payload as a crash mid-write would.
  int fd = ::open(file.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  auto second = 20 + 4 + 20; // header + "kept", then the second header
  REQUIRE(pwrite(fd, "XX", 2, second + 3) == 2);
  ::close(fd);
  {
    write_ahead_log log{file};
    list got;
    log.replay([&](uint64_t s, std::string_view p) { got.emplace_back(s, std::string{p}); });
    CHECK(got == list{{1, "kept"}});
    log.append(2, "again");
  }
  CHECK(records(file) == list{{1, "kept"}, {2, "again"}});
}

TEST_CASE("after a reset, records of the older run are never replayed") {
  test::temp_dir dir;
  auto file = dir / "log";
  {
    write_ahead_log log{file};
    for (uint64_t s = 1; s <= 5; ++s)
      log.append(s, "old " + std::to_string(s));
    log.reset(); // a checkpoint took them
    log.append(6, "new 6");
    log.sync();
  }
  CHECK(records(file) == list{{6, "new 6"}});
  {
    write_ahead_log log{file};
    log.replay([](uint64_t, std::string_view) {});
    log.reset();
  }
  CHECK(records(file).empty()); // a reset log replays nothing, even with old bytes behind it
}
