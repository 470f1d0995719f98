#pragma once
// Progress of a run. On a terminal: one line, rewritten in place, with the phase,
// iteration i/N, elapsed time and an ETA. Otherwise (CI logs, pipes): plain
// timestamped lines at each change.
#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

namespace memharness::runner {

class Progress {
 public:
  // `first_iteration` > 1: a guest booted for one iteration of a VM run
  // (runner/vm_rounds.h), which shows the iteration's number without a total.
  Progress(std::ostream& out, bool terminal, std::string test, int iterations, int first_iteration = 1);

  void iteration_started(int iteration);
  void iteration_finished(int iteration);
  void phase_started(const std::string& phase);
  // Redraws the terminal line (no-op otherwise); call it periodically.
  void tick();
  // A message on its own line (above the status line on a terminal).
  void note(const std::string& message);
  void finish();

 private:
  std::string status_line() const;
  std::string numbered(int iteration) const;  // "2/5", or "7" in a guest's round
  void emit(const std::string& message);

  std::ostream& out_;
  bool terminal_;
  std::string test_;
  int iterations_;
  int first_iteration_;
  int iteration_ = 0;
  int completed_ = 0;
  std::string phase_;
  std::chrono::steady_clock::time_point run_started_;
  std::chrono::steady_clock::time_point iteration_started_;
  bool line_open_ = false;
};

}  // namespace memharness::runner
