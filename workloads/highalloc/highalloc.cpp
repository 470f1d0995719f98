// stress-highalloc: how many huge pages can still be allocated while (Pass 1,
// Pass 2) and after (At Rest) memory is loaded with anonymous and page-cache
// work that fragments it, as in the reference postings' "stress highalloc".
//
// Method "hugetlb": grow /proc/sys/vm/nr_hugepages one page at a time at `rate`,
// timing each write; a write that leaves the pool unchanged is a failure. The
// pool goes back to its original size after every pass (through the journal,
// so also on interrupt or crash).
//
// Method "thp": fault one MADV_HUGEPAGE region per attempt at `rate`, timing
// mmap + madvise + the first touch, and count it a success when pagemap and
// kpageflags show a transparent huge page behind it; the regions stay mapped
// until the pass ends. thp-enabled / thp-defrag set the sysfs knobs through
// the journal when the config asks (restored after the run).
//
// Scope: fragmentation is physical, a cgroup limit does not confine it. With
// scope = "cgroup" (the default) the load stays under the test's limit and the
// attempts are capped to a small share of the machine: it exercises the
// mechanics, the figure is not the reference one. scope = "machine" allows
// attempting most of RAM (dedicated test machines and VM guests only).
//
// Warm-up: with scope = "machine" the passes start once the load has filled
// memory (MemFree down to 1/16 of MemTotal and the anonymous load resident or
// swapped), or when load-warmup has passed, whichever comes first: a pass that
// starts into free memory measures the warm-up, not fragmentation under load.
// The load's anonymous part keeps its mapping (stress-ng --vm-keep), so what
// it holds stays steady through both passes.
//
// Every attempt, with the reason of each failure, is kept in timeline.json
// (attempt_timeline.h); buddyinfo, pagetypeinfo and the compaction counters
// before and after each pass in fragmentation.json (pass_fragmentation.h).
//
// compact-between-passes = true writes 1 to /proc/sys/vm/compact_memory before
// Pass 2 and before At Rest (after the caches are dropped), so a pass starts
// from memory compacted as far as the kernel can.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include <fmt/core.h>

#include "harness/common/atomic_file.h"
#include "harness/common/error.h"
#include "harness/system/procfs/meminfo.h"
#include "harness/system/system_root.h"
#include "workloads/highalloc/attempt_timeline.h"
#include "workloads/highalloc/pass_fragmentation.h"
#include "workloads/highalloc/thp_child.h"
#include "workloads/registry.h"

namespace memharness::workloads {
namespace {

constexpr const char* kNrHugepages = "/proc/sys/vm/nr_hugepages";
// Writing 1 compacts every zone of every node once: a trigger, not a setting
// (nothing to restore, so not journaled).
constexpr const char* kCompactMemory = "/proc/sys/vm/compact_memory";
constexpr std::int64_t kLoadChunkMiB = 16;  // largest fsync'd write of the dd load
constexpr const char* kThpDirectory = "/sys/kernel/mm/transparent_hugepage";
// scope = "cgroup" may attempt at most this share of MemTotal (1/32 = ~3%).
constexpr std::int64_t kCgroupScopeAttemptDivisor = 32;
// Memory counts as full once MemFree is down to this share of MemTotal (1/16):
// above the watermarks kswapd keeps, below what an idle machine has free.
constexpr std::int64_t kFullFreeDivisor = 16;
// ... and the anonymous load holds at least this share of its size (in memory or swap).
constexpr double kAnonResidentShare = 0.9;

std::int64_t read_int(const system::SystemRoot& system, const char* path) {
  return std::stoll(system.read_value(path));
}

struct PassResult {
  std::string name;
  std::int64_t planned_attempts = 0;
  std::int64_t attempts = 0;
  std::int64_t successes = 0;
  std::vector<double> latencies_ms;
  double elapsed_s = 0;  // the whole pass, including giving the pages back
  std::int64_t free_at_start_bytes = 0;
  // The most this pass could succeed with the memory free when it began (each
  // zone's free pages above its low watermark): what bounds At Rest, where
  // nothing is left to reclaim (under load reclaim frees more: it says little).
  double free_at_start_ceiling_pct = 0;
  std::map<std::string, std::int64_t> failures;  // by highalloc::FailureReason
  // Free memory's fragmentation right before the first attempt and right
  // after the last (pass_fragmentation.h).
  highalloc::FragmentationSnapshot before, after;
};

bool past_deadline(const WorkloadContext& context) { return std::chrono::steady_clock::now() >= context.deadline; }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  // Nearest-rank: the smallest value with at least p% of values at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

void check_scope(const system::SystemRoot& system, const std::string& instance, const ResolvedParams& params) {
  if (params.text("method") == "thp" && !system.exists(std::string(kThpDirectory) + "/hpage_pmd_size"))
    throw environment_error(
        "workload \"{}\": key \"method\": \"thp\" needs transparent huge pages, and this "
        "kernel has no {}/hpage_pmd_size (CONFIG_TRANSPARENT_HUGEPAGE)",
        instance, kThpDirectory);
  if (params.text("scope") == "machine") return;
  auto meminfo = system::procfs::parse_meminfo(system.read("/proc/meminfo"));
  auto cap = meminfo.at("MemTotal") / kCgroupScopeAttemptDivisor;
  if (params.integer("attempt") > cap)
    throw usage_error(
        "workload \"{}\": key \"attempt\": huge-page allocation is physical and a cgroup limit does not "
        "confine it, so with scope = \"cgroup\" at most 1/{} of MemTotal ({} MiB) may be attempted, got {} MiB; "
        "set scope = \"machine\" on a dedicated test machine or in a VM",
        instance, kCgroupScopeAttemptDivisor, cap >> 20, params.integer("attempt") >> 20);
}

class HighAlloc final : public Workload {
 public:
  explicit HighAlloc(const ResolvedParams& params) : params_(params) {}

  WorkloadResult run(const WorkloadContext& context) override {
    WorkloadResult result;
    const auto& system = context.system;
    const bool thp = params_.text("method") == "thp";
    const std::int64_t original_pool = thp ? 0 : read_int(system, kNrHugepages);
    const auto meminfo = system::procfs::parse_meminfo(system.read("/proc/meminfo"));
    const std::int64_t page_bytes = thp ? std::stoll(system.read_value(std::string(kThpDirectory) + "/hpage_pmd_size"))
                                        : meminfo.at("Hugepagesize");
    result.details["method"] = params_.text("method");
    result.details["hugepage_bytes"] = page_bytes;
    if (thp) {
      for (const char* knob : {"enabled", "defrag"}) {
        const auto& wanted = params_.text(std::string("thp-") + knob);
        auto path = std::string(kThpDirectory) + "/" + knob;
        if (wanted != "keep") context.journaled_write(path, wanted);
        result.details[std::string("thp_") + knob] = system.read_value(path);
      }
    } else {
      result.details["original_nr_hugepages"] = original_pool;
      // Journal the pool once, before the first change; later writes go direct (an
      // fsync'd journal entry per attempt would distort the timings).
      context.journaled_write(kNrHugepages, std::to_string(original_pool));
    }

    highalloc::AttemptTimeline timeline(std::chrono::steady_clock::now());
    const PassSetup setup{.original_pool = original_pool,
                          .page_bytes = page_bytes,
                          .base_page_bytes = ::sysconf(_SC_PAGESIZE),
                          .order = highalloc::huge_page_order(page_bytes, ::sysconf(_SC_PAGESIZE)),
                          .timeline = timeline};
    std::vector<PassResult> passes;
    {
      Load load(context, params_);
      result.details["scratch_directory"] = load.scratch_directory().string();
      timeline.event("load-start", {{"anon_bytes", load.anon_bytes()}, {"file_bytes", load.file_bytes()}});
      result.details["warmup"] = warm_up(context, load.anon_bytes(), timeline);
      for (const char* name : {"pass1", "pass2"}) {
        if (context.stop.stop_requested() || past_deadline(context)) break;
        if (!passes.empty()) compact_memory(context, timeline, result.details);
        passes.push_back(run_pass(context, name, setup));
      }
      auto stopping = std::chrono::steady_clock::now();
      result.totals = load.stop_and_wait();
      result.details["load_stop_s"] = seconds_since(stopping);
      timeline.event("load-stopped");
    }
    if (!context.stop.stop_requested() && !past_deadline(context)) {
      // At Rest: the load is gone with its files; drop the page cache it left.
      auto dropping = std::chrono::steady_clock::now();
      context.system.write("/proc/sys/vm/drop_caches", "3");
      result.details["drop_caches_s"] = seconds_since(dropping);
      timeline.event("caches-dropped");
      compact_memory(context, timeline, result.details);
      passes.push_back(run_pass(context, "at-rest", setup));
    }
    write_file_atomically(context.output_dir / "timeline.json", timeline.to_json().dump(1) + "\n");
    nlohmann::json fragmentation = {{"schema_version", 1}, {"order", setup.order}, {"passes", nlohmann::json::array()}};
    nlohmann::json pass_details = nlohmann::json::array();
    for (const auto& pass : passes) {
      highalloc::record_pass_metrics(pass.name, highalloc::pass_fragmentation(pass.before, pass.after, setup.order),
                                     result.metrics);
      fragmentation["passes"].push_back(
          highalloc::pass_fragmentation_json(pass.name, pass.before, pass.after, setup.order));
      double success = pass.attempts ? 100.0 * static_cast<double>(pass.successes) / pass.attempts : 0.0;
      result.metrics[pass.name + "-success-pct"] = success;
      result.metrics[pass.name + "-latency-p50-ms"] = percentile(pass.latencies_ms, 50);
      result.metrics[pass.name + "-latency-p90-ms"] = percentile(pass.latencies_ms, 90);
      result.metrics[pass.name + "-latency-p99-ms"] = percentile(pass.latencies_ms, 99);
      result.metrics[pass.name + "-latency-max-ms"] = percentile(pass.latencies_ms, 100);
      pass_details.push_back({{"pass", pass.name},
                              {"attempts", pass.attempts},
                              {"planned_attempts", pass.planned_attempts},
                              {"successes", pass.successes},
                              {"failures", pass.failures},
                              {"mem_free_at_start_bytes", pass.free_at_start_bytes},
                              {"free_at_start_ceiling_pct", pass.free_at_start_ceiling_pct},
                              {"elapsed_s", pass.elapsed_s}});
    }
    result.details["passes"] = pass_details;
    result.details["huge_page_order"] = setup.order;
    write_file_atomically(context.output_dir / "fragmentation.json", fragmentation.dump(1) + "\n");
    if (context.stop.stop_requested()) {
      result.failure = "interrupted";
      return result;
    }
    // Passes cut short (or never begun) are not the figures asked for.
    const bool all_passes = passes.size() == 3 && std::all_of(passes.begin(), passes.end(), [](const PassResult& p) {
                              return p.attempts == p.planned_attempts;
                            });
    if (past_deadline(context) && !all_passes) {
      result.failure = fmt::format("the phase timeout came before the passes were done ({} of 3 begun{})",
                                   passes.size(), passes.empty() ? ", the load was still warming up" : "");
      return result;
    }
    result.succeeded = true;
    return result;
  }

 private:
  // What every pass needs besides its name.
  struct PassSetup {
    std::int64_t original_pool = 0;
    std::int64_t page_bytes = 0;
    std::int64_t base_page_bytes = 0;
    unsigned order = 0;  // the huge page's buddy order
    highalloc::AttemptTimeline& timeline;
  };

  // The background load: stress-ng vm dirtiers and a looping dd writer, each
  // with its share of `load`, until stopped.
  class Load {
   public:
    Load(const WorkloadContext& context, const ResolvedParams& params)
        : follow_(context.stop, [this] { stop_.request_stop(); }) {
      const auto total = params.integer("load");
      const auto anon = anon_ = total * params.integer("load-anon-percent") / 100;
      const auto file = file_ = total - anon;
      scratch_ = context.make_scratch_directory(params.text("directory"), "highalloc");
      WorkloadContext load_context = context;
      load_context.stop = stop_.get_token();
      if (anon > 0)
        threads_.emplace_back([this, load_context, anon] {
          // --vm-keep: the workers keep their mapping instead of unmapping and
          // mapping it again each round, so the memory they hold stays steady.
          record(load_context.spawn({"stress-ng", "--vm", "2", "--vm-bytes", std::to_string(anon), "--vm-keep",
                                     "--vm-method", "lfsr32", "--timeout", "0"},
                                    "load-anon"));
        });
      if (file > 0)
        threads_.emplace_back([this, load_context, file] {
          // The files add up to `file` bytes of page cache, rewritten in turn in
          // chunks of at most 16 MiB with conv=fsync, so little is dirty at any
          // time. One big fsync'd file filled the limit with dirty pages: cgroup
          // v1 has no per-cgroup dirty throttling, and a killed dd then sat in
          // reclaim_throttle (D state) for 5-16 s waiting for writeback, which
          // made the At Rest pass start late and lost the load's accounting.
          const std::int64_t mib = std::max<std::int64_t>(1, file >> 20);
          const std::int64_t chunk_mib = std::min<std::int64_t>(kLoadChunkMiB, mib);
          // One dd per chunk, argv only: the scratch path never passes through a
          // shell, whatever characters the configured directory holds.
          const std::int64_t files = std::max<std::int64_t>(1, mib / chunk_mib);
          for (std::int64_t i = 0; !load_context.stop.stop_requested(); ++i) {
            auto outcome = load_context.spawn(
                {"dd", "if=/dev/zero", "of=" + (scratch_ / fmt::format("dd-load-{}", i % files)).string(), "bs=1M",
                 fmt::format("count={}", chunk_mib), "conv=fsync", "status=none"},
                "load-dd");
            record(outcome);
            if (!outcome.exited_zero()) break;
          }
        });
    }
    ~Load() { stop_and_wait(); }
    const std::filesystem::path& scratch_directory() const { return scratch_; }
    std::int64_t anon_bytes() const { return anon_; }
    std::int64_t file_bytes() const { return file_; }

    system::ProcessOutcome stop_and_wait() {
      stop_.request_stop();
      for (auto& t : threads_)
        if (t.joinable()) t.join();
      std::error_code ec;
      std::filesystem::remove_all(scratch_, ec);
      return totals_;
    }

   private:
    void record(const system::ProcessOutcome& outcome) {
      std::lock_guard lock(mutex_);
      totals_.accumulate(outcome);
      totals_.started = totals_.started || outcome.started;
    }
    std::int64_t anon_ = 0, file_ = 0;
    std::stop_source stop_;
    std::stop_callback<std::function<void()>> follow_;
    std::filesystem::path scratch_;
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    system::ProcessOutcome totals_;
  };

  // Lets the load fill memory before the first pass: with scope = "machine"
  // until memory is full (see the top of this file) or load-warmup has passed;
  // with scope = "cgroup" (the host's free memory says nothing about the
  // limit) for load-warmup. Returns what it found, for the run directory.
  nlohmann::json warm_up(const WorkloadContext& context, std::int64_t anon_bytes,
                         highalloc::AttemptTimeline& timeline) const {
    const auto started = std::chrono::steady_clock::now();
    const auto until = started + params_.duration("load-warmup");
    const bool until_full = params_.text("scope") == "machine";
    CounterMap meminfo;
    bool full = false;
    std::string ended_by = "load-warmup";  // what ended it: the time, memory-full, the deadline, a stop
    for (;;) {
      meminfo = system::procfs::parse_meminfo(context.system.read("/proc/meminfo"));
      const auto anon_held = meminfo.at("AnonPages") + meminfo.at("SwapTotal") - meminfo.at("SwapFree");
      full = meminfo.at("MemFree") <= meminfo.at("MemTotal") / kFullFreeDivisor &&
             static_cast<double>(anon_held) >= kAnonResidentShare * static_cast<double>(anon_bytes);
      auto now = std::chrono::steady_clock::now();
      if (now >= context.deadline) {
        ended_by = "deadline";
        break;
      }
      if (context.stop.stop_requested()) {
        ended_by = "stop";
        break;
      }
      if (until_full && full) {
        ended_by = "memory-full";
        break;
      }
      if (now >= until) break;
      auto wake = std::min(until, context.deadline);
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(wake - now, std::chrono::milliseconds(100)));
    }
    nlohmann::json record = {{"elapsed_s", seconds_since(started)},
                             {"until_full", until_full},
                             {"memory_full", full},
                             {"ended_by", ended_by},
                             {"mem_free_bytes", meminfo.at("MemFree")},
                             {"anon_pages_bytes", meminfo.at("AnonPages")},
                             {"swap_used_bytes", meminfo.at("SwapTotal") - meminfo.at("SwapFree")}};
    timeline.event("warmup-end", record);
    return record;
  }

  // compact-between-passes: compacts all memory once, timed, when the config asks.
  void compact_memory(const WorkloadContext& context, highalloc::AttemptTimeline& timeline,
                      nlohmann::json& details) const {
    if (!params_.flag("compact-between-passes")) return;
    auto compacting = std::chrono::steady_clock::now();
    context.system.write(kCompactMemory, "1");
    double elapsed = seconds_since(compacting);
    details["compact_memory_s"].push_back(elapsed);
    timeline.event("compact-memory", {{"elapsed_s", elapsed}});
  }

  PassResult run_pass(const WorkloadContext& context, const std::string& name, const PassSetup& setup) const {
    const auto original_pool = setup.original_pool;
    const auto page_bytes = setup.page_bytes;
    PassResult pass;
    pass.name = name;
    const auto low_watermarks = highalloc::read_low_watermarks(context.system);
    const std::int64_t huge_page_pages = page_bytes / setup.base_page_bytes;
    const auto free_at_start =
        highalloc::read_free_memory(context.system, page_bytes, setup.base_page_bytes, low_watermarks);
    pass.free_at_start_bytes = free_at_start.free_bytes;
    std::int64_t room_at_start = 0;  // huge pages
    for (const auto& zone : free_at_start.zones)
      room_at_start += std::max<std::int64_t>(0, (zone.free_pages - zone.low_pages) / huge_page_pages);
    setup.timeline.event("pass-start", {{"pass", name},
                                        {"mem_free_bytes", pass.free_at_start_bytes},
                                        {"low_watermark_pages", low_watermarks},
                                        {"room_huge_pages", room_at_start}});
    pass.before = highalloc::take_fragmentation_snapshot(context.system);
    const auto started = std::chrono::steady_clock::now();
    const std::int64_t attempts = std::max<std::int64_t>(1, params_.integer("attempt") / page_bytes);
    // One attempt per huge page at `rate` bytes per second.
    const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(static_cast<double>(page_bytes) / static_cast<double>(params_.integer("rate"))));
    std::int64_t pool = original_pool;
    const bool thp = params_.text("method") == "thp";
    // THP attempts fault memory: in a child in the test cgroup, never in the
    // (mlocked, OOM-protected) harness. It holds the pass's pages until it ends.
    std::optional<highalloc::ThpAttemptChild> faults;
    if (thp) {
      system::SpawnOptions options;
      options.cgroup_procs_file = context.cgroup_procs_file;
      options.log_file = context.output_dir / fmt::format("thp-attempts-{}.log", name);
      options.working_directory = context.output_dir;
      options.deadline = context.deadline;
      options.stop = context.stop;
      faults.emplace(std::filesystem::read_symlink("/proc/self/exe"), page_bytes, options);
    }
    for (const auto reason :
         {highalloc::FailureReason::memory, highalloc::FailureReason::fragmentation, highalloc::FailureReason::raced})
      pass.failures[highalloc::to_string(reason)] = 0;
    pass.planned_attempts = attempts;
    auto next = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < attempts && !context.stop.stop_requested(); ++i) {
      // The phase timeout bounds the pass (a slow rate or slow faults must not
      // run past it): no attempt is begun after it.
      std::this_thread::sleep_until(std::min(next, context.deadline));
      if (past_deadline(context)) break;
      next += interval;
      ++pass.attempts;
      double latency_ms = 0;
      bool success = false;
      if (thp) {
        auto attempt = faults->attempt();
        latency_ms = attempt.fault_ms;
        success = attempt.huge;
      } else {
        auto t0 = std::chrono::steady_clock::now();
        context.system.write(kNrHugepages, std::to_string(pool + 1));
        auto t1 = std::chrono::steady_clock::now();
        std::int64_t now = read_int(context.system, kNrHugepages);
        latency_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
        success = now > pool;
        pool = now;
      }
      // Read after the timed part: the reading is not in the latency.
      auto free = highalloc::read_free_memory(context.system, page_bytes, setup.base_page_bytes, low_watermarks);
      std::optional<highalloc::FailureReason> reason;
      if (!success) {
        reason = highalloc::classify_failure(free, huge_page_pages);
        ++pass.failures[highalloc::to_string(*reason)];
      }
      pass.latencies_ms.push_back(latency_ms);
      pass.successes += success ? 1 : 0;
      setup.timeline.attempt(name, latency_ms, success, free, reason);
    }
    // Before the pages go back: the state the pass's attempts left.
    pass.after = highalloc::take_fragmentation_snapshot(context.system);
    // Give the pass's pages back.
    if (thp) {
      auto ended = faults->finish();
      if (!ended.exited_zero() && !context.stop.stop_requested() && !past_deadline(context))
        throw environment_error("highalloc: the THP attempt process of {}: {}", name, ended.failure_sentence());
    } else
      context.system.write(kNrHugepages, std::to_string(original_pool));
    pass.elapsed_s = seconds_since(started);
    if (pass.attempts > 0)
      pass.free_at_start_ceiling_pct =
          std::min(100.0, 100.0 * static_cast<double>(room_at_start) / static_cast<double>(pass.attempts));
    setup.timeline.event("pass-end", {{"pass", name},
                                      {"attempts", pass.attempts},
                                      {"planned_attempts", pass.planned_attempts},
                                      {"successes", pass.successes}});
    return pass;
  }

  ResolvedParams params_;
};

WorkloadSpec highalloc_spec() {
  WorkloadSpec spec;
  spec.name = "highalloc";
  spec.description = "huge-page allocation success and latency under load (Pass 1, Pass 2) and at rest";
  spec.required_programs = {"stress-ng", "dd"};
  spec.params = {
      choice_param("method", "hugetlb",
                   "hugetlb: grow the hugetlb pool one page at a time; thp: fault MADV_HUGEPAGE regions",
                   {"hugetlb", "thp"}),
      choice_param("thp-enabled", "keep", "method thp: set transparent_hugepage/enabled for the run (journaled)",
                   {"keep", "always", "madvise", "never"}),
      choice_param("thp-defrag", "keep", "method thp: set transparent_hugepage/defrag for the run (journaled)",
                   {"keep", "always", "defer", "defer+madvise", "madvise", "never"}),
      choice_param("scope", "cgroup",
                   "cgroup: load under the limit, small attempt (not the reference figure); machine: whole "
                   "machine (dedicated machines and VMs)",
                   {"cgroup", "machine"}),
      size_param("attempt", "95%", "memory attempted as huge pages per pass"),
      size_param("rate", "16M", "attempt rate in bytes per second", false),
      size_param("load", "150%", "background load: anonymous dirtiers and dd writers together"),
      count_param("load-anon-percent", "50", "share of the load that is anonymous memory (the rest: dd)", 0, 100),
      duration_param("load-warmup", "5s",
                     "time the load runs before Pass 1; with scope = \"machine\" the longest it runs, Pass 1 "
                     "starting as soon as the load has filled memory"),
      text_param("directory", "/var/tmp", "where the dd load writes (a scratch subdirectory is made)"),
      bool_param("compact-between-passes", false,
                 "write 1 to /proc/sys/vm/compact_memory before Pass 2 and before At Rest"),
  };
  // Per pass ("pass1", "pass2", "at-rest"). The success percentage is what
  // this test is for, so it gates by default.
  spec.metrics = {
      {.pattern = "{pass}-success-pct", .unit = "%", .better = Better::higher, .gates = true},
      {.pattern = "{pass}-latency-p50-ms"},
      {.pattern = "{pass}-latency-p90-ms"},
      {.pattern = "{pass}-latency-p99-ms"},
      {.pattern = "{pass}-latency-max-ms"},
      // Free memory's fragmentation at each pass's start, and what compaction
      // did during it (pass_fragmentation.h): why huge pages failed. N is the
      // huge page's order (9 for 2 MiB on 4 KiB pages).
      {.pattern = "{pass}-order{order}-free-blocks", .unit = "blocks", .better = Better::higher},
      {.pattern = "{pass}-order{order}-unusable-index", .better = Better::lower},
      {.pattern = "{pass}-pageblocks-movable", .unit = "pageblocks", .better = Better::higher},
      {.pattern = "{pass}-pageblocks-unmovable", .unit = "pageblocks", .better = Better::lower},
      {.pattern = "{pass}-pageblocks-reclaimable", .unit = "pageblocks", .better = Better::lower},
      {.pattern = "{pass}-compact-stall", .unit = "events", .better = Better::lower},
      {.pattern = "{pass}-compact-success", .unit = "events", .better = Better::higher},
      {.pattern = "{pass}-compact-fail", .unit = "events", .better = Better::lower},
  };
  spec.create = [](const ResolvedParams& params) { return std::make_unique<HighAlloc>(params); };
  spec.check_environment = check_scope;
  return spec;
}

MEMHARNESS_REGISTER_WORKLOAD(highalloc_spec());

}  // namespace
}  // namespace memharness::workloads
