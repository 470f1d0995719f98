#include "probes/tracepoints/catalog.h"

namespace memharness::probes {

const std::vector<TracepointSpec>& reclaim_tracepoints() {
  static const std::vector<TracepointSpec> specs = {
      {"vmscan", "mm_vmscan_direct_reclaim_begin", "direct_reclaim_begin"},
      {"vmscan", "mm_vmscan_direct_reclaim_end", "direct_reclaim_end"},
      {"vmscan", "mm_vmscan_memcg_reclaim_begin", "memcg_reclaim_begin"},
      {"vmscan", "mm_vmscan_memcg_reclaim_end", "memcg_reclaim_end"},
      {"vmscan", "mm_vmscan_wakeup_kswapd", "wakeup_kswapd"},
      {"vmscan", "mm_vmscan_kswapd_wake", "kswapd_wake"},
      {"vmscan", "mm_vmscan_kswapd_sleep", "kswapd_sleep"},
      {"vmscan", "mm_vmscan_lru_shrink_inactive", "lru_shrink_inactive"},
      {"vmscan", "mm_vmscan_lru_isolate", "lru_isolate"},
      {"vmscan", "mm_vmscan_write_folio", "write_folio"},
      {"vmscan", "mm_vmscan_writepage", "writepage"},
      {"vmscan", "mm_vmscan_throttled", "throttled"},
      {"compaction", "mm_compaction_try_to_compact_pages", "try_to_compact_pages"},
      {"compaction", "mm_compaction_begin", "compaction_begin"},
      {"compaction", "mm_compaction_end", "compaction_end"},
      {"compaction", "mm_compaction_migratepages", "compaction_migratepages"},
      {"compaction", "mm_compaction_deferred", "compaction_deferred"},
      {"compaction", "mm_compaction_defer_compaction", "compaction_defer"},
      {"compaction", "mm_compaction_defer_reset", "compaction_defer_reset"},
      {"compaction", "mm_compaction_kcompactd_wake", "kcompactd_wake"},
      {"compaction", "mm_compaction_wakeup_kcompactd", "wakeup_kcompactd"},
      {"writeback", "balance_dirty_pages", "balance_dirty_pages"},
      {"sched", "sched_process_fork", "process_fork"},
      {"sched", "sched_process_exit", "process_exit"},
  };
  return specs;
}

std::map<std::string, bool> tracepoint_availability(const system::SystemRoot& root, std::string_view tracefs) {
  std::map<std::string, bool> available;
  for (const auto& spec : reclaim_tracepoints()) {
    std::string dir = std::string(tracefs) + "/events/" + std::string(spec.subsystem) + "/" + std::string(spec.event);
    available[spec.name()] = root.exists(dir + "/format");
  }
  return available;
}

}  // namespace memharness::probes
