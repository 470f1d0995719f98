#pragma once
// highalloc's THP attempts, made by a child process in the test cgroup: the
// harness is mlocked with oom_score_adj -1000, so memory it faulted itself
// was charged outside the test's limit, pinned and unkillable. The child is
// the memharness binary again (`memharness internal-thp-attempts`, argv only),
// started like every workload command (in the test cgroup, killed at the
// deadline or a stop); the harness asks for one attempt at a time over a pipe
// and reads the result back. Its regions stay mapped until it ends.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>

#include "harness/system/process.h"
#include "workloads/highalloc/thp_faults.h"

namespace memharness::workloads::highalloc {

class ThpAttemptChild {
 public:
  // Starts `binary internal-thp-attempts --page-bytes N` with `options`
  // (cgroup, log file, deadline, stop; argv and the pipes are filled in here).
  ThpAttemptChild(std::filesystem::path binary, std::int64_t page_bytes, system::SpawnOptions options);
  // Ends the child if finish() was not called.
  ~ThpAttemptChild();
  ThpAttemptChild(const ThpAttemptChild&) = delete;
  ThpAttemptChild& operator=(const ThpAttemptChild&) = delete;

  // One fault in the child. Throws Error(environment) with the child's reason
  // when it could not make or verify it, or when the child has ended.
  ThpFaults::Attempt attempt();
  // Lets the child go (it unmaps everything and exits) and returns what became of it.
  system::ProcessOutcome finish();

 private:
  std::string read_line();

  int to_child_ = -1;
  int from_child_ = -1;
  int child_stdin_ = -1;  // the child's ends, closed once it has ended
  int child_stdout_ = -1;
  std::atomic<bool> ended_{false};
  system::ProcessOutcome outcome_;
  std::thread supervisor_;
  std::string buffered_;
};

// The child's side: answers "attempt" lines on `in` with "ok <fault_ms> <0|1>"
// or "error <reason>" lines on `out` until `in` ends.
int serve_thp_attempts(std::int64_t page_bytes, std::FILE* in, std::FILE* out);

}  // namespace memharness::workloads::highalloc
