#include "workloads/anon-dirty/dirty_pacer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace memharness::workloads {

DirtyPacer::DirtyPacer(std::int64_t bytes_per_second, std::int64_t burst_bytes, std::int64_t unit_bytes, Clock clock)
    : rate_(static_cast<double>(bytes_per_second) / 1e9),
      burst_(static_cast<double>(burst_bytes)),
      unit_(unit_bytes),
      clock_(std::move(clock)),
      last_(clock_()) {
  if (bytes_per_second <= 0 || unit_bytes <= 0 || burst_bytes < unit_bytes)
    throw std::invalid_argument("DirtyPacer: needs rate > 0 and burst >= unit > 0");
}

std::int64_t DirtyPacer::burst_for(std::int64_t bytes_per_second, std::chrono::nanoseconds slice,
                                   std::int64_t min_bytes) {
  double slice_bytes = static_cast<double>(bytes_per_second) * std::chrono::duration<double>(slice).count();
  return std::max(min_bytes, static_cast<std::int64_t>(slice_bytes));
}

void DirtyPacer::refill() {
  auto now = clock_();
  if (now <= last_) return;
  tokens_ += static_cast<double>((now - last_).count()) * rate_;
  last_ = now;
  if (tokens_ > burst_) {
    behind_ += std::chrono::nanoseconds(std::llround((tokens_ - burst_) / rate_));
    tokens_ = burst_;
  }
}

std::int64_t DirtyPacer::grant(std::int64_t wanted) {
  refill();
  std::int64_t units = std::min(static_cast<std::int64_t>(tokens_) / unit_, wanted / unit_);
  tokens_ -= static_cast<double>(units * unit_);
  return units * unit_;
}

std::chrono::nanoseconds DirtyPacer::until_available(std::int64_t bytes) {
  refill();
  double missing = std::min(static_cast<double>(bytes), burst_) - tokens_;
  if (missing <= 0) return std::chrono::nanoseconds{0};
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::ceil(missing / rate_)));
}

}  // namespace memharness::workloads
