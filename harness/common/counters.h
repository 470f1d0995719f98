#pragma once
// Named kernel counters (vmstat, memory.stat, memory.events ...) and their deltas.
#include <cstdint>
#include <map>
#include <string>

namespace memharness {

using CounterMap = std::map<std::string, std::int64_t, std::less<>>;

// end - start for every key present in `end`; keys missing from `start` count from 0.
// Counters that went backwards (gauges such as nr_free_pages) keep their signed delta.
CounterMap counter_delta(const CounterMap& start, const CounterMap& end);

}  // namespace memharness
