// psi: the system's memory pressure stall information. The stall time
// accrued in the window is compared; totals and 10 s averages are plotted.
#include <fmt/core.h>

#include "harness/system/procfs/psi.h"
#include "harness/system/system_root.h"
#include "probes/registry.h"

namespace memharness::probes {
namespace {

ProbeSpec psi_probe() {
  ProbeSpec spec;
  spec.name = "psi";
  spec.description = "/proc/pressure/memory stall totals (n/a when the kernel has PSI off)";
  spec.records = "snapshots/{start,end}/proc/pressure/memory, result.json psi_memory, timeseries.csv psi.*";
  spec.metrics = {"psi.some_ms", "psi.full_ms"};
  spec.unavailable_reason = [](const system::SystemRoot& system) {
    return missing_file_reason(system, "/proc/pressure/memory", "the kernel has PSI off (CONFIG_PSI, psi=0)");
  };
  spec.snapshot_files = {"/proc/pressure/memory"};
  spec.timeseries_columns = {"psi.some_total_us", "psi.full_total_us", "psi.some_avg10", "psi.full_avg10"};
  spec.sample = [](const system::SystemRoot& system, const system::MemoryCgroup*) -> std::vector<std::string> {
    auto psi = system::procfs::read_memory_psi(system);
    if (!psi) return {"", "", "", ""};
    return {std::to_string(psi->some.total_us), psi->full ? std::to_string(psi->full->total_us) : "",
            fmt::format("{:.2f}", psi->some.avg10), psi->full ? fmt::format("{:.2f}", psi->full->avg10) : ""};
  };
  spec.order = 30;
  return spec;
}

}  // namespace

MEMHARNESS_REGISTER_PROBE(psi_probe());

}  // namespace memharness::probes
