#pragma once
// Spawning workload processes into a cgroup and accounting for their whole tree.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace memharness::system {

// What became of one spawned command and every process it forked.
struct ProcessOutcome {
  std::vector<std::string> argv;
  bool started = false;    // false: the exec failed (see failure)
  int exit_status = -1;    // exit code when the command exited
  int term_signal = 0;     // signal when it was killed
  bool timed_out = false;  // killed by the harness at the deadline
  bool stopped = false;    // killed by the harness on interrupt/stop
  std::string failure;     // why it did not start, in one sentence
  double elapsed_s = 0;
  double user_s = 0;  // rusage of the whole tree (a subreaper reaps orphans)
  double sys_s = 0;
  long max_rss_kb = 0;  // largest single process of the tree
  // The supervisor died before reporting (killed when it did not end within
  // SpawnOptions::stop_grace of the stop): user_s, sys_s and max_rss_kb were
  // not measured.
  bool usage_lost = false;

  bool exited_zero() const { return started && term_signal == 0 && exit_status == 0; }
  // Why it did not exit 0, as one sentence naming argv[0]; empty when it did.
  std::string failure_sentence() const;
  // Adds another outcome's times (for workloads that run several commands).
  void accumulate(const ProcessOutcome& other);
};

struct SpawnOptions {
  std::vector<std::string> argv;
  // File to write the child's pid to before exec ("cgroup.procs" / "tasks"); empty: none.
  std::filesystem::path cgroup_procs_file;
  std::filesystem::path log_file;  // stdout and stderr appended here; empty: /dev/null
  // Descriptors of the harness that become the command's stdin / stdout
  // instead (pipes to a helper the harness talks to); -1: /dev/null and
  // log_file. They are not closed here.
  int stdin_fd = -1;
  int stdout_fd = -1;
  std::optional<std::filesystem::path> working_directory;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::stop_token stop;
  // How long the supervisor gets to end the tree and report after the deadline
  // or stop; then it is killed and the tree's CPU times are lost (usage_lost).
  std::chrono::milliseconds stop_grace = std::chrono::seconds(10);
};

// Runs the command to completion (or deadline/stop, which kill the whole tree).
ProcessOutcome run_process(const SpawnOptions& options);

// Finds an executable on PATH; nullopt when missing.
std::optional<std::filesystem::path> find_program(const std::string& name);

}  // namespace memharness::system
