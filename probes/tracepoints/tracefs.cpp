#include "probes/tracepoints/tracefs.h"

#include "probes/tracepoints/catalog.h"

namespace memharness::probes {

bool tracefs_mounted(const system::SystemRoot& root) {
  return root.exists(std::string(kTracefsMountPoint) + "/events");
}

std::string ensure_tracefs_mounted(const system::SystemRoot& root, system::Journal& journal) {
  if (tracefs_mounted(root)) return "already mounted";
  journal.mount_filesystem("tracefs", std::string(kTracefsMountPoint));
  return "mounted by memharness";
}

}  // namespace memharness::probes
