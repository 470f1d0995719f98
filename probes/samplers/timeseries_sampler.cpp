#include "probes/samplers/timeseries_sampler.h"

#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string_view>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/system/system_root.h"
#include "probes/registry.h"

namespace memharness::probes {

namespace {

// MEMHARNESS_TEST_SAMPLER_FAILURE: the number of samples after which the
// sampling thread throws, as a /proc parser would; unset in real runs.
std::optional<std::size_t> injected_failure_after() {
  const char* value = std::getenv("MEMHARNESS_TEST_SAMPLER_FAILURE");
  if (value == nullptr) return std::nullopt;
  std::string_view text(value);
  std::size_t samples = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), samples);
  if (ec != std::errc() || end != text.data() + text.size())
    throw usage_error("MEMHARNESS_TEST_SAMPLER_FAILURE={}: expected a number of samples (a test hook, docs/testing.md)",
                      text);
  return samples;
}

}  // namespace

TimeSeriesSampler::TimeSeriesSampler(const system::SystemRoot& system, const system::MemoryCgroup* cgroup,
                                     std::filesystem::path csv_file, std::chrono::nanoseconds interval)
    : system_(system),
      cgroup_(cgroup),
      csv_file_(std::move(csv_file)),
      interval_(interval),
      injected_failure_after_(injected_failure_after()) {}

TimeSeriesSampler::~TimeSeriesSampler() { stop(); }

std::vector<std::string> TimeSeriesSampler::columns() {
  std::vector<std::string> names = {"time_s"};
  for (const auto* probe : ProbeRegistry::instance().all())
    names.insert(names.end(), probe->timeseries_columns.begin(), probe->timeseries_columns.end());
  return names;
}

void TimeSeriesSampler::start() {
  csv_.open(csv_file_, std::ios::out | std::ios::trunc);
  if (!csv_) throw run_error("cannot create {}", csv_file_.string());
  auto names = columns();
  errno = 0;
  for (std::size_t i = 0; i < names.size(); ++i) csv_ << (i ? "," : "") << names[i];
  csv_ << '\n' << std::flush;
  if (!csv_) throw run_error("cannot write {}: {}", csv_file_.string(), errno ? std::strerror(errno) : "write failed");
  thread_ = std::jthread([this](std::stop_token stop) {
    try {
      auto t0 = std::chrono::steady_clock::now();
      auto next = t0;
      std::mutex mutex;
      std::condition_variable_any wake;
      while (!stop.stop_requested()) {
        sample_once(t0);
        next += interval_;
        std::unique_lock lock(mutex);
        wake.wait_until(lock, stop, next, [] { return false; });
      }
      sample_once(t0);  // the state at the end, whenever it falls in the interval
    } catch (const std::exception& e) {
      error_ = fmt::format("the time-series sampler stopped: {}", e.what());
      if (failure_stop_) failure_stop_->request_stop();
    } catch (...) {  // not a std::exception: still not a reason to skip the restore
      error_ = "the time-series sampler stopped: an exception of an unknown type";
      if (failure_stop_) failure_stop_->request_stop();
    }
  });
}

void TimeSeriesSampler::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  if (csv_.is_open()) csv_.close();
}

void TimeSeriesSampler::sample_once(std::chrono::steady_clock::time_point t0) {
  if (injected_failure_after_ && samples_ >= *injected_failure_after_)
    throw std::runtime_error(
        fmt::format("failure injected after {} samples (MEMHARNESS_TEST_SAMPLER_FAILURE)", samples_));
  double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  errno = 0;
  csv_ << sample_row(t) << '\n' << std::flush;
  if (!csv_) throw run_error("cannot write {}: {}", csv_file_.string(), errno ? std::strerror(errno) : "write failed");
  ++samples_;
}

std::string TimeSeriesSampler::sample_row(double time_s) const {
  std::string row = fmt::format("{:.3f}", time_s);
  for (const auto* probe : ProbeRegistry::instance().all()) {
    if (!probe->sample) continue;
    auto cells = probe->sample(system_, cgroup_);
    // A probe's own bug, not the machine's: the columns would shift.
    if (cells.size() != probe->timeseries_columns.size())
      throw std::logic_error(fmt::format("probe {} sampled {} cells for {} columns", probe->name, cells.size(),
                                         probe->timeseries_columns.size()));
    for (const auto& cell : cells) row += "," + cell;
  }
  return row;
}

}  // namespace memharness::probes
