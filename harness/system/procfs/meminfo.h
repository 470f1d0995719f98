#pragma once
// /proc/meminfo: the system-wide memory picture (free, cached, anon, huge pages)
// recorded with every run so results carry the memory profile they ran under.
//
// Sizes are converted to bytes ("MemTotal: 24684084 kB" -> 25276502016) so that
// no caller has to remember the kernel's kB unit; fields without a unit
// (HugePages_Total, HugePages_Free, HugePages_Rsvd, HugePages_Surp) are counts of
// huge pages and are kept as they are. Keys are the kernel's names, e.g.
// "Active(anon)".
#include <string_view>

#include "harness/common/counters.h"
#include "harness/system/system_root.h"

namespace memharness::system::procfs {

// Parses "Name:   value [kB]" lines. `source` names the input in error messages.
// Throws memharness::Error(environment) on a malformed line, an unknown unit or
// a duplicated name.
CounterMap parse_meminfo(std::string_view text, std::string_view source = "/proc/meminfo");

// Reads /proc/meminfo under `root`.
CounterMap read_meminfo(const SystemRoot& root);

}  // namespace memharness::system::procfs
