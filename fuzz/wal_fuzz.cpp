// The job queue's write-ahead log after a crash (first input byte: 0 the log file's bytes,
// replayed; 1 one batch's change log, applied to LMDB in a transaction that is then dropped):
// replay stops at the first record that is torn or out of sequence and never reads past the
// file; a malformed change log throws std::runtime_error (LMDB's refusals: lmdb::error).
#include "fuzz/fuzz_check.hpp"
#include "storage/lmdb.hpp"
#include "storage/write_ahead_log.hpp"

#include <fstream>
#include <unistd.h>

using namespace vfb;

namespace {

std::filesystem::path scratch() {
  static const auto dir = [] {
    auto d =
        std::filesystem::temp_directory_path() / ("vfb-fuzz-wal-" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d / "lmdb");
    return d;
  }();
  return dir;
}

void replay(std::string_view bytes) {
  auto file = scratch() / "queue.wal";
  {
    std::ofstream out{file, std::ios::binary | std::ios::trunc};
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  write_ahead_log log{file};
  uint64_t expected = 0, payloads = 0;
  auto rest = log.replay([&](uint64_t seq, std::string_view payload) {
    fuzz::require(expected == 0 || seq == expected, "replayed records are in sequence");
    expected = seq + 1;
    payloads += 20 + payload.size();
  });
  fuzz::require(payloads + rest <= bytes.size(), "replay reads nothing past the file");
}

void apply(std::string_view changes) {
  struct store {
    lmdb::env env;
    lmdb::db a, b;
    explicit store(const lmdb::env_options& o) : env(o) {
      lmdb::txn t{env, true};
      a = lmdb::db{t, "a", true, 0};
      b = lmdb::db{t, "b", true, 1};
      t.commit();
    }
  };
  static store s{lmdb::env_options{scratch() / "lmdb"}};
  lmdb::txn t{s.env, true};
  try {
    lmdb::apply_log(t, changes, [](uint8_t id) -> const lmdb::db* {
      return id == 0 ? &s.a : id == 1 ? &s.b : nullptr;
    });
  } catch (const std::runtime_error&) {
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [which, bytes] = fuzz::select(fuzz::text(data, size));
  if (which % 2 == 0)
    replay(bytes);
  else
    apply(bytes);
  return 0;
}
