#pragma once
// /proc/vmstat: the kernel's global event counters and gauges, the backbone of
// every run's "vmstat" deltas and time series.
//
// Counter names changed across kernels: before 4.8 reclaim counters existed only
// per zone (pgsteal_kswapd_dma32, pgscan_direct_normal ...), and allocation and
// stall counters are still per zone today (pgalloc_normal, allocstall_movable).
// with_zone_sums() adds the zone-independent name so that the rest of the harness
// can ask for "pgsteal_kswapd" or "pgalloc" on any kernel.
#include <array>
#include <string_view>

#include "harness/common/counters.h"
#include "harness/system/system_root.h"

namespace memharness::system::procfs {

// Zone-name suffixes the kernel appends to per-zone counters (mm/vmstat.c,
// TEXT_FOR_DMA ... TEXT_FOR_DEVICE); "_high" is ZONE_HIGHMEM.
inline constexpr std::array<std::string_view, 6> vmstat_zone_suffixes = {"_dma",  "_dma32",   "_normal",
                                                                         "_high", "_movable", "_device"};

// Parses "name value" lines. `source` names the input in error messages.
// Throws memharness::Error(environment) on a malformed line, a non-integer value
// or a duplicated name: "/proc/vmstat:12: expected 'name value', got '...'".
CounterMap parse_vmstat(std::string_view text, std::string_view source = "/proc/vmstat");

// For every counter NAME_<zone> whose NAME is absent, adds NAME as the sum of
// its per-zone variants. Existing names are never overwritten, so on kernels that
// report both (pgscan_kswapd on 4.8+) the kernel's own value is kept.
CounterMap with_zone_sums(CounterMap counters);

// Reads /proc/vmstat under `root` and applies with_zone_sums().
CounterMap read_vmstat(const SystemRoot& root);

}  // namespace memharness::system::procfs
