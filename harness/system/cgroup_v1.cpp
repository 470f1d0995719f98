// Memory cgroups on cgroup v1 (memory.limit_in_bytes, memsw, failcnt), reported
// under the cgroup v2 names so that runs on v1 and v2 hosts compare.
#include <array>
#include <limits>
#include <string_view>
#include <utility>

#include "harness/common/error.h"
#include "harness/system/cgroup.h"
#include "harness/system/cgroup_impl.h"

namespace memharness::system {

namespace detail {
// The limits a v1 memory cgroup at `cgroup` (or any sibling: the files are the
// same) cannot express, as Error(environment).
void check_v1_limits(const SystemRoot& root, std::string_view cgroup, const MemoryLimits& limits) {
  if (limits.high)
    throw environment_error(
        "memory.high is not available on cgroup v1 (the test sets [cgroup] memory-high = {} bytes): leave the key out "
        "or run on a cgroup v2 host",
        *limits.high);
  if (limits.min)
    throw environment_error(
        "memory.min is not available on cgroup v1 (the test sets [cgroup] memory-min = {} bytes): leave the key out or "
        "run on a cgroup v2 host",
        *limits.min);
  if (limits.swap_max && !limits.max)
    throw environment_error(
        "on cgroup v1 a swap limit ([cgroup] swap-max, or [swap] mode = \"none\") needs [cgroup] memory-max too: v1 "
        "limits memory+swap together "
        "(memory.memsw.limit_in_bytes)");
  if (limits.swap_max && !root.exists(std::string(cgroup) + "/memory.memsw.limit_in_bytes"))
    throw environment_error(
        "cannot limit swap on cgroup v1: {}/memory.memsw.limit_in_bytes does not exist, so swap accounting "
        "is off (boot with swapaccount=1, or leave [cgroup] swap-max unset)",
        cgroup);
  if (limits.max && limits.swap_max && *limits.swap_max > std::numeric_limits<std::int64_t>::max() - *limits.max)
    throw environment_error("memory_max + swap_max overflows: {} + {}", *limits.max, *limits.swap_max);
}
}  // namespace detail

namespace {

// memory.stat names, v1 -> v2. Both are computed from the same kernel counters
// (memcg1_stat_format() vs memory_stat_format() in mm/memcontrol*.c), all sizes
// in bytes on both versions:
//
//   v1 memory.stat             normalised (= v2 memory.stat)
//   cache                      file
//   rss                        anon
//   rss_huge                   anon_thp
//   mapped_file                file_mapped
//   dirty                      file_dirty
//   writeback                  file_writeback
//   shmem, swapcached, pgfault, pgmajfault, inactive_anon, active_anon,
//   inactive_file, active_file, unevictable, workingset_*  keep their names
//   swap                       swap (bytes; on v2 taken from memory.swap.current)
//   pgpgin, pgpgout            keep their names (v1 only: v2 has no such counters)
//   hierarchical_memory_limit, hierarchical_memsw_limit    dropped (limits, not counters)
//
// v1 prints each counter twice: local ("rss") and including descendants
// ("total_rss"). The total_ value is taken when present, since v2's memory.stat
// is hierarchical too. Raw v1 names are not kept beside the normalised ones: a
// counter under two names would be compared twice. Names not in the table (new
// kernels) pass through unchanged, so nothing the kernel reports is lost.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kV1ToV2Names = {{
    {"cache", "file"},
    {"rss", "anon"},
    {"rss_huge", "anon_thp"},
    {"mapped_file", "file_mapped"},
    {"dirty", "file_dirty"},
    {"writeback", "file_writeback"},
}};

constexpr std::string_view kTotalPrefix = "total_";

std::string normalised_name(std::string_view v1_name) {
  for (const auto& [v1, v2] : kV1ToV2Names)
    if (v1 == v1_name) return std::string(v2);
  return std::string(v1_name);
}

bool is_limit(std::string_view name) { return name.starts_with("hierarchical_"); }

class MemoryCgroupV1 final : public MemoryCgroup {
 public:
  MemoryCgroupV1(const SystemRoot& root, std::string path, ProcessKiller killer, bool owned)
      : MemoryCgroup(root, std::move(path), std::move(killer), owned) {}

  CgroupVersion version() const noexcept override { return CgroupVersion::v1; }

  void apply_limits(const MemoryLimits& limits) override {
    // Everything is checked before the first write.
    detail::check_v1_limits(root_, path_, limits);
    ensure_use_hierarchy();
    // The kernel refuses a memory limit above the memsw limit and a memsw limit
    // below the memory limit: memory first (a fresh cgroup has both unlimited),
    // unless the new memory limit would exceed the memsw limit already in place.
    auto write_memory = [&] { write_file("memory.limit_in_bytes", std::to_string(*limits.max)); };
    auto write_memsw = [&] {
      write_file("memory.memsw.limit_in_bytes", std::to_string(*limits.max + *limits.swap_max));
    };
    if (limits.swap_max && *limits.max > read_int("memory.memsw.limit_in_bytes")) {
      write_memsw();
      write_memory();
    } else {
      if (limits.max) write_memory();
      if (limits.swap_max) write_memsw();
    }
    // An approximation of memory.low: v1's soft limit is where global reclaim
    // pushes a cgroup back to first, not a protection — usage below it can
    // still be reclaimed, and it does nothing under the cgroup's own limit.
    if (limits.low) write_file("memory.soft_limit_in_bytes", std::to_string(*limits.low));
  }

  CounterMap memory_stat() const override {
    return normalise_v1_memory_stat(read_file("memory.stat"), path_ + "/memory.stat");
  }

  // failcnt counts charges that hit the limit (each one reclaims), the nearest
  // v1 has to v2's memory.events "max". v1 has no "oom" (OOM situations) count.
  CounterMap memory_events() const override {
    CounterMap events = {{"max", read_int("memory.failcnt")}};
    auto oom_control = parse_flat_keyed(read_file("memory.oom_control"), path_ + "/memory.oom_control");
    for (std::string_view key : {"oom_kill", "under_oom"})  // oom_kill: 4.13+
      if (auto it = oom_control.find(key); it != oom_control.end()) events.insert(*it);
    if (auto memsw_failcnt = try_read_int("memory.memsw.failcnt")) events["memsw_max"] = *memsw_failcnt;
    return events;
  }

  std::optional<std::int64_t> usage_bytes() const override { return try_read_int("memory.usage_in_bytes"); }
  std::optional<std::int64_t> peak_bytes() const override { return try_read_int("memory.max_usage_in_bytes"); }
  std::optional<std::string> pressure() const override { return std::nullopt; }

 private:
  // Without use_hierarchy the test cgroup's usage would not count toward the
  // harness's own cgroup, whose limits then fail to protect the machine. It is
  // inherited (and fixed at 1 since 5.x), so this normally only checks.
  void ensure_use_hierarchy() {
    if (read_file("memory.use_hierarchy").starts_with('1')) return;
    write_file("memory.use_hierarchy", "1");
    if (!read_file("memory.use_hierarchy").starts_with('1'))
      throw environment_error("{}/memory.use_hierarchy stays 0 after writing 1: its parent does not use hierarchy",
                              path_);
  }
};

}  // namespace

CounterMap normalise_v1_memory_stat(std::string_view text, std::string_view source) {
  CounterMap raw = parse_flat_keyed(text, source);
  CounterMap normalised;
  for (const auto& [name, value] : raw) {
    std::string_view base = name;
    bool total = base.starts_with(kTotalPrefix);
    if (total) base.remove_prefix(kTotalPrefix.size());
    if (is_limit(base)) continue;
    // The local value only when the kernel printed no total_ variant.
    if (!total && raw.contains(std::string(kTotalPrefix) + name)) continue;
    normalised.insert_or_assign(normalised_name(base), value);
  }
  return normalised;
}

namespace detail {
std::unique_ptr<MemoryCgroup> make_v1_memory_cgroup(const SystemRoot& root, std::string path, ProcessKiller killer,
                                                    bool owned) {
  return std::make_unique<MemoryCgroupV1>(root, std::move(path), std::move(killer), owned);
}
}  // namespace detail

}  // namespace memharness::system
