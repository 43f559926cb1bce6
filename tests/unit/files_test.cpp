// Whole files (text/files.hpp): read in one piece, replaced atomically. The full-disk case is
// tested through the artifact store (`artifacts: a full disk fails the save clearly ...`).
#include "tests/support/temp_dir.hpp"
#include "text/files.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <system_error>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator{dir})
    ++n;
  return n;
}

} // namespace

TEST_CASE("files: what is replaced reads back byte for byte and leaves no temporary file") {
  test::temp_dir dir;
  auto file = dir / "state";
  // Bytes of every value, and more than one read's buffer.
  std::string data;
  for (size_t i = 0; i < 200'000; ++i)
    data += static_cast<char>(i * 7 % 256);
  text::replace_file(file, data);
  CHECK(text::read_file(file) == data);
  text::replace_file(file, "shorter");
  CHECK(text::read_file(file) == std::string{"shorter"});
  text::replace_file(file, "");
  CHECK(text::read_file(file) == std::string{});
  text::replace_file(file, "unsynced", false); // scratch files: atomic, not fsync'd
  CHECK(text::read_file(file) == std::string{"unsynced"});
  CHECK(entries(dir.path()) == 1);
}

TEST_CASE("files: a file that cannot be read is nullopt with errno saying why") {
  test::temp_dir dir;
  errno = 0;
  CHECK_FALSE(text::read_file(dir / "missing").has_value());
  CHECK(errno == ENOENT);
  CHECK(text::read_failure(dir / "missing") ==
        "cannot read " + (dir / "missing").string() + ": No such file or directory");
  errno = 0;
  CHECK_FALSE(text::read_file(dir.path()).has_value());
  CHECK(errno == EISDIR);
}

TEST_CASE("files: replacing a file where it cannot be written throws and leaves nothing") {
  test::temp_dir dir;
  try {
    text::replace_file(dir / "no such dir" / "state", "x");
    FAIL("no error");
  } catch (const std::system_error& e) {
    CHECK(e.code().value() == ENOENT);
    CHECK_THAT(e.what(), Catch::Contains("cannot save") && Catch::Contains("no such dir"));
  }
  // A directory where the file should be: the rename fails, the temporary file goes.
  fs::create_directory(dir / "taken");
  fs::create_directory(dir / "taken" / "inside");
  CHECK_THROWS_AS(text::replace_file(dir / "taken", "x"), std::system_error);
  CHECK(fs::is_directory(dir / "taken" / "inside"));
  CHECK(entries(dir.path()) == 1);
}
