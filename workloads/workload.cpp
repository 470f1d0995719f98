#include "workloads/workload.h"

namespace memharness::workloads {

system::ProcessOutcome WorkloadContext::spawn(const std::vector<std::string>& argv,
                                              const std::string& log_name) const {
  system::SpawnOptions options;
  options.argv = argv;
  options.cgroup_procs_file = cgroup_procs_file;
  options.log_file = output_dir / (log_name + ".log");
  options.working_directory = output_dir;
  options.deadline = deadline;
  options.stop = stop;
  return system::run_process(options);
}

}  // namespace memharness::workloads
