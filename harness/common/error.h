#pragma once
// The one user-facing error type of memharness (bpftrace's rule: fatal user errors
// throw one type, caught only in main, which prints the sentence and exits).
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/core.h>

namespace memharness {

// Process exit codes: part of the user contract, documented in docs/runs.md
// ("Exit codes").
enum class ExitCode : int {
  success = 0,
  regression = 1,    // compare: a gating metric regressed
  usage = 2,         // bad command line or config
  environment = 3,   // a precondition of the machine is missing
  run_failed = 4,    // the run started but did not complete
  inconclusive = 5,  // compare: no gating metric regressed, but not every one was judged
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string message) : std::runtime_error(std::move(message)), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

template <typename... Args>
Error usage_error(fmt::format_string<Args...> f, Args&&... args) {
  return Error(ExitCode::usage, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Error environment_error(fmt::format_string<Args...> f, Args&&... args) {
  return Error(ExitCode::environment, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Error run_error(fmt::format_string<Args...> f, Args&&... args) {
  return Error(ExitCode::run_failed, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace memharness
