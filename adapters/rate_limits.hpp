// Token buckets per source (youtube, generic, ...), so a node never lists or downloads faster
// than configured, however many workers ask at once. Callers reserve a slot and wait for it,
// which keeps the order fair: whoever asks first goes first. Pure code, thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace vfb {

class token_bucket {
public:
  using clock = std::chrono::steady_clock;

  /// `per_minute` tokens a minute, at most `burst` saved up (a full bucket at the start).
  /// per_minute <= 0: unlimited.
  token_bucket(double per_minute, double burst);

  /// Takes a token, borrowing from the future when the bucket is empty; returns how long the
  /// caller must wait before using it (zero when a token was there).
  clock::duration reserve(clock::time_point now);

private:
  double per_ns_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

/// One bucket per source, created on first use.
class rate_limits {
public:
  rate_limits(double per_minute, double burst) : per_minute_(per_minute), burst_(burst) {}

  /// As token_bucket::reserve, for `source`.
  token_bucket::clock::duration reserve(const std::string& source,
                                        token_bucket::clock::time_point now);

  /// Reserves a token and sleeps until it may be used.
  void wait(const std::string& source);

private:
  double per_minute_;
  double burst_;
  std::mutex mu_;
  std::map<std::string, token_bucket> buckets_;
};

} // namespace vfb
