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
  Progress(std::ostream& out, bool terminal, std::string test, int iterations);

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
  void emit(const std::string& message);

  std::ostream& out_;
  bool terminal_;
  std::string test_;
  int iterations_;
  int iteration_ = 0;
  int completed_ = 0;
  std::string phase_;
  std::chrono::steady_clock::time_point run_started_;
  std::chrono::steady_clock::time_point iteration_started_;
  bool line_open_ = false;
};

}  // namespace memharness::runner
