#pragma once
// What a guest's console says happened: it finished (the init's end marker),
// the kernel panicked, oopsed, or the console just stops (a hang, a timeout).
// Read line by line, keeping only the verdict and the lines of its excerpt, so
// a console of any size (a guest that printed for hours) costs the same.
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memharness::targets {

struct ConsoleVerdict {
  bool began = false;                        // the init reached the run (begin marker)
  bool finished = false;                     // the init's end marker
  bool panic = false;                        // "Kernel panic - not syncing"
  bool oops = false;                         // "Oops:", "BUG:", "general protection fault"
  std::string guest_error;                   // "memharness-guest: error: ..." from the init
  std::string first_problem_line;            // the panic/oops line, for status_reason
  std::optional<double> boot_to_workload_s;  // the guest's uptime at the begin marker
  std::string excerpt;                       // the lines around the first problem (or the console's tail)
  // What follows the first "memharness: " the guest's harness printed between
  // the markers: its one-line error when it refused to run.
  std::string guest_harness_message;
};

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

// The verdict of a console handed over one line at a time (ConsoleFollower,
// for_each_line), without its '\n'.
class ConsoleScanner {
 public:
  void add_line(std::string_view line);
  // What the lines so far say.
  ConsoleVerdict verdict() const;

 private:
  ConsoleVerdict verdict_;                   // all but the excerpt
  std::deque<std::string> recent_;           // the last lines, until a problem: the tail
  std::vector<std::string> around_problem_;  // from a few lines before the first problem on
  std::size_t lines_after_problem_ = 0;      // still to keep after it
  bool problem_seen_ = false;
  GuestOutputFilter guest_output_;
};

// The verdict of a whole console held in memory (tests, small consoles).
ConsoleVerdict read_console(std::string_view console);

}  // namespace memharness::targets
