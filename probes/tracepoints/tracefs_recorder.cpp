#include "probes/tracepoints/tracefs_recorder.h"

#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <stop_token>
#include <thread>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/system/journal.h"
#include "probes/tracepoints/aggregates.h"
#include "probes/tracepoints/catalog.h"
#include "probes/tracepoints/text_aggregator.h"

namespace memharness::probes {

namespace {

// Per CPU. Large enough for ~0.4 s of 1M events/s between two reads; the
// reader wakes every 50 ms at the latest.
constexpr const char* kBufferSizeKb = "16384";
constexpr int kPollMs = 50;

std::uint64_t monotonic_ns() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);  // trace_clock "mono"
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

// instances/memharness-<pid>, or -<pid>-N when this process has one already.
std::string free_instance_name(const system::SystemRoot& root) {
  std::string base = fmt::format("{}/instances/memharness-{}", kTracefsMountPoint, ::getpid());
  if (!root.exists(base)) return base;
  for (int n = 2;; ++n)
    if (std::string name = fmt::format("{}-{}", base, n); !root.exists(name)) return name;
}

CompactionStatusValues statuses_of(const system::SystemRoot& root) {
  auto format = root.try_read(std::string(kTracefsMountPoint) + "/events/compaction/mm_compaction_end/format");
  if (format) {
    auto values = compaction_statuses_from_format(*format);
    if (!values.empty()) return values;
  }
  return default_compaction_statuses();
}

class TracefsRecorder final : public TracepointRecorder {
 public:
  TracefsRecorder(const system::SystemRoot& root, const RecorderOptions& options, std::map<std::string, bool> available)
      : root_(root),
        options_(options),
        available_(std::move(available)),
        aggregator_(options.root_tgid, statuses_of(root)),
        instance_(free_instance_name(root)) {
    if (options.journal) options.journal->record_created_directory(instance_);
    std::error_code ec;
    if (!std::filesystem::create_directory(root_.resolve(instance_), ec) || ec)
      throw environment_error("cannot create the tracefs instance {}: {}", instance_, ec ? ec.message() : "it exists");
    created_ = true;
    try {
      set("tracing_on", "0");
      set("buffer_size_kb", kBufferSizeKb);
      set("trace_clock", "mono");  // bpf_ktime_get_ns()'s clock: stall times compare with BPF's
      set("options/record-tgid", "1");
      for (const auto& spec : reclaim_tracepoints())
        if (available_[spec.name()]) set(fmt::format("events/{}/{}/enable", spec.subsystem, spec.event), "1");
      std::string pipe = root_.resolve(instance_ + "/trace_pipe").string();
      fd_ = ::open(pipe.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd_ < 0) throw environment_error("cannot open {}: {}", pipe, std::strerror(errno));
      set("tracing_on", "1");
    } catch (...) {
      remove_instance();
      throw;
    }
    started_ = std::chrono::steady_clock::now();
    reader_ = std::jthread([this](std::stop_token stop) { read_until(stop); });
  }

  ~TracefsRecorder() override {
    reader_ = {};  // request stop and join
    remove_instance();
  }
  TracefsRecorder(const TracefsRecorder&) = delete;
  TracefsRecorder& operator=(const TracefsRecorder&) = delete;

  std::string_view kind() const override { return "tracefs"; }

  RawAggregates current() override {
    std::lock_guard lock(aggregator_mutex_);
    return aggregator_.aggregates(monotonic_ns());
  }

  nlohmann::json finish() override {
    std::uint64_t end_ns = monotonic_ns();
    try {
      set("tracing_on", "0");
    } catch (const Error&) {
      // The instance is gone or broken: what was read so far is still the record.
    }
    reader_.request_stop();
    reader_.join();
    drain();  // what the kernel buffered after the reader's last pass
    aggregator_.flush();
    double recorded_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    std::uint64_t lost = instance_lost_events(root_, instance_);
    remove_instance();
    RecorderDescription description{
        .recorder = "tracefs",
        .attribution = "tgid-tree",  // text has no cgroup id
        .root_tgid = options_.root_tgid,
        .workload_cgroup_id = std::nullopt,
        .recorded_s = recorded_s,
    };
    auto doc = aggregates_json(aggregator_.aggregates(end_ns), available_, description);
    doc["capture"] = capture_json(aggregator_.stats(), "trace_pipe");
    doc["lost_events"] = {{"count", lost + aggregator_.stats().lost_events},
                          {"source", "per_cpu/cpu*/stats overrun and dropped events, [LOST N EVENTS] markers"}};
    return doc;
  }

 private:
  void set(const std::string& file, std::string_view value) const { root_.write(instance_ + "/" + file, value); }

  void read_until(const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      struct pollfd p {
        .fd = fd_, .events = POLLIN, .revents = 0
      };
      ::poll(&p, 1, kPollMs);
      drain();
    }
  }

  void drain() {
    if (fd_ < 0) return;
    for (;;) {
      ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
      if (n > 0) {
        std::lock_guard lock(aggregator_mutex_);
        aggregator_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      return;  // EAGAIN: empty for now
    }
  }

  void remove_instance() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!created_) return;
    created_ = false;
    // rmdir of an instance disables its events and frees its buffers.
    if (::rmdir(root_.resolve(instance_).c_str()) != 0 && errno != ENOENT)
      std::fprintf(stderr, "memharness: cannot remove tracefs instance %s: %s\n", instance_.c_str(),
                   std::strerror(errno));
  }

  system::SystemRoot root_;
  RecorderOptions options_;
  std::map<std::string, bool> available_;
  std::mutex aggregator_mutex_;  // the reader thread feeds it, current() reads it
  TextAggregator aggregator_;
  std::string instance_;
  bool created_ = false;
  int fd_ = -1;
  std::array<char, 1 << 16> buffer_{};
  std::chrono::steady_clock::time_point started_;
  std::jthread reader_;
};

}  // namespace

std::uint64_t instance_lost_events(const system::SystemRoot& root, const std::string& instance) {
  std::uint64_t lost = 0;
  std::string per_cpu = instance + "/per_cpu";
  if (!root.exists(per_cpu)) return 0;
  for (const auto& cpu : root.list(per_cpu)) {
    auto stats = root.try_read(per_cpu + "/" + cpu + "/stats");
    if (!stats) continue;
    std::istringstream in(*stats);
    for (std::string line; std::getline(in, line);) {
      for (std::string_view key : {"overrun: ", "dropped events: "})
        if (line.rfind(key, 0) == 0) lost += std::stoull(line.substr(key.size()));
    }
  }
  return lost;
}

std::unique_ptr<TracepointRecorder> start_tracefs_recorder(const system::SystemRoot& root,
                                                           const RecorderOptions& options,
                                                           const std::map<std::string, bool>& available) {
  return std::make_unique<TracefsRecorder>(root, options, available);
}

}  // namespace memharness::probes
