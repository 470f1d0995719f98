#pragma once
// splitmix64: the same sequence on every platform and standard library (unlike
// std::shuffle's use of a distribution), so a stored comparison or history
// re-analysed elsewhere gives the same p-values and change points.
#include <cstddef>
#include <cstdint>

namespace memharness::analysis {

class SplitMix {
 public:
  explicit SplitMix(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

}  // namespace memharness::analysis
