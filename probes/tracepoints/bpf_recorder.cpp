#include "probes/tracepoints/bpf_recorder.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstddef>
#include <cstring>
#include <vector>

#include "harness/common/error.h"
#include "probes/tracepoints/aggregates.h"
#include "probes/tracepoints/catalog.h"

// The skeleton is generated C: it casts the C way.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
#include "probes/bpf/reclaim.skel.h"
#pragma GCC diagnostic pop

namespace memharness::probes {

namespace {

// libbpf's warnings, kept for the error message instead of cluttering the
// progress display; its debug and info chatter is dropped.
thread_local std::string libbpf_warnings;

int collect_libbpf_warnings(enum libbpf_print_level level, const char* format, va_list args) {
  if (level != LIBBPF_WARN) return 0;
  // One call can carry a whole verifier log: size the buffer to it.
  va_list measure;
  va_copy(measure, args);
  int n = std::vsnprintf(nullptr, 0, format, measure);
  va_end(measure);
  if (n <= 0 || libbpf_warnings.size() >= (1U << 20)) return n;
  std::string line(static_cast<std::size_t>(n) + 1, '\0');
  std::vsnprintf(line.data(), line.size(), format, args);
  line.pop_back();
  libbpf_warnings += line;
  return n;
}

// A verifier log says what it rejected at its end, after the trace of every
// instruction: keep the head (which program) and the tail (why).
std::string head_and_tail(const std::string& text) {
  constexpr std::size_t head = 512, tail = 3072;
  if (text.size() <= head + tail) return text;
  return text.substr(0, head) + "\n[... " + std::to_string(text.size() - head - tail) + " bytes of the log ...]\n" +
         text.substr(text.size() - tail);
}

std::uint64_t monotonic_ns() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);  // the clock of bpf_ktime_get_ns()
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::string last_warnings() {
  std::string w = libbpf_warnings;
  libbpf_warnings.clear();
  while (!w.empty() && (w.back() == '\n' || w.back() == ' ')) w.pop_back();
  return w.empty() ? "" : " (libbpf: " + head_and_tail(w) + ")";
}

class BpfRecorder final : public TracepointRecorder {
 public:
  BpfRecorder(const RecorderOptions& options, std::map<std::string, bool> available)
      : options_(options), available_(std::move(available)) {
    libbpf_set_print(collect_libbpf_warnings);
    skel_ = reclaim_bpf__open();
    if (!skel_) throw environment_error("cannot open the BPF object: {}{}", std::strerror(errno), last_warnings());
    skel_->rodata->root_tgid = static_cast<__u32>(options.root_tgid);
    skel_->rodata->workload_cgroup_id = options.workload_cgroup_id.value_or(0);
    for (const auto& spec : reclaim_tracepoints()) {
      auto* prog = bpf_object__find_program_by_name(skel_->obj, std::string(spec.program).c_str());
      if (!prog) throw std::logic_error("no BPF program " + std::string(spec.program) + " in reclaim.bpf.c");
      bool present = available_[spec.name()];
      bpf_program__set_autoload(prog, present);
      if (present) programs_.push_back({prog, spec.name()});
    }
    if (int err = reclaim_bpf__load(skel_); err != 0) {
      reclaim_bpf__destroy(skel_);
      throw environment_error("cannot load the BPF programs: {}{}", std::strerror(-err), last_warnings());
    }
    for (const auto& [prog, name] : programs_) {
      bpf_link* link = bpf_program__attach(prog);
      if (!link) {
        int err = errno;
        destroy();
        throw environment_error("cannot attach to tracepoint {}: {}{}", name, std::strerror(err), last_warnings());
      }
      links_.push_back(link);
    }
    started_ = std::chrono::steady_clock::now();
  }

  ~BpfRecorder() override { destroy(); }
  BpfRecorder(const BpfRecorder&) = delete;
  BpfRecorder& operator=(const BpfRecorder&) = delete;

  std::string_view kind() const override { return "bpf"; }

  RawAggregates current() override { return read(); }  // map lookups need no lock

  nlohmann::json finish() override {
    // Detach first: the figures are then final, and read consistently.
    for (auto* link : links_) bpf_link__destroy(link);
    links_.clear();
    double recorded_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    RawAggregates raw = read();
    ProgramFigures figures = program_figures();
    destroy();
    RecorderDescription description{
        .recorder = "bpf",
        .attribution = options_.workload_cgroup_id ? "cgroup-id" : "tgid-tree",
        .root_tgid = options_.root_tgid,
        .workload_cgroup_id = options_.workload_cgroup_id,
        .recorded_s = recorded_s,
    };
    auto doc = aggregates_json(raw, available_, description);
    doc["lost_events"] = std::move(figures.lost_events);
    if (!figures.program_stats.is_null()) doc["program_stats"] = std::move(figures.program_stats);
    return doc;
  }

 private:
  // From each program's bpf_prog_info, read before the programs are unloaded:
  // - "lost_events": events the kernel did not give to a program. A tracepoint
  //   that fires while another BPF program (or a BPF syscall's map access)
  //   holds the CPU's bpf_prog_active is skipped and counted in the program's
  //   recursion_misses (trace_call_bpf, kernel/trace/bpf_trace.c; since 5.12).
  // - "program_stats": the programs' own run count and run time, the observer
  //   cost measured by the kernel. It counts only while the sysctl
  //   kernel.bpf_stats_enabled is 1 (it costs two clock reads per run), so it
  //   is written only when something was counted.
  struct ProgramFigures {
    nlohmann::json lost_events, program_stats;
  };
  ProgramFigures program_figures() const {
    std::uint64_t lost = 0, runs = 0, run_ns = 0;
    bool observable = true;
    nlohmann::json lost_by = nlohmann::json::object(), stats_by = nlohmann::json::object();
    for (const auto& [prog, name] : programs_) {
      bpf_prog_info info{};
      std::uint32_t length = sizeof info;
      if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &length) != 0)
        throw environment_error("cannot read the BPF program info of {}: {}", name, std::strerror(errno));
      // The kernel fills only the fields it knows and says how many bytes: before
      // 5.12 bpf_prog_info ends before recursion_misses, and a 0 there would be a
      // claim that nothing was lost.
      if (length < offsetof(bpf_prog_info, recursion_misses) + sizeof info.recursion_misses) observable = false;
      if (info.recursion_misses != 0) lost_by[name] = info.recursion_misses;
      if (info.run_cnt != 0) stats_by[name] = {{"runs", info.run_cnt}, {"run_time_ns", info.run_time_ns}};
      lost += info.recursion_misses;
      runs += info.run_cnt;
      run_ns += info.run_time_ns;
    }
    ProgramFigures figures;
    if (observable)
      figures.lost_events = {
          {"count", lost},
          {"source", "recursion_misses of the BPF programs: events skipped while another BPF program ran on the CPU"},
          {"by_tracepoint", std::move(lost_by)}};
    else
      figures.lost_events = {{"count", nullptr},
                             {"observable", false},
                             {"reason",
                              "this kernel's bpf_prog_info has no recursion_misses (before 5.12): events "
                              "skipped while another BPF program ran are not counted"}};
    if (runs != 0)
      figures.program_stats = {{"source", "bpf_prog_info run_cnt/run_time_ns (kernel.bpf_stats_enabled)"},
                               {"runs", runs},
                               {"run_time_ns", run_ns},
                               {"by_tracepoint", std::move(stats_by)}};
    return figures;
  }

  template <typename T>
  T read_per_cpu(bpf_map* map, std::uint32_t key) {
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) throw environment_error("cannot count the possible CPUs: {}", std::strerror(-cpus));
    std::vector<T> values(static_cast<std::size_t>(cpus));
    if (bpf_map__lookup_elem(map, &key, sizeof key, values.data(), values.size() * sizeof(T), 0) != 0)
      throw environment_error("cannot read BPF map {}: {}", bpf_map__name(map), std::strerror(errno));
    return sum_per_cpu(std::span<const T>(values));
  }

  RawAggregates read() {
    RawAggregates raw;
    for (std::uint32_t scope = 0; scope < MH_NR_SCOPES; ++scope) {
      for (std::uint32_t context = 0; context < MH_NR_CONTEXTS; ++context)
        raw.contexts[scope][context] =
            read_per_cpu<mh_context_stats>(skel_->maps.context_stats, scope * MH_NR_CONTEXTS + context);
      raw.scopes[scope] = read_per_cpu<mh_scope_stats>(skel_->maps.scope_stats, scope);
    }
    // kswapd still awake: count its interval up to now.
    std::uint64_t now = monotonic_ns();
    for (std::uint32_t nid = 0; nid < MH_MAX_NODES; ++nid) {
      std::uint64_t since = 0;
      if (bpf_map__lookup_elem(skel_->maps.kswapd_awake_since, &nid, sizeof nid, &since, sizeof since, 0) != 0)
        continue;
      if (since != 0 && now > since) {
        raw.scopes[MH_SCOPE_SYSTEM].kswapd_awake_ns += now - since;
        ++raw.kswapd_open_intervals;
      }
    }
    return raw;
  }

  void destroy() noexcept {
    for (auto* link : links_) bpf_link__destroy(link);
    links_.clear();
    if (skel_) reclaim_bpf__destroy(skel_);
    skel_ = nullptr;
  }

  struct Program {
    bpf_program* prog;
    std::string name;
  };
  RecorderOptions options_;
  std::map<std::string, bool> available_;
  reclaim_bpf* skel_ = nullptr;
  std::vector<Program> programs_;
  std::vector<bpf_link*> links_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

std::unique_ptr<TracepointRecorder> start_bpf_recorder(const RecorderOptions& options,
                                                       const std::map<std::string, bool>& available) {
  return std::make_unique<BpfRecorder>(options, available);
}

}  // namespace memharness::probes
