// Memory cgroups on cgroup v2 (memory.max/high/low/min, memory.swap.max,
// memory.events, memory.pressure). Its counter names are the normalised ones.
#include <string_view>
#include <utility>

#include "harness/common/error.h"
#include "harness/system/cgroup.h"
#include "harness/system/cgroup_impl.h"

namespace memharness::system {

namespace {

class MemoryCgroupV2 final : public MemoryCgroup {
 public:
  MemoryCgroupV2(const SystemRoot& root, std::string path, ProcessKiller killer, bool owned)
      : MemoryCgroup(root, std::move(path), std::move(killer), owned) {}

  CgroupVersion version() const noexcept override { return CgroupVersion::v2; }

  void apply_limits(const MemoryLimits& limits) override {
    if (limits.swap_max && !has_file("memory.swap.max"))
      throw environment_error(
          "cannot limit swap: {}/memory.swap.max does not exist, so swap accounting is off (a kernel without "
          "CONFIG_SWAP, or booted with swapaccount=0); leave swap_max unset",
          path_);
    // Protections first, the limit last: nothing is reclaimed below a
    // protection that is already in place.
    const std::pair<const std::optional<std::int64_t>&, std::string_view> files[] = {
        {limits.min, "memory.min"}, {limits.low, "memory.low"},           {limits.high, "memory.high"},
        {limits.max, "memory.max"}, {limits.swap_max, "memory.swap.max"},
    };
    for (const auto& [bytes, file] : files)
      if (bytes) write_file(file, std::to_string(*bytes));
  }

  // memory.stat keeps its names; "swap" (bytes) is added from memory.swap.current
  // to match v1, whose memory.stat has it.
  CounterMap memory_stat() const override {
    CounterMap stat = normalise_v2_memory_stat(read_file("memory.stat"), path_ + "/memory.stat");
    if (auto swap = try_read_int("memory.swap.current")) stat["swap"] = *swap;
    return stat;
  }

  // memory.events as it is: low, high, max, oom, oom_kill, oom_group_kill (5.17+).
  // Hierarchical (it counts events of child cgroups too), like v1's failcnt.
  CounterMap memory_events() const override {
    return parse_flat_keyed(read_file("memory.events"), path_ + "/memory.events");
  }

  std::optional<std::int64_t> usage_bytes() const override { return try_read_int("memory.current"); }
  std::optional<std::int64_t> peak_bytes() const override { return try_read_int("memory.peak"); }  // 5.19+
  // Reading fails (EOPNOTSUPP) when PSI is disabled (psi=0): nullopt as well.
  std::optional<std::string> pressure() const override { return try_read_file("memory.pressure"); }
};

}  // namespace

CounterMap normalise_v2_memory_stat(std::string_view text, std::string_view source) {
  return parse_flat_keyed(text, source);
}

namespace detail {
std::unique_ptr<MemoryCgroup> make_v2_memory_cgroup(const SystemRoot& root, std::string path, ProcessKiller killer,
                                                    bool owned) {
  return std::make_unique<MemoryCgroupV2>(root, std::move(path), std::move(killer), owned);
}
}  // namespace detail

}  // namespace memharness::system
