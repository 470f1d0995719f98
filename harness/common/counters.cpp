#include "harness/common/counters.h"

namespace memharness {

CounterMap counter_delta(const CounterMap& start, const CounterMap& end) {
  CounterMap delta;
  for (const auto& [name, value] : end) {
    auto it = start.find(name);
    delta.emplace(name, value - (it == start.end() ? 0 : it->second));
  }
  return delta;
}

}  // namespace memharness
