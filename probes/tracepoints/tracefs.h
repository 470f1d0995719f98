#pragma once
// tracefs for the recorders: libbpf 1.1 finds a tracepoint's id only under
// /sys/kernel/tracing (or debugfs' /sys/kernel/debug/tracing), so the harness
// mounts tracefs there when it is not, through the journal (restore unmounts it).
#include <string>

#include "harness/system/journal.h"
#include "harness/system/system_root.h"

namespace memharness::probes {

// Whether tracefs is usable at /sys/kernel/tracing (its events/ directory exists).
bool tracefs_mounted(const system::SystemRoot& root);

// Mounts tracefs at /sys/kernel/tracing when it is not mounted (journaled);
// returns "mounted by memharness", "already mounted", or throws
// Error(environment) when it cannot be mounted.
std::string ensure_tracefs_mounted(const system::SystemRoot& root, system::Journal& journal);

}  // namespace memharness::probes
