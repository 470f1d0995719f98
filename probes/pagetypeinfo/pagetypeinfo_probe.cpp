// pagetypeinfo: free blocks per migrate type, kept for people (why a
// huge-page allocation failed) and later parsers.
#include "probes/registry.h"

namespace memharness::probes {
namespace {

ProbeSpec pagetypeinfo_probe() {
  ProbeSpec spec;
  spec.name = "pagetypeinfo";
  spec.description = "/proc/pagetypeinfo snapshots at start and end";
  spec.records = "snapshots/{start,end}/proc/pagetypeinfo";
  spec.unavailable_reason = [](const system::SystemRoot& system) {
    return missing_file_reason(system, "/proc/pagetypeinfo", "readable by root only");
  };
  spec.snapshot_files = {"/proc/pagetypeinfo"};
  spec.order = 60;
  return spec;
}

}  // namespace

MEMHARNESS_REGISTER_PROBE(pagetypeinfo_probe());

}  // namespace memharness::probes
