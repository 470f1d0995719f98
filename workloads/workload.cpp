#include "workloads/workload.h"

#include <unistd.h>

#include <stdexcept>

#include <fmt/core.h>

namespace memharness::workloads {

std::filesystem::path WorkloadContext::make_scratch_directory(const std::filesystem::path& parent,
                                                              std::string_view kind) const {
  auto directory = std::filesystem::absolute(parent).lexically_normal() /
                   fmt::format("memharness-{}-{}-{}", kind, ::getpid(), instance_name);
  if (journaled_scratch_directory) journaled_scratch_directory(directory);
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", directory.string(), ec.message()));
  return directory;
}

void WorkloadResult::did_no_work(const std::string& why) {
  succeeded = false;
  failure = "did no work: " + why;
  details["no_work"] = why;
}

nlohmann::json Preparation::to_json() const {
  nlohmann::json j = {{"succeeded", succeeded}, {"elapsed_s", elapsed_s}, {"user_s", totals.user_s},
                      {"sys_s", totals.sys_s},  {"steps", steps}};
  if (!succeeded) j["failure"] = failure;
  return j;
}

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
