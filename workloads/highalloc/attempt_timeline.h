#pragma once
// highalloc's record of what happened when: the warm-up, each pass's start and
// end, and every allocation attempt with its latency, its outcome and, for a
// failure, why it failed. Kept as timeline.json beside the workload's logs, so
// a success figure can be checked against what limited it (a pass capped by
// memory in use looks the same in a percentage as one limited by
// fragmentation; the timeline tells them apart).
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/system/system_root.h"

namespace memharness::workloads::highalloc {

// One zone's room for a huge page right after an attempt.
struct ZoneRoom {
  std::string zone;              // "0/DMA32": node/zone, as buddyinfo and zoneinfo name it
  std::int64_t free_pages = 0;   // buddyinfo: free blocks x their size, in base pages
  std::int64_t huge_blocks = 0;  // free blocks of huge-page size or larger, in huge pages
  std::int64_t low_pages = 0;    // zoneinfo's low watermark and largest protection: left free by our allocation
};

// Free memory right after an attempt.
struct FreeMemory {
  std::int64_t free_bytes = 0;   // MemFree
  std::int64_t huge_blocks = 0;  // free blocks of huge-page size or larger, in huge pages, all zones
  std::vector<ZoneRoom> zones;
};

// Why an attempt failed, zone by zone as the allocator decides:
// - memory: no zone had one huge page free above its low watermark, so no
//   compaction could have made one: the pass was capped by memory in use
//   (what reclaim could not or did not free, the kernel's reserve included);
// - fragmentation: a zone had the room, but not as one free block of
//   huge-page order (compaction did not or could not assemble one);
// - raced: a zone with the room had such a block right after the attempt
//   (freed while it ran).
enum class FailureReason { memory, fragmentation, raced };
const char* to_string(FailureReason reason);

FailureReason classify_failure(const FreeMemory& after, std::int64_t huge_page_pages);

// Each zone's low watermark plus its largest protection (lowmem_reserve) in
// pages, by "node/zone", from /proc/zoneinfo: what a huge-page allocation must
// leave free there. They change only with sysctls and memory hotplug: read
// once a pass.
std::map<std::string, std::int64_t> read_low_watermarks(const system::SystemRoot& system);

// MemFree, and per zone /proc/buddyinfo's free pages and free blocks of order
// >= log2(huge_page_bytes / base_page_bytes), with the zone's low watermark.
FreeMemory read_free_memory(const system::SystemRoot& system, std::int64_t huge_page_bytes,
                            std::int64_t base_page_bytes, const std::map<std::string, std::int64_t>& low_watermarks);

class AttemptTimeline {
 public:
  explicit AttemptTimeline(std::chrono::steady_clock::time_point start) : start_(start) {}

  // A moment of the test ("warmup-end", "pass-start" ...) with what describes it.
  void event(const std::string& name, nlohmann::json detail = nlohmann::json::object());
  void attempt(const std::string& pass, double latency_ms, bool success, const FreeMemory& after,
               std::optional<FailureReason> reason);
  // {"schema_version": 1, "events": [{"t_s", "event", ...}], "attempts": [{"t_s", "pass",
  //  "latency_ms", "success", "mem_free_bytes", "free_huge_blocks", "reason"}]}
  nlohmann::json to_json() const;

 private:
  double now_s() const;
  std::chrono::steady_clock::time_point start_;
  nlohmann::json events_ = nlohmann::json::array();
  nlohmann::json attempts_ = nlohmann::json::array();
};

}  // namespace memharness::workloads::highalloc
