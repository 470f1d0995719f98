#pragma once
// The tracepoint aggregates over time: every sampling interval, the running
// recorder's figures so far are appended to a CSV (iterations/N/
// tracepoints-timeseries.csv), one row per sample, flushed per row, so stall
// time and scan rate can be plotted over an iteration. Figures are cumulative
// since the recorder started (rates are differences of rows); a row is also
// written at start and at stop. A sample that throws in the thread ends the
// thread, not the process: the error is kept and the run asked to stop.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "probes/tracepoints/aggregates.h"
#include "probes/tracepoints/recorder.h"

namespace memharness::probes {

class TracepointTimeSeries {
 public:
  TracepointTimeSeries(TracepointRecorder& recorder, std::filesystem::path csv_file, std::chrono::nanoseconds interval);
  ~TracepointTimeSeries();  // stops and joins
  TracepointTimeSeries(const TracepointTimeSeries&) = delete;
  TracepointTimeSeries& operator=(const TracepointTimeSeries&) = delete;

  // Before start(): requested when a sample in the thread throws.
  void stop_on_failure(std::stop_source source) { failure_stop_ = std::move(source); }
  void start();
  void stop();  // writes a last row; call before the recorder's finish()
  std::size_t rows() const { return rows_; }
  // Why the sampling thread ended early; empty if it did not. Read after stop().
  const std::string& error() const { return error_; }

  static std::vector<std::string> columns();
  static std::string row(double time_s, const RawAggregates& raw);

 private:
  void sample(std::chrono::steady_clock::time_point t0);

  TracepointRecorder& recorder_;
  std::filesystem::path csv_file_;
  std::chrono::nanoseconds interval_;
  std::ofstream csv_;
  std::jthread thread_;
  std::size_t rows_ = 0;
  bool stopped_ = false;
  std::optional<std::stop_source> failure_stop_;
  std::string error_;  // written by the thread, read after it is joined
};

}  // namespace memharness::probes
