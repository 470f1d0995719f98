#include "workloads/highalloc/attempt_timeline.h"

#include <algorithm>
#include <sstream>

#include "harness/common/error.h"
#include "harness/system/procfs/buddyinfo.h"
#include "harness/system/procfs/meminfo.h"
#include "workloads/highalloc/pass_fragmentation.h"

namespace memharness::workloads::highalloc {

const char* to_string(FailureReason reason) {
  switch (reason) {
    case FailureReason::memory: return "memory";
    case FailureReason::fragmentation: return "fragmentation";
    case FailureReason::raced: return "raced";
  }
  return "unknown";
}

FailureReason classify_failure(const FreeMemory& after, std::int64_t huge_page_pages) {
  bool room = false, block = false;
  for (const auto& zone : after.zones) {
    if (zone.free_pages - zone.low_pages < huge_page_pages) continue;
    room = true;
    block = block || zone.huge_blocks > 0;
  }
  if (!room) return FailureReason::memory;
  return block ? FailureReason::raced : FailureReason::fragmentation;
}

std::map<std::string, std::int64_t> read_low_watermarks(const system::SystemRoot& system) {
  // "Node 0, zone    DMA32" starts a zone; its "        low      8434" line
  // is the watermark (the per-node stats in between have no key "low"), and
  // "protection: (0, 2974, 2974)" what it keeps back from allocations that
  // could have used a higher zone (lowmem_reserve). A huge page of ours may
  // come from the zone only above both; the largest protection stands for
  // the allocation's class (movable, the highest zone).
  std::map<std::string, std::int64_t> low;
  std::string zone;
  std::istringstream lines(system.read("/proc/zoneinfo"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first, second, third, name;
    words >> first;
    if (first == "Node" && words >> second >> third >> name && third == "zone") {
      zone = second.substr(0, second.find(',')) + "/" + name;
      continue;
    }
    if (zone.empty()) continue;
    std::int64_t pages = 0;
    if (first == "low" && words >> pages) low[zone] += pages;
    if (first == "protection:") {
      std::int64_t largest = 0;
      for (std::string word; words >> word;) {
        auto digits = word.find_first_of("0123456789");
        if (digits != std::string::npos) largest = std::max<std::int64_t>(largest, std::stoll(word.substr(digits)));
      }
      low[zone] += largest;
    }
  }
  if (low.empty()) throw environment_error("/proc/zoneinfo: no zone with a low watermark");
  return low;
}

FreeMemory read_free_memory(const system::SystemRoot& system, std::int64_t huge_page_bytes,
                            std::int64_t base_page_bytes, const std::map<std::string, std::int64_t>& low_watermarks) {
  const std::size_t huge_order = huge_page_order(huge_page_bytes, base_page_bytes);
  FreeMemory free;
  free.free_bytes = system::procfs::read_meminfo(system).at("MemFree");
  for (const auto& zone : system::procfs::read_buddyinfo(system)) {
    ZoneRoom room{.zone = std::to_string(zone.node) + "/" + zone.zone};
    for (std::size_t order = 0; order < zone.free_blocks_per_order.size(); ++order) {
      room.free_pages += zone.free_blocks_per_order[order] << order;
      if (order >= huge_order) room.huge_blocks += zone.free_blocks_per_order[order] << (order - huge_order);
    }
    auto low = low_watermarks.find(room.zone);
    room.low_pages = low == low_watermarks.end() ? 0 : low->second;
    free.huge_blocks += room.huge_blocks;
    free.zones.push_back(std::move(room));
  }
  return free;
}

double AttemptTimeline::now_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void AttemptTimeline::event(const std::string& name, nlohmann::json detail) {
  nlohmann::json e = {{"t_s", now_s()}, {"event", name}};
  e.update(detail);
  events_.push_back(std::move(e));
}

void AttemptTimeline::attempt(const std::string& pass, double latency_ms, bool success, const FreeMemory& after,
                              std::optional<FailureReason> reason) {
  attempts_.push_back({{"t_s", now_s()},
                       {"pass", pass},
                       {"latency_ms", latency_ms},
                       {"success", success},
                       {"mem_free_bytes", after.free_bytes},
                       {"free_huge_blocks", after.huge_blocks},
                       {"reason", reason ? nlohmann::json(to_string(*reason)) : nlohmann::json()}});
}

nlohmann::json AttemptTimeline::to_json() const {
  return {{"schema_version", 1}, {"events", events_}, {"attempts", attempts_}};
}

}  // namespace memharness::workloads::highalloc
