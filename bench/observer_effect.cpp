// Observer effect of the tracepoint recorders (root, real kernel): a workload's
// throughput with no recording, with memharness's BPF recorder, with its tracefs
// text fallback (trace_pipe parsed in-process), and with a plain text capture
// (trace_pipe copied to a file by cat), in alternating order, many rounds,
// reported as ratios to no recording. Two workloads:
//   reread: re-reading a 256 MiB file 3 times in a 32 MiB memory cgroup
//           (memcg reclaim: shrink_inactive, memcg begin/end, throttling),
//   fork:   5000 fork/exit/wait outside the cgroup (sched_process_fork/exit:
//           the highest event rate of the recorder's events a process can
//           drive here; inside the small cgroup, task structs freed after an
//           RCU grace period pile up as kmem and get the loop OOM-killed).
// Usage: build/bench/observer-effect [ROUNDS] [SCRATCH_DIR]   (default 8, the build dir)
// Set MEMHARNESS_STATE_DIR: the cgroup is journaled there.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/system/cgroup.h"
#include "harness/system/journal.h"
#include "harness/system/system_root.h"
#include "probes/tracepoints/catalog.h"
#include "probes/tracepoints/recorder.h"
#include "probes/tracepoints/tracefs.h"

namespace {

using namespace memharness;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kFileBytes = 256u << 20;
constexpr int kPasses = 3;
constexpr int kForks = 5000;

void join_cgroup(const std::string& procs) {
  int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
  std::string pid = std::to_string(::getpid());
  if (fd < 0 || ::write(fd, pid.data(), pid.size()) != static_cast<ssize_t>(pid.size())) ::_exit(100);
  ::close(fd);
}

struct Timing {
  double wall_s;
  double cpu_s;  // user + sys of the child and its children (wait4): where BPF programs run
};

double cpu_seconds(const struct rusage& usage) {
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// This process's CPU time: during a window in which it only waits for the
// workload child, the tracefs recorder's reader thread.
double own_cpu_seconds() {
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  return cpu_seconds(usage);
}

// Runs `work` in a child (in the cgroup unless `procs` is empty).
template <typename Work>
Timing timed_child(const std::string& procs, Work work) {
  auto start = Clock::now();
  pid_t child = ::fork();
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (!procs.empty()) join_cgroup(procs);
    work();
    ::_exit(0);
  }
  int status = 0;
  struct rusage usage {};
  ::wait4(child, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw run_error("workload child failed: status {}", status);
  return {std::chrono::duration<double>(Clock::now() - start).count(), cpu_seconds(usage)};
}

void reread(const std::string& file) {
  static char buffer[1 << 20];
  for (int pass = 0; pass < kPasses; ++pass) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) ::_exit(101);
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
    ::close(fd);
  }
}

void fork_loop() {
  for (int i = 0; i < kForks; ++i) {
    pid_t p = ::fork();
    if (p == 0) ::_exit(0);
    ::waitpid(p, nullptr, 0);
  }
}

void drop_cache(const std::string& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// A plain text capture: a private instance with the recorder's events, its
// trace_pipe copied to a file by cat (what one would do by hand).
class CatCapture {
 public:
  CatCapture(const system::SystemRoot& root, const std::string& output)
      : root_(root), instance_(fmt::format("/sys/kernel/tracing/instances/memharness-{}-cat", ::getpid())) {
    std::filesystem::create_directory(instance_);
    root_.write(instance_ + "/buffer_size_kb", "16384");
    root_.write(instance_ + "/trace_clock", "mono");
    for (const auto& [name, present] : probes::tracepoint_availability(root_))
      if (present) root_.write(instance_ + "/events/" + name + "/enable", "1");
    cat_ = ::fork();
    if (cat_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      // cat's stdout is the output file: argv only, no shell between the paths and exec.
      int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (out < 0 || ::dup2(out, STDOUT_FILENO) < 0) ::_exit(127);
      std::string pipe = instance_ + "/trace_pipe";
      ::execlp("cat", "cat", pipe.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    root_.write(instance_ + "/tracing_on", "1");
  }
  ~CatCapture() { stop(); }
  // Stops tracing and cat; returns cat's CPU time (its share of the capture's cost).
  double stop() {
    if (cat_ < 0) return 0;
    root_.write(instance_ + "/tracing_on", "0");
    ::usleep(200'000);  // let cat drain what is buffered
    ::kill(cat_, SIGTERM);
    struct rusage usage {};
    ::wait4(cat_, nullptr, 0, &usage);
    cat_ = -1;
    ::rmdir(instance_.c_str());
    return cpu_seconds(usage);
  }
  CatCapture(const CatCapture&) = delete;
  CatCapture& operator=(const CatCapture&) = delete;

 private:
  system::SystemRoot root_;
  std::string instance_;
  pid_t cat_ = -1;
};

struct Sample {
  Timing time;
  std::uint64_t events;    // the text recorder's events in the window
  std::uint64_t bpf_runs;  // the BPF programs' runs in the window (bpf_stats)
  double recorder_cpu_s;   // the recorder's own CPU time: BPF program run time
                           // (bpf_stats), the reader thread's, or cat's
};

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double at = q * static_cast<double>(v.size() - 1);
  auto lo = static_cast<std::size_t>(at);
  auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (at - static_cast<double>(lo));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : (v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2);
}

// The recorder's events in the window, as the text recorder saw them (BPF
// keeps no per-event total).
std::uint64_t events_in(const nlohmann::json& doc) {
  return doc.contains("capture") ? doc["capture"]["events"].get<std::uint64_t>() : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    int rounds = argc > 1 ? std::stoi(argv[1]) : 8;
    std::filesystem::path scratch = argc > 2 ? argv[2] : std::filesystem::current_path();
    system::SystemRoot root;
    if (::geteuid() != 0) throw environment_error("needs root");
    auto state = system::Journal::default_directory();
    auto journal = system::Journal::begin(root, state);
    probes::ensure_tracefs_mounted(root, journal);
    // The kernel then times every BPF program run (two clock reads each):
    // the recorder's own cost, measured rather than inferred from noisy
    // throughput. Costs the BPF rounds a little; restored by the journal.
    journal.set_sysctl("kernel.bpf_stats_enabled", "1");
    auto controller = system::find_memory_controller(root);
    auto cgroup =
        system::create_memory_cgroup(root, controller, fmt::format("memharness-{}-observer", ::getpid()), journal);
    system::MemoryLimits limits;
    limits.max = 32 << 20;
    cgroup->apply_limits(limits);
    std::string procs = root.resolve(cgroup->procs_file()).string();
    std::string file = (scratch / fmt::format("observer-{}.dat", ::getpid())).string();
    std::string capture_file = (scratch / fmt::format("observer-{}.trace", ::getpid())).string();
    {
      int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      std::vector<char> chunk(1 << 20, 'x');
      for (std::size_t n = 0; n < kFileBytes; n += chunk.size())
        if (::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) throw run_error("write");
      ::fsync(fd);
      ::close(fd);
    }

    const std::vector<std::string> modes = {"none", "bpf", "tracefs", "cat"};
    const std::vector<std::string> workloads = {"reread", "fork"};
    std::map<std::string, std::map<std::string, std::vector<Sample>>> samples;
    for (int round = 0; round < rounds; ++round) {
      for (const auto& workload : workloads) {
        for (std::size_t i = 0; i < modes.size(); ++i) {
          const auto& mode = modes[(i + static_cast<std::size_t>(round)) % modes.size()];  // rotate the order
          drop_cache(file);
          auto run = [&] {
            return workload == "reread" ? timed_child(procs, [&] { reread(file); }) : timed_child("", fork_loop);
          };
          Sample sample{{0, 0}, 0, 0, 0};
          if (mode == "none") {
            sample.time = run();
          } else if (mode == "cat") {
            CatCapture capture(root, capture_file);
            sample.time = run();
            sample.recorder_cpu_s = capture.stop();
          } else {
            double own_cpu_before = own_cpu_seconds();  // the tracefs reader thread's, from its start
            auto start = probes::start_tracepoint_recorder(
                root, {.root_tgid = ::getpid(),
                       .workload_cgroup_id = std::nullopt,
                       .kind = mode == "bpf" ? probes::RecorderKind::bpf : probes::RecorderKind::tracefs});
            if (!start.recorder) throw environment_error("no {} recorder: {}", mode, start.reason);
            sample.time = run();
            auto doc = start.recorder->finish();
            sample.events = events_in(doc);
            if (mode == "tracefs") sample.recorder_cpu_s = own_cpu_seconds() - own_cpu_before;
            if (doc.contains("program_stats")) {
              sample.bpf_runs = doc["program_stats"]["runs"].get<std::uint64_t>();
              sample.recorder_cpu_s = doc["program_stats"]["run_time_ns"].get<double>() / 1e9;
            }
          }
          samples[workload][mode].push_back(sample);
        }
      }
      std::fprintf(stderr, "round %d/%d done\n", round + 1, rounds);
    }
    std::filesystem::remove(file);
    std::filesystem::remove(capture_file);

    for (const auto& workload : workloads) {
      fmt::print("{} ({}):\n", workload,
                 workload == "reread" ? fmt::format("{} x {} MiB through a 32 MiB memcg", kPasses, kFileBytes >> 20)
                                      : fmt::format("{} fork/exit/wait", kForks));
      auto& none = samples[workload]["none"];
      for (const auto& mode : modes) {
        auto& s = samples[workload][mode];
        std::vector<double> wall, wall_ratios, cpu_ratios, rates;
        for (std::size_t r = 0; r < s.size(); ++r) {
          wall.push_back(s[r].time.wall_s);
          // Throughput relative to no recording in the same round (work is fixed: time ratio).
          wall_ratios.push_back(none[r].time.wall_s / s[r].time.wall_s);
          cpu_ratios.push_back(none[r].time.cpu_s / s[r].time.cpu_s);
          if (s[r].events) rates.push_back(static_cast<double>(s[r].events) / s[r].time.wall_s);
        }
        fmt::print(
            "  {:<8} wall median {:.3f} s, throughput ratio median {:.3f} (IQR {:.3f}..{:.3f}); "
            "CPU-time ratio median {:.3f}{}\n",
            mode, median(wall), median(wall_ratios), quantile(wall_ratios, 0.25), quantile(wall_ratios, 0.75),
            median(cpu_ratios), rates.empty() ? "" : fmt::format("  (~{:.0f} events/s)", median(rates)));
      }
      // The recorders' own CPU time, as a share of the workload's: measured,
      // where the throughput ratios drown in the machine's noise. BPF: the
      // programs' run time (bpf_stats; not the tracepoint's perf-buffer
      // plumbing around it). Text: the reader (thread or cat); not the
      // kernel's writes into the ring buffer, which the workload pays.
      for (const auto& mode : {"bpf", "tracefs", "cat"}) {
        std::vector<double> share;
        for (const auto& sample : samples[workload][mode]) share.push_back(sample.recorder_cpu_s / sample.time.cpu_s);
        auto over_target = std::count_if(share.begin(), share.end(), [](double x) { return x > 0.02; });
        fmt::print(
            "  {:<8} recorder's own CPU time: median {:.3f}% of the workload's (IQR {:.3f}..{:.3f}%, max {:.3f}%; "
            "{} of {} rounds over 2%)\n",
            mode, 100 * median(share), 100 * quantile(share, 0.25), 100 * quantile(share, 0.75),
            100 * quantile(share, 1.0), over_target, share.size());
      }
      std::vector<double> ns_per_run, runs_per_s;
      for (const auto& sample : samples[workload]["bpf"]) {
        if (sample.bpf_runs == 0) continue;
        ns_per_run.push_back(sample.recorder_cpu_s * 1e9 / static_cast<double>(sample.bpf_runs));
        runs_per_s.push_back(static_cast<double>(sample.bpf_runs) / sample.time.wall_s);
      }
      if (!ns_per_run.empty())
        fmt::print("  bpf programs: median {:.0f} runs/s (max {:.0f}), {:.0f} ns per run\n", median(runs_per_s),
                   quantile(runs_per_s, 1.0), median(ns_per_run));
    }
    cgroup->kill_all();
    cgroup->remove();
    journal.restore();
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "observer-effect: %s\n", e.what());
    return static_cast<int>(e.code());
  }
}
