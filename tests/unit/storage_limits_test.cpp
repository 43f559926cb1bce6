// The queue at the edges of its storage: a map that must grow mid-transaction, a map that may
// not grow any more, a disk that refuses writes, and files that are not a queue. Built with
// AddressSanitizer (see CMakeLists.txt): a double free after a failed commit fails these tests.
#include "storage/job_queue.hpp"
#include "tests/support/child.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <sys/resource.h>
#include <sys/wait.h>

using namespace vfb;

namespace {

constexpr millis t0 = 1'700'000'000'000;

ingest_job make_job(int i, size_t url_padding = 0) {
  ingest_job j;
  j.key = {"t" + std::to_string(i % 7), "ws", "youtube", "video-" + std::to_string(i)};
  j.url = "https://www.youtube.com/watch?v=" + std::to_string(i) + std::string(url_padding, 'x');
  return j;
}

queue_options tiny(const test::temp_dir& dir) {
  queue_options o;
  o.dir = dir.path();
  o.sync = sync_mode::periodic;
  o.initial_map_size = size_t{64} << 10; // a handful of pages: the first batches overflow it
  return o;
}

/// Opens a queue that must not open; returns the error.
storage_error open_fails(const queue_options& o) {
  try {
    job_queue q{o};
  } catch (const storage_error& e) {
    return e;
  }
  FAIL("opened " << o.dir << " although it is not a usable queue");
  throw std::logic_error("unreachable");
}

uint64_t count(job_queue& q, job_state s) {
  return q.stats().by_state[static_cast<size_t>(s)];
}

} // namespace

TEST_CASE("a full map grows and the transaction is retried with nothing lost") {
  test::temp_dir dir;
  job_queue q{tiny(dir)};
  auto before = q.map_size();
  // Single enqueues and large batches both cross the map's end inside a transaction.
  for (int i = 0; i < 2000; ++i)
    REQUIRE(q.enqueue(make_job(i, 200), false, t0).status == enqueue_status::created);
  std::vector<ingest_job> batch;
  for (int i = 2000; i < 12000; ++i)
    batch.push_back(make_job(i, 200));
  auto results = q.enqueue_bulk(batch, false, t0);
  REQUIRE(results.size() == batch.size());
  for (auto& r : results)
    REQUIRE(r.status == enqueue_status::created);
  CHECK(q.map_size() > before);
  CHECK(count(q, job_state::queued) == 12000);
  CHECK(q.check_invariants().empty());
  // Events come from the attempt that committed, once each.
  CHECK(q.take_events().size() == 10000);
  // Ids are dense: a retried attempt did not burn any.
  CHECK(results.back().job_id == 12000);
}

TEST_CASE("a map at its size limit refuses the batch whole and stays usable") {
  test::temp_dir dir;
  auto o = tiny(dir);
  o.max_map_size = size_t{1} << 20;
  job_queue q{o};
  uint64_t accepted = 0;
  bool refused = false;
  for (int round = 0; round < 1000 && !refused; ++round) {
    std::vector<ingest_job> batch;
    for (int i = 0; i < 100; ++i)
      batch.push_back(make_job(round * 100 + i, 500));
    try {
      q.enqueue_bulk(batch, false, t0);
      accepted += batch.size();
    } catch (const storage_error& e) {
      refused = true;
      CHECK(e.kind() == store_failure::disk_full);
      CHECK_THAT(e.what(), Catch::Contains("size limit"));
    }
  }
  REQUIRE(refused);
  CHECK(accepted > 0);
  // Everything acknowledged is there, nothing of the refused batch is, and work goes on.
  CHECK(count(q, job_state::queued) == accepted);
  CHECK(q.check_invariants().empty());
  auto ls = q.lease_jobs("w", 10, 60'000, t0);
  REQUIRE(ls.size() == 10);
  for (auto& l : ls)
    CHECK(q.complete(l.job_id, l.epoch, job_outcome::done(), t0).ok());
  CHECK(count(q, job_state::done) == 10);
}

TEST_CASE("a disk that refuses writes fails the commit cleanly, and acknowledged jobs survive") {
  // A child process gets a file-size limit, so the kernel refuses LMDB's writes (EFBIG) as a
  // full disk would. The child reports how many jobs it saw acknowledged; the parent reopens.
  test::temp_dir dir;
  auto o = tiny(dir);
  o.sync = sync_mode::always;
  test::child writer{[&](int fd) {
    signal(SIGXFSZ, SIG_IGN);
    rlimit lim{256 << 10, 256 << 10};
    setrlimit(RLIMIT_FSIZE, &lim);
    uint64_t acked = 0;
    int code = 3; // never refused
    std::string why;
    try {
      job_queue q{o};
      for (int round = 0; round < 1000; ++round) {
        std::vector<ingest_job> batch;
        for (int i = 0; i < 50; ++i)
          batch.push_back(make_job(round * 50 + i, 300));
        q.enqueue_bulk(batch, false, t0);
        acked += batch.size();
      }
    } catch (const storage_error& e) {
      // A refused write shows up as ENOSPC/EFBIG or, for a short write, as EIO.
      auto said_so = std::string{e.what()}.find("disk full") != std::string::npos;
      code = e.kind() == store_failure::disk_full || said_so ? 0 : 4;
      why = e.what();
    } catch (...) {
      code = 5;
    }
    test::write_line(fd, std::to_string(acked) + " " + why);
    _exit(code);
  }};
  std::string out;
  auto status = writer.read_lines([&](const std::string& line) { out = line; });
  REQUIRE(WIFEXITED(status));
  INFO("child exit code 0: disk_full, 3: never refused, 4: other error, 5: crash");
  INFO("child said: " << out);
  REQUIRE(WEXITSTATUS(status) == 0);
  auto acked = std::stoull(out);
  CHECK(acked > 0);
  job_queue q{tiny(dir)};
  CHECK(count(q, job_state::queued) == acked);
  CHECK(q.check_invariants().empty());
}

TEST_CASE("files that are not a queue give a clear error, not a crash") {
  test::temp_dir dir;
  queue_options o;
  o.sync = sync_mode::periodic;

  SECTION("garbage in data.mdb") {
    o.dir = dir / "garbage";
    std::filesystem::create_directories(o.dir);
    std::ofstream(o.dir / "data.mdb") << std::string(64 << 10, 'Z');
    for (bool ro : {false, true}) {
      o.read_only = ro;
      auto e = open_fails(o);
      CHECK(e.kind() == store_failure::corrupt);
      CHECK_THAT(e.what(), Catch::Contains("corrupt"));
    }
  }
  SECTION("an LMDB file without the queue's tables") {
    o.dir = dir / "foreign";
    {
      lmdb::env_options eo;
      eo.dir = o.dir;
      std::filesystem::create_directories(o.dir);
      lmdb::env e{eo};
      lmdb::txn t{e, true};
      lmdb::db d{t, "something-else", true};
      d.put(t, "k", "v");
      t.commit();
    }
    o.read_only = true;
    auto e = open_fails(o);
    CHECK(e.kind() == store_failure::corrupt);
    CHECK_THAT(e.what(), Catch::Contains("not a vfb queue"));
  }
  SECTION("the directory is a file") {
    o.dir = dir / "plain-file";
    std::ofstream(o.dir) << "hello";
    CHECK_THAT(open_fails(o).what(), Catch::Contains("is not a directory"));
  }
}
