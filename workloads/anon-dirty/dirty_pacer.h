#pragma once
// Paces the rate-limited anonymous dirtier: a token bucket over a monotonic
// clock. Tokens (bytes) accrue at the target rate up to a burst; a worker takes
// whole pages' worth and sleeps, in slices, while there are none. Tokens that
// would overflow a full bucket are time the worker spent behind schedule (it
// could not write as fast as the rate allowed, e.g. stalled in memcg reclaim):
// they are counted, not carried over, so a stall is never paid back by a burst.
#include <chrono>
#include <cstdint>
#include <functional>

namespace memharness::workloads {

class DirtyPacer {
 public:
  using Clock = std::function<std::chrono::nanoseconds()>;  // monotonic; injectable for tests

  // bytes_per_second > 0; burst_bytes >= unit_bytes > 0 (the bucket's size and
  // the granularity of grants, a page).
  DirtyPacer(std::int64_t bytes_per_second, std::int64_t burst_bytes, std::int64_t unit_bytes, Clock clock);

  // Up to `wanted` bytes, in whole units, that may be written now (0: wait).
  std::int64_t grant(std::int64_t wanted);
  // How long until `bytes` (at most the burst) are available.
  std::chrono::nanoseconds until_available(std::int64_t bytes);
  // Rate-time lost to a full bucket so far.
  std::chrono::nanoseconds behind_schedule() const { return behind_; }

  // The bucket for a worker: room for `slice` at the rate, and never less than
  // `min_bytes`, so that sleeping a slice never overflows it by itself.
  static std::int64_t burst_for(std::int64_t bytes_per_second, std::chrono::nanoseconds slice, std::int64_t min_bytes);

 private:
  void refill();

  double rate_;  // bytes per nanosecond
  double burst_;
  std::int64_t unit_;
  Clock clock_;
  std::chrono::nanoseconds last_;
  double tokens_ = 0;
  std::chrono::nanoseconds behind_{0};
};

}  // namespace memharness::workloads
