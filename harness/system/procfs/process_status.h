#pragma once
// /proc/PID/status, for the harness's own memory: VmHWM, the peak resident set
// since the process started, is what bounds what the harness costs the machine
// it measures (issue: "harness RSS <= 32 MiB"), so every run directory records
// it. Only the memory lines are parsed; the file has many others ("Name:",
// "Uid:", "Cpus_allowed_list:") whose formats this does not need.
//
//   VmHWM:	   21344 kB
//   VmRSS:	   20876 kB
#include <cstdint>
#include <optional>
#include <string_view>

#include "harness/system/system_root.h"

namespace memharness::system::procfs {

struct ProcessMemory {
  std::optional<std::int64_t> peak_rss_kb;  // VmHWM; absent for kernel threads
  std::optional<std::int64_t> rss_kb;       // VmRSS
};

// Parses the Vm lines of a status file; `source` names it in errors. A VmHWM or
// VmRSS line that is not "Name: N kB" throws memharness::Error(environment).
ProcessMemory parse_process_memory(std::string_view text, std::string_view source);

// This process's /proc/self/status under `root`; nothing when the file is
// absent (a fake root without one).
ProcessMemory read_own_memory(const SystemRoot& root);

}  // namespace memharness::system::procfs
