#include "storage/write_ahead_log.hpp"

#include "storage/codec.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace vfb {

namespace {

constexpr size_t header_size = 4 + 8 + 8;
/// The file grows in zero-filled steps, so an fdatasync after an append rarely has to write
/// the file's size too: steps double from the smallest to the largest.
constexpr uint64_t smallest_step = uint64_t{64} << 10;
constexpr uint64_t largest_step = uint64_t{4} << 20;

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::string checksum(uint64_t seq, std::string_view payload) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 8);
  auto s = codec::be64(seq);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(payload.data()),
                            payload.size());
  unsigned char out[8];
  crypto_generichash_final(&st, out, sizeof out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

void write_all(int fd, const std::string& bytes, uint64_t at) {
  size_t done = 0;
  while (done < bytes.size()) {
    auto n = pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(at + done));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fail("write-ahead log: write failed");
    }
    if (n == 0) {
      errno = ENOSPC;
      fail("write-ahead log: write failed");
    }
    done += static_cast<size_t>(n);
  }
}

} // namespace

write_ahead_log::write_ahead_log(std::filesystem::path file) : file_(std::move(file)) {
  fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0)
    fail("cannot open " + file_.string());
  struct stat st {};
  if (fstat(fd_, &st) != 0)
    fail("cannot stat " + file_.string());
  file_size_ = static_cast<uint64_t>(st.st_size);
  end_ = file_size_; // until replay finds where the records end
}

write_ahead_log::~write_ahead_log() {
  if (fd_ >= 0)
    ::close(fd_);
}

uint64_t
write_ahead_log::replay(const std::function<void(uint64_t seq, std::string_view payload)>& f) {
  std::string data(end_, '\0');
  size_t got = 0;
  while (got < data.size()) {
    auto n = pread(fd_, data.data() + got, data.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      fail("cannot read " + file_.string());
    got += static_cast<size_t>(n);
  }
  uint64_t pos = 0;
  uint64_t prev = 0;
  while (data.size() - pos >= header_size) {
    std::string_view head{data.data() + pos, header_size};
    size_t len = codec::get_be32(head);
    auto seq = codec::get_be64(head, 4);
    if (len > data.size() - pos - header_size)
      break; // torn: the payload never made it
    std::string_view payload{data.data() + pos + header_size, len};
    if (checksum(seq, payload) != head.substr(12, 8))
      break; // torn or damaged, or the zeros of a step not used yet
    if (pos != 0 && seq != prev + 1)
      break; // an older run's record: the file is reused from the start after a reset
    prev = seq;
    f(seq, payload);
    pos += header_size + len;
  }
  // What follows the records is never read again: the next record overwrites it, and a
  // replay stops at the first record out of sequence.
  auto rest = end_ - pos;
  end_ = pos;
  return rest;
}

void write_ahead_log::append(uint64_t seq, std::string_view payload) {
  std::string rec;
  rec.reserve(header_size + payload.size());
  codec::put_be32(rec, static_cast<uint32_t>(payload.size()));
  codec::put_be64(rec, seq);
  rec += checksum(seq, payload);
  rec.append(payload);
  if (end_ + rec.size() > file_size_)
    grow(end_ + rec.size());
  // A failed write leaves a torn record at end_; nothing after it is ever acknowledged (the
  // next append overwrites it), and a replay stops there.
  write_all(fd_, rec, end_);
  end_ += rec.size();
  appended_ += rec.size();
}

void write_ahead_log::sync() {
  std::lock_guard<std::mutex> guard{sync_mu_};
  if (fdatasync(fd_) != 0)
    fail("write-ahead log: fdatasync failed");
}

void write_ahead_log::reset() {
  // Start over at the beginning of the file, keeping its blocks: old records beyond the new
  // ones are out of sequence and never replayed. The first new record must not be mistaken
  // for an old one after a crash, so the old first record is made invalid, durably.
  if (end_ == 0)
    return;
  write_all(fd_, std::string(header_size, '\0'), 0);
  if (fdatasync(fd_) != 0)
    fail("cannot empty " + file_.string());
  end_ = 0;
}

void write_ahead_log::grow(uint64_t at_least) {
  auto step = std::clamp(file_size_, smallest_step, largest_step);
  auto target = std::max(at_least, file_size_ + step);
  static const std::string zeros(smallest_step, '\0');
  while (file_size_ < target) {
    // Written zeros, not a hole: later overwrites need no block allocation.
    write_all(fd_, zeros, file_size_);
    file_size_ += zeros.size();
  }
}

} // namespace vfb
