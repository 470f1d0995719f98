#include "workloads/workload.h"

#include <unistd.h>

#include <stdexcept>

#include <fmt/core.h>

#include "harness/common/owned_files.h"

namespace memharness::workloads {

std::filesystem::path WorkloadContext::make_scratch_directory(const std::filesystem::path& parent,
                                                              std::string_view kind) const {
  const auto absolute_parent = std::filesystem::absolute(parent).lexically_normal();
  // Root writes below it (dd's files, a kernel build's O=): no other user may be
  // able to swap a path component for a symlink, and the name is new and
  // unguessable, made here with mkdir — an existing directory is never adopted.
  require_trusted_directory(absolute_parent);
  auto directory =
      absolute_parent / fmt::format("memharness-{}-{}-{}-{}", kind, ::getpid(), instance_name, random_name_part(8));
  if (journaled_scratch_directory) journaled_scratch_directory(directory);
  OwnedDirectory::create(directory, 0700);
  return directory;
}

void WorkloadResult::did_no_work(const std::string& why) {
  succeeded = false;
  failure = "did no work: " + why;
  details["no_work"] = why;
}

nlohmann::json Preparation::to_json() const {
  nlohmann::json j = {{"succeeded", succeeded},
                      {"elapsed_s", elapsed_s},
                      {"user_s", totals.user_s},
                      {"sys_s", totals.sys_s},
                      {"steps", steps}};
  if (!succeeded) j["failure"] = failure;
  return j;
}

system::ProcessOutcome WorkloadContext::spawn(const std::vector<std::string>& argv, const std::string& log_name) const {
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
