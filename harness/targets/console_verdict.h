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

// Picks, line by line, what the guest's harness printed between the init's
// markers (its progress and run summary) out of the console, so the host can
// show it while the guest runs.
class GuestOutputFilter {
 public:
  // The line itself when it is the harness's output, otherwise nothing.
  std::optional<std::string_view> pass(std::string_view console_line);

 private:
  bool inside_ = false;
  bool ended_ = false;
};

// The same for a whole console, for the host's output afterwards.
std::string guest_run_output(std::string_view console);

}  // namespace memharness::targets
