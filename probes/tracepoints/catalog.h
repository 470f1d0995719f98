#pragma once
// The tracepoints the recorder uses, which BPF program each feeds, and whether
// the running kernel has them (from tracefs: events/<subsystem>/<event>).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "harness/system/system_root.h"

namespace memharness::probes {

struct TracepointSpec {
  std::string_view subsystem;
  std::string_view event;
  std::string_view program;  // the SEC("tp/...") program in probes/bpf/reclaim.bpf.c

  std::string name() const { return std::string(subsystem) + "/" + std::string(event); }
};

// Every tracepoint of probes/bpf/reclaim.bpf.c, in the program's order.
const std::vector<TracepointSpec>& reclaim_tracepoints();

inline constexpr std::string_view kTracefsMountPoint = "/sys/kernel/tracing";

// "vmscan/mm_vmscan_write_folio" -> present on this kernel; read from the
// tracefs mounted at `tracefs` (which must be mounted: see tracefs.h).
std::map<std::string, bool> tracepoint_availability(const system::SystemRoot& root,
                                                    std::string_view tracefs = kTracefsMountPoint);

}  // namespace memharness::probes
