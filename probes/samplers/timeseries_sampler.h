#pragma once
// Samples memory state at the configured interval in a thread of its own and
// appends one CSV row per sample (timeseries.csv): every registered probe's
// columns (probes/registry.h), in the probes' order, flushed per row so that an
// interrupted run keeps every sample taken. A sample that throws (a /proc file
// the parsers reject, a row that cannot be written: a full disk) ends the
// thread, not the process: the error is kept for the iteration's record and the
// run is asked to stop, so it ends through the journal's restore instead of
// std::terminate.
//
// Test-only: MEMHARNESS_TEST_SAMPLER_FAILURE=N makes the thread throw after N
// samples, so integration tests can prove that path on the real binary
// (docs/testing.md). It is read here and nowhere else.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace memharness::system {
class SystemRoot;
class MemoryCgroup;
}  // namespace memharness::system

namespace memharness::probes {

class TimeSeriesSampler {
 public:
  TimeSeriesSampler(const system::SystemRoot& system, const system::MemoryCgroup* cgroup,
                    std::filesystem::path csv_file, std::chrono::nanoseconds interval);
  ~TimeSeriesSampler();  // stops and joins
  TimeSeriesSampler(const TimeSeriesSampler&) = delete;
  TimeSeriesSampler& operator=(const TimeSeriesSampler&) = delete;

  // Before start(): requested when a sample throws.
  void stop_on_failure(std::stop_source source) { failure_stop_ = std::move(source); }
  void start();
  void stop();
  std::size_t samples_taken() const { return samples_; }
  // Why the sampling thread ended early; empty if it did not. Read after stop().
  const std::string& error() const { return error_; }

  // The CSV columns, in order (time_s first).
  static std::vector<std::string> columns();
  // One CSV row (no newline) of the state now, stamped `time_s`; missing
  // counters are empty cells, not zeros.
  std::string sample_row(double time_s) const;

 private:
  void sample_once(std::chrono::steady_clock::time_point t0);

  const system::SystemRoot& system_;
  const system::MemoryCgroup* cgroup_;
  std::filesystem::path csv_file_;
  std::chrono::nanoseconds interval_;
  std::ofstream csv_;
  std::jthread thread_;
  std::size_t samples_ = 0;
  std::optional<std::stop_source> failure_stop_;
  std::optional<std::size_t> injected_failure_after_;  // MEMHARNESS_TEST_SAMPLER_FAILURE
  std::string error_;                                  // written by the thread, read after it is joined
};

}  // namespace memharness::probes
