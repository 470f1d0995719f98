#pragma once
// What a guest's console says happened: it finished (the init's end marker),
// the kernel panicked, oopsed, or the console just stops (a hang, a timeout).
#include <optional>
#include <string>
#include <string_view>

namespace memharness::targets {

struct ConsoleVerdict {
  bool began = false;     // the init reached the run (begin marker)
  bool finished = false;  // the init's end marker
  bool panic = false;     // "Kernel panic - not syncing"
  bool oops = false;      // "Oops:", "BUG:", "general protection fault"
  std::string guest_error;  // "memharness-guest: error: ..." from the init
  std::string first_problem_line;  // the panic/oops line, for status_reason
  std::optional<double> boot_to_workload_s;  // the guest's uptime at the begin marker
  std::string excerpt;  // the lines around the first problem (or the console's tail)
};

ConsoleVerdict read_console(std::string_view console);

// The lines the guest's harness printed between the init's markers (its progress
// and run summary), for the host's output.
std::string guest_run_output(std::string_view console);

}  // namespace memharness::targets
