#include "adapters/rate_limits.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

namespace vfb {

token_bucket::token_bucket(double per_minute, double burst)
    : per_ns_(per_minute > 0 ? per_minute / 60e9 : 0), burst_(std::max(1.0, burst)),
      tokens_(burst_), last_(clock::time_point::min()) {}

token_bucket::clock::duration token_bucket::reserve(clock::time_point now) {
  if (per_ns_ <= 0)
    return clock::duration::zero();
  if (last_ != clock::time_point::min() && now > last_) {
    auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + static_cast<double>(elapsed) * per_ns_);
  }
  if (last_ == clock::time_point::min() || now > last_)
    last_ = now;
  tokens_ -= 1; // may go below zero: the caller waits until it is paid back
  if (tokens_ >= 0)
    return clock::duration::zero();
  return std::chrono::duration_cast<clock::duration>(
      std::chrono::nanoseconds{static_cast<int64_t>(std::ceil(-tokens_ / per_ns_))});
}

token_bucket::clock::duration rate_limits::reserve(const std::string& source,
                                                   token_bucket::clock::time_point now) {
  std::lock_guard guard{mu_};
  auto it = buckets_.find(source);
  if (it == buckets_.end())
    it = buckets_.emplace(source, token_bucket{per_minute_, burst_}).first;
  return it->second.reserve(now);
}

void rate_limits::wait(const std::string& source) {
  auto wait = reserve(source, token_bucket::clock::now());
  if (wait > token_bucket::clock::duration::zero())
    std::this_thread::sleep_for(wait); // the rate limit itself: nothing else to wait for
}

} // namespace vfb
