// dd-writeback: the "simple writeback" test of the reclaim-writeback postings.
// Writers start at min-threads and double up to max-threads; at every step the
// writers together write `total` (by default 4x the memory limit) as files with
// `dd if=/dev/zero bs=1M conv=fsync`, so dirty page cache has to be cleaned and
// reclaimed under the limit. Per thread count: elapsed time and MB/s.
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <thread>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "workloads/registry.h"

namespace memharness::workloads {
namespace {

constexpr std::int64_t kMiB = 1 << 20;

// Bytes each writer writes at a step, whole MiB (dd bs=1M count=N).
std::int64_t mib_per_writer(std::int64_t total_bytes, std::int64_t writers) {
  return std::max<std::int64_t>(1, total_bytes / writers / kMiB);
}

// Free space needed at once: the largest step (files of a step are removed
// before the next), plus 5% for filesystem metadata.
std::int64_t space_needed(const ResolvedParams& params) {
  std::int64_t worst = 0;
  for (std::int64_t t = params.integer("min-threads"); t <= params.integer("max-threads"); t *= 2)
    worst = std::max(worst, mib_per_writer(params.integer("total"), t) * t * kMiB);
  return worst + worst / 20;
}

void check_space(const system::SystemRoot&, const std::string& instance, const ResolvedParams& params) {
  if (params.integer("min-threads") > params.integer("max-threads"))
    throw usage_error("workload \"{}\": key \"min-threads\": expected at most max-threads ({}), got {}", instance,
                      params.integer("max-threads"), params.integer("min-threads"));
  const auto& dir = params.text("directory");
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0)
    throw environment_error("workload \"{}\": key \"directory\": cannot use {}: {}", instance, dir,
                            std::strerror(errno));
  if (::access(dir.c_str(), W_OK) != 0)
    throw environment_error("workload \"{}\": key \"directory\": {} is not writable", instance, dir);
  auto available = static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
  auto needed = space_needed(params);
  if (available < needed)
    throw environment_error(
        "workload \"{}\": {} has {} MiB free, but dd-writeback writes up to {} MiB at once there "
        "(lower `total` or choose another `directory`)",
        instance, dir, available / kMiB, needed / kMiB);
}

struct Throughput {
  std::int64_t bytes = 0;
  double elapsed_s = 0;
  std::int64_t steps = 0;
};

std::int64_t bytes_written(const std::map<std::int64_t, Throughput>& per_threads) {
  std::int64_t total = 0;
  for (const auto& [threads, t] : per_threads) total += t.bytes;
  return total;
}

// What the writers put in their files (a step the stop cut short wrote less
// than it planned).
std::int64_t bytes_in_files(const std::filesystem::path& dir) {
  std::int64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    auto size = entry.file_size(ec);
    if (!ec) total += static_cast<std::int64_t>(size);
  }
  return total;
}

class DdWriteback final : public Workload {
 public:
  explicit DdWriteback(const ResolvedParams& params) : params_(params) {}

  WorkloadResult run(const WorkloadContext& context) override {
    WorkloadResult result;
    auto scratch = context.make_scratch_directory(params_.text("directory"), "dd");
    std::error_code ec;
    result.details["scratch_directory"] = scratch.string();
    nlohmann::json steps = nlohmann::json::array();
    result.succeeded = true;
    // rounds = 0: repeat the steps until stopped (in a mix such as pressure-oom,
    // whose duration ends the load); being stopped is then the normal end and
    // the step it cut short is not counted.
    const std::int64_t rounds = params_.integer("rounds");
    const bool until_stopped = rounds == 0;
    std::map<std::int64_t, Throughput> per_threads;
    std::int64_t cut_short_bytes = 0;  // what the writers of a step the stop cut short had written
    std::int64_t round = 0;
    for (; (until_stopped || round < rounds) && result.succeeded && !context.stop.stop_requested(); ++round) {
      for (std::int64_t threads = params_.integer("min-threads"); threads <= params_.integer("max-threads");
           threads *= 2) {
        if (context.stop.stop_requested()) break;
        auto step = run_step(context, scratch, threads, result);
        std::filesystem::remove_all(scratch / std::to_string(threads), ec);
        if (until_stopped && step["stopped"].get<bool>()) {
          cut_short_bytes = step["bytes_in_files"].get<std::int64_t>();
          result.details["step_cut_short"] = step;
          break;
        }
        steps.push_back(step);
        if (!step["succeeded"].get<bool>()) {
          result.succeeded = false;
          result.failure = fmt::format("{} writers: {}", threads, step["failure"].get<std::string>());
          break;
        }
        auto& t = per_threads[threads];
        t.bytes += step["bytes"].get<std::int64_t>();
        t.elapsed_s += step["elapsed_s"].get<double>();
        ++t.steps;
      }
    }
    // Per thread count over every completed round: mean elapsed and the overall rate.
    for (const auto& [threads, t] : per_threads) {
      result.metrics[fmt::format("threads-{}-elapsed-s", threads)] = t.elapsed_s / static_cast<double>(t.steps);
      result.metrics[fmt::format("threads-{}-mb-per-s", threads)] = static_cast<double>(t.bytes) / 1e6 / t.elapsed_s;
    }
    const auto written = bytes_written(per_threads) + cut_short_bytes;
    if (until_stopped) result.metrics["bytes-written-mib"] = static_cast<double>(written) / kMiB;
    std::filesystem::remove_all(scratch, ec);
    if (ec) result.details["cleanup_error"] = fmt::format("cannot remove {}: {}", scratch.string(), ec.message());
    result.details["steps"] = steps;
    if (until_stopped) {
      if (result.succeeded && written == 0)
        result.did_no_work(fmt::format("the dd writers wrote no byte in {:.1f} s", result.totals.elapsed_s));
      return result;
    }
    if (context.stop.stop_requested() && result.succeeded) {
      result.succeeded = false;
      result.failure = "interrupted";
    }
    return result;
  }

 private:
  nlohmann::json run_step(const WorkloadContext& context, const std::filesystem::path& scratch, std::int64_t threads,
                          WorkloadResult& result) const {
    const std::int64_t mib = mib_per_writer(params_.integer("total"), threads);
    auto dir = scratch / std::to_string(threads);
    std::filesystem::create_directories(dir);
    std::vector<system::ProcessOutcome> outcomes(static_cast<std::size_t>(threads));
    auto started = std::chrono::steady_clock::now();
    {
      std::vector<std::jthread> writers;
      for (std::int64_t i = 0; i < threads; ++i)
        writers.emplace_back([&, i] {
          outcomes[static_cast<std::size_t>(i)] =
              context.spawn({"dd", "if=/dev/zero", fmt::format("of={}", (dir / fmt::format("file-{}", i)).string()),
                             "bs=1M", fmt::format("count={}", mib), "conv=fsync", "status=none"},
                            fmt::format("dd-{}-threads", threads));
        });
    }
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    nlohmann::json step = {{"threads", threads},
                           {"bytes", mib * threads * kMiB},
                           {"elapsed_s", elapsed},
                           {"bytes_in_files", bytes_in_files(dir)}};
    std::string failure;
    for (const auto& o : outcomes) {
      result.totals.user_s += o.user_s;
      result.totals.sys_s += o.sys_s;
      result.totals.max_rss_kb = std::max(result.totals.max_rss_kb, o.max_rss_kb);
      if (failure.empty()) failure = o.failure_sentence();
    }
    result.totals.started = true;
    result.totals.elapsed_s += elapsed;
    step["succeeded"] = failure.empty();
    step["stopped"] = std::any_of(outcomes.begin(), outcomes.end(), [](const auto& o) { return o.stopped; });
    if (!failure.empty()) {
      step["failure"] = failure;
      return step;
    }
    step["mb_per_s"] = static_cast<double>(mib * threads) * kMiB / 1e6 / elapsed;
    return step;
  }

  ResolvedParams params_;
};

WorkloadSpec dd_writeback_spec() {
  WorkloadSpec spec;
  spec.name = "dd-writeback";
  spec.description = "dd writers (doubling from min to max threads) each step writing `total` with conv=fsync";
  spec.required_programs = {"dd"};
  spec.params = {
      count_param("min-threads", "4", "writers at the first step", 1, 1024),
      count_param("max-threads", "64", "writers at the last step (doubling from min-threads)", 1, 1024),
      size_param("total", "400%", "bytes written by all writers together at each step (4x the limit)"),
      text_param("directory", "/var/tmp", "where the files are written (a scratch subdirectory is made)"),
      count_param("rounds", "1", "times the doubling steps are run; 0: until stopped (mixes such as pressure-oom)", 0,
                  1000),
  };
  spec.metrics = {
      {.pattern = "threads-{threads}-elapsed-s"},
      {.pattern = "threads-{threads}-mb-per-s", .unit = "MB/s", .better = Better::higher, .harmonic_mean = true},
      {.pattern = "bytes-written-mib", .better = Better::higher},
  };
  spec.create = [](const ResolvedParams& params) { return std::make_unique<DdWriteback>(params); };
  spec.check_environment = check_space;
  return spec;
}

MEMHARNESS_REGISTER_WORKLOAD(dd_writeback_spec());

}  // namespace
}  // namespace memharness::workloads
