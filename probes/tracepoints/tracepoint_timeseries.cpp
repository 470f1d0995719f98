#include "probes/tracepoints/tracepoint_timeseries.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stop_token>

#include <fmt/core.h>

#include "harness/common/error.h"

namespace memharness::probes {

std::vector<std::string> TracepointTimeSeries::columns() {
  return {"time_s",
          "direct_reclaim_stalls",
          "direct_reclaim_stall_ns",
          "memcg_reclaim_stalls_workload",
          "memcg_reclaim_stall_ns_workload",
          "kswapd_wakeups",
          "kswapd_awake_ns",
          "pages_scanned",
          "pages_reclaimed",
          "pages_scanned_workload",
          "reclaim_writes",
          "throttled",
          "direct_compactions"};
}

std::string TracepointTimeSeries::row(double time_s, const RawAggregates& raw) {
  const auto& sys = raw.contexts[MH_SCOPE_SYSTEM];
  const auto& wl = raw.contexts[MH_SCOPE_WORKLOAD];
  std::uint64_t scanned = 0, reclaimed = 0, scanned_wl = 0, writes = 0, throttled = 0;
  for (int c = 0; c < MH_NR_CONTEXTS; ++c) {
    scanned += sys[c].pages_scanned;
    reclaimed += sys[c].pages_reclaimed;
    scanned_wl += wl[c].pages_scanned;
    writes += sys[c].write_file + sys[c].write_anon;
  }
  const auto& s = raw.scopes[MH_SCOPE_SYSTEM];
  for (int r = 0; r < MH_THROTTLE_REASONS; ++r) throttled += s.throttled[r];
  return fmt::format("{:.3f},{},{},{},{},{},{},{},{},{},{},{},{}", time_s, sys[MH_CTX_DIRECT_RECLAIM].stalls,
                     sys[MH_CTX_DIRECT_RECLAIM].stall_ns_total, wl[MH_CTX_MEMCG_RECLAIM].stalls,
                     wl[MH_CTX_MEMCG_RECLAIM].stall_ns_total, s.kswapd_wakeups, s.kswapd_awake_ns, scanned, reclaimed,
                     scanned_wl, writes, throttled, s.direct_compactions);
}

TracepointTimeSeries::TracepointTimeSeries(TracepointRecorder& recorder, std::filesystem::path csv_file,
                                           std::chrono::nanoseconds interval)
    : recorder_(recorder), csv_file_(std::move(csv_file)), interval_(interval) {}

TracepointTimeSeries::~TracepointTimeSeries() {
  thread_ = {};  // request stop and join
}

void TracepointTimeSeries::sample(std::chrono::steady_clock::time_point t0) {
  double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  errno = 0;
  csv_ << row(t, recorder_.current()) << '\n';
  csv_.flush();
  // A full disk: the series stops with the reason instead of losing rows unsaid.
  if (!csv_) throw run_error("cannot write {}: {}", csv_file_.string(), errno ? std::strerror(errno) : "write failed");
  ++rows_;
}

void TracepointTimeSeries::start() {
  csv_.open(csv_file_, std::ios::out | std::ios::trunc);
  if (!csv_) throw environment_error("cannot write {}", csv_file_.string());
  std::string header;
  for (const auto& c : columns()) header += (header.empty() ? "" : ",") + c;
  csv_ << header << '\n';
  auto t0 = std::chrono::steady_clock::now();
  sample(t0);
  thread_ = std::jthread([this, t0](std::stop_token stop) {
    try {
      std::mutex m;
      std::condition_variable_any wake;
      auto next = t0 + interval_;
      std::unique_lock lock(m);
      for (;;) {
        wake.wait_until(lock, stop, next, [] { return false; });  // wakes at `next` or on stop
        if (stop.stop_requested()) break;
        sample(t0);
        next += interval_;
      }
      sample(t0);  // the last row, at stop
    } catch (const std::exception& e) {
      error_ = fmt::format("the tracepoint time series stopped: {}", e.what());
      if (failure_stop_) failure_stop_->request_stop();
    } catch (...) {  // not a std::exception: still not a reason to skip the restore
      error_ = "the tracepoint time series stopped: an exception of an unknown type";
      if (failure_stop_) failure_stop_->request_stop();
    }
  });
}

void TracepointTimeSeries::stop() {
  if (stopped_) return;
  stopped_ = true;
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace memharness::probes
