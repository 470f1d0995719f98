#pragma once
// A workload: one registered kind of load (anon-dirty, dd-writeback ...). The
// runner runs every workload of a phase concurrently, each in its own thread,
// calling run() with a context through which all processes are spawned into the
// test cgroup.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/system/cgroup.h"
#include "harness/system/process.h"
#include "harness/system/system_root.h"
#include "workloads/parameter.h"

namespace memharness::workloads {

// What a workload sees of the running test.
struct WorkloadContext {
  const system::SystemRoot& system;
  std::string instance_name;                // unique within the phase, e.g. "anon-dirty"
  std::filesystem::path output_dir;         // per-iteration dir for this workload's files
  std::filesystem::path cgroup_procs_file;  // the test cgroup's cgroup.procs / tasks
  // The test cgroup, for its counters (memory.events, memory.stat) read the
  // same way on v1 and v2; null where there is none (unit tests).
  const system::MemoryCgroup* cgroup = nullptr;
  std::chrono::steady_clock::time_point deadline;  // the phase timeout
  std::stop_token stop;                            // set on SIGINT/SIGTERM or a failing sibling
  // Writes a global kernel knob (nr_hugepages ...) through the run's journal, so
  // it is restored however the run ends. Safe to call from workload threads.
  std::function<void(const std::string& absolute_path, const std::string& value)> journaled_write;
  // Journals a scratch directory before it is created, so that restore removes
  // it however the run ends; empty: not journaled. Safe from workload threads.
  std::function<void(const std::filesystem::path& directory)> journaled_scratch_directory;

  // Creates <parent>/memharness-<kind>-<pid>-<instance>-<random> (mode 0700,
  // journaled first) for the workload's files and returns it. Throws
  // Error(environment) naming the directory when `parent` is missing or another
  // user could redirect paths below it, or the new directory exists already.
  // The workload still removes it when it is done.
  std::filesystem::path make_scratch_directory(const std::filesystem::path& parent, std::string_view kind) const;

  // Runs argv inside the test cgroup with stdout/stderr appended to
  // output_dir/<log_name>.log; kills the whole process tree at the deadline or on
  // stop. Never throws for the child's failure: the outcome says what happened.
  system::ProcessOutcome spawn(const std::vector<std::string>& argv, const std::string& log_name) const;
};

struct WorkloadResult {
  // Whole-tree accounting of every process the workload spawned, summed.
  system::ProcessOutcome totals;
  // The workload's own metrics (bogo-ops/s, MB/s, success % ...), flat name -> value.
  nlohmann::json metrics = nlohmann::json::object();
  // Extra detail kept in the run directory but not compared (e.g. stress-ng YAML).
  nlohmann::json details = nlohmann::json::object();
  bool succeeded = false;
  std::string failure;  // one sentence when !succeeded

  // The workload ran but did none of its work (no build started, no byte
  // written, no page dirtied): never "succeeded", whatever else went right, so
  // the iteration fails and compare does not judge figures of a load that did
  // not happen. `why` names what did not happen; it is kept in details.no_work.
  void did_no_work(const std::string& why);
};

// Set-up a workload needs before its measured work, and what it cost. Kept in
// the workload's details as "preparation"; its CPU time is not the workload's.
struct Preparation {
  bool succeeded = true;
  std::string failure;  // one sentence when !succeeded
  double elapsed_s = 0;
  system::ProcessOutcome totals;                   // the preparation's commands, summed
  nlohmann::json steps = nlohmann::json::array();  // {"step", "elapsed_s"} each

  nlohmann::json to_json() const;
};

class Workload {
 public:
  virtual ~Workload() = default;
  // Set-up that is not part of the load (unpacking and configuring a kernel
  // tree). The runner prepares every workload of a phase before it starts any
  // of them, so a load never runs beside another's set-up and a mix's timed
  // window holds the load only. run() prepares by itself when nobody did.
  virtual Preparation prepare(const WorkloadContext&) { return {}; }
  virtual WorkloadResult run(const WorkloadContext& context) = 0;
};

}  // namespace memharness::workloads
