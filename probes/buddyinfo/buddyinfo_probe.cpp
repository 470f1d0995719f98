// buddyinfo: free blocks per order and zone at the start and end; the
// fragmentation indices derived from it go into result.json.
#include "probes/registry.h"

namespace memharness::probes {
namespace {

ProbeSpec buddyinfo_probe() {
  ProbeSpec spec;
  spec.name = "buddyinfo";
  spec.description = "/proc/buddyinfo snapshots at start and end";
  spec.records = "snapshots/{start,end}/proc/buddyinfo, result.json fragmentation";
  spec.unavailable_reason = [](const system::SystemRoot& system) {
    return missing_file_reason(system, "/proc/buddyinfo", "");
  };
  spec.snapshot_files = {"/proc/buddyinfo"};
  spec.order = 50;
  return spec;
}

}  // namespace

MEMHARNESS_REGISTER_PROBE(buddyinfo_probe());

}  // namespace memharness::probes
