// The job queue's write-ahead log: an append-only file of checksummed records, one per write
// batch. A batch is durable once its record is fsynced: one sequential write, however many
// B-tree pages the batch touched. LMDB catches up at checkpoints, after which the log is
// emptied. Plain C++, no CAF.
//
// Record: payload length (4 bytes, big-endian) | sequence number (8) | checksum (8, BLAKE2b
// over sequence and payload) | payload. A crash can leave a torn last record; reading stops
// there, and that record was never acknowledged.
//
// The file is never shrunk: it grows in zero-filled steps and is rewritten from the start
// after each checkpoint, so an fdatasync writes the new records and nothing else (no size
// change, no block allocation). Reading stops at the first record out of sequence.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace vfb {

class write_ahead_log {
public:
  /// Opens (creating) the log at `file`. Throws lmdb::error-compatible std::system_error.
  explicit write_ahead_log(std::filesystem::path file);
  ~write_ahead_log();
  write_ahead_log(const write_ahead_log&) = delete;
  write_ahead_log& operator=(const write_ahead_log&) = delete;

  /// Calls `f(seq, payload)` for each intact record in order (consecutive sequence numbers),
  /// and positions the log after the last one. Returns how many bytes follow it (a torn
  /// record, zeros, or records of an older run).
  uint64_t replay(const std::function<void(uint64_t seq, std::string_view payload)>& f);

  /// Writes a record to the OS (not yet durable). On failure (disk full) the error is thrown as
  /// std::system_error, and the log stays where it was.
  void append(uint64_t seq, std::string_view payload);

  /// Makes every record appended so far durable. May run on another thread than append.
  void sync();

  /// Empties the log (after a checkpoint made its records redundant).
  void reset();

  /// Bytes in the log.
  uint64_t size() const { return end_; }
  /// Bytes of records appended since the log was opened (resets do not clear it).
  uint64_t appended_bytes() const { return appended_; }

private:
  std::filesystem::path file_;
  int fd_ = -1;
  /// Extends the file with zeros to at least `at_least` bytes, in big steps.
  void grow(uint64_t at_least);

  uint64_t end_ = 0;       // where the next record goes
  uint64_t appended_ = 0;  // record bytes appended since open
  uint64_t file_size_ = 0; // the file's size (records, then zeros or older records)
  std::mutex sync_mu_;     // sync() may be called from another thread than append()
};

} // namespace vfb
