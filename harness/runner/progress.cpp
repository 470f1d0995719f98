#include "harness/runner/progress.h"

#include <ctime>
#include <ostream>

#include <fmt/core.h>

namespace memharness::runner {

namespace {
std::string clock_time(int64_t seconds) {
  if (seconds >= 3600) return fmt::format("{}h{:02}m{:02}s", seconds / 3600, seconds / 60 % 60, seconds % 60);
  if (seconds >= 60) return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
  return fmt::format("{}s", seconds);
}

std::string wall_clock() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  return fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
}
}  // namespace

Progress::Progress(std::ostream& out, bool terminal, std::string test, int iterations, int first_iteration)
    : out_(out),
      terminal_(terminal),
      test_(std::move(test)),
      iterations_(iterations),
      first_iteration_(first_iteration),
      run_started_(std::chrono::steady_clock::now()),
      iteration_started_(run_started_) {}

std::string Progress::numbered(int iteration) const {
  return first_iteration_ == 1 ? fmt::format("{}/{}", iteration, iterations_) : std::to_string(iteration);
}

std::string Progress::status_line() const {
  auto now = std::chrono::steady_clock::now();
  auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - run_started_).count();
  std::string eta = "--";
  if (completed_ > 0) {
    // Mean iteration time so far, times what is left, minus what the current one has used.
    double per_iteration = std::chrono::duration<double>(iteration_started_ - run_started_).count() / completed_;
    double in_current = std::chrono::duration<double>(now - iteration_started_).count();
    double left = per_iteration * (iterations_ - completed_) - in_current;
    eta = clock_time(static_cast<int64_t>(left > 0 ? left : 0));
  }
  return fmt::format("[{}] iteration {}  phase {}  elapsed {}  ETA {}", test_, numbered(iteration_),
                     phase_.empty() ? "-" : phase_, clock_time(elapsed), eta);
}

void Progress::emit(const std::string& message) {
  if (terminal_) {
    out_ << "\r\033[K" << message << '\n';
    line_open_ = false;
    tick();
  } else {
    out_ << wall_clock() << ' ' << message << '\n' << std::flush;
  }
}

void Progress::iteration_started(int iteration) {
  iteration_ = iteration;
  iteration_started_ = std::chrono::steady_clock::now();
  if (!terminal_) emit(fmt::format("[{}] iteration {} started", test_, numbered(iteration)));
  tick();
}

void Progress::iteration_finished(int iteration) {
  completed_ = iteration - first_iteration_ + 1;
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - iteration_started_).count();
  iteration_started_ = std::chrono::steady_clock::now();
  emit(fmt::format("[{}] iteration {} finished in {:.1f}s", test_, numbered(iteration), took));
}

void Progress::phase_started(const std::string& phase) {
  phase_ = phase;
  if (!terminal_) emit(fmt::format("[{}] iteration {}: phase {}", test_, numbered(iteration_), phase));
  tick();
}

void Progress::tick() {
  if (!terminal_) return;
  out_ << "\r\033[K" << status_line() << std::flush;
  line_open_ = true;
}

void Progress::note(const std::string& message) { emit(message); }

void Progress::finish() {
  if (terminal_ && line_open_) out_ << "\r\033[K" << std::flush;
  line_open_ = false;
}

}  // namespace memharness::runner
