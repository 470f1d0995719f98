#pragma once
// Samples memory state at the configured interval in a thread of its own and
// appends one CSV row per sample (timeseries.csv), flushed per row so that an
// interrupted run keeps every sample taken.
#include <chrono>
#include <filesystem>
#include <fstream>
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

  void start();
  void stop();
  std::size_t samples_taken() const { return samples_; }

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
};

}  // namespace memharness::probes
