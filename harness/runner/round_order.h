#pragma once
// The order in which interleaved kernels or variants run their iterations.
#include <cstddef>
#include <vector>

namespace memharness::runner {

// Round `round` (1-based) of `count`: forward in odd rounds, backward in even
// ones (A B, B A, A B ...), so a drift that is linear in time cancels out over
// each pair of rounds instead of falling on whichever runs second.
inline std::vector<std::size_t> round_order(int round, std::size_t count) {
  std::vector<std::size_t> order(count);
  for (std::size_t i = 0; i < count; ++i) order[i] = round % 2 == 1 ? i : count - 1 - i;
  return order;
}

}  // namespace memharness::runner
