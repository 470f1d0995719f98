#include "workloads/highalloc/pass_fragmentation.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <map>
#include <tuple>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/system/procfs/fragmentation.h"
#include "harness/system/procfs/vmstat.h"

namespace memharness::workloads::highalloc {

namespace procfs = system::procfs;

namespace {

// The migrate types whose pageblocks are metrics, as pagetypeinfo names them:
// unmovable and reclaimable pageblocks are what compaction cannot empty.
constexpr const char* kPageblockTypes[] = {"Unmovable", "Movable", "Reclaimable"};
// The compaction counters that are metrics (the others stay in fragmentation.json).
constexpr const char* kCompactionMetrics[] = {"compact_stall", "compact_success", "compact_fail"};

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The zones' free blocks summed order by order.
std::vector<std::int64_t> machine_free_blocks(const std::vector<procfs::ZoneFreeAreas>& zones) {
  std::vector<std::int64_t> sum;
  for (const auto& zone : zones) {
    sum.resize(std::max(sum.size(), zone.free_blocks_per_order.size()));
    for (std::size_t order = 0; order < zone.free_blocks_per_order.size(); ++order)
      sum[order] += zone.free_blocks_per_order[order];
  }
  return sum;
}

CounterMap summed_pageblocks(const std::vector<procfs::ZonePageblocks>& zones) {
  CounterMap sum;
  for (const auto& zone : zones)
    for (const auto& [type, blocks] : zone.pageblocks_per_migrate_type) sum[type] += blocks;
  return sum;
}

// after - before, order by order and migrate type by migrate type.
std::vector<std::int64_t> delta_of(const std::vector<std::int64_t>& before, const std::vector<std::int64_t>& after) {
  std::vector<std::int64_t> delta(after);
  for (std::size_t i = 0; i < delta.size() && i < before.size(); ++i) delta[i] -= before[i];
  return delta;
}
CounterMap delta_of(const CounterMap& before, const CounterMap& after) { return counter_delta(before, after); }

nlohmann::json zone_key(int node, const std::string& zone) { return {{"node", node}, {"zone", zone}}; }

nlohmann::json pageblocks_json(const std::vector<procfs::ZonePageblocks>& zones) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& zone : zones) {
    auto row = zone_key(zone.node, zone.zone);
    row["pageblocks"] = zone.pageblocks_per_migrate_type;
    rows.push_back(std::move(row));
  }
  return rows;
}

nlohmann::json snapshot_json(const FragmentationSnapshot& snapshot) {
  nlohmann::json out;
  nlohmann::json zones = nlohmann::json::array();
  auto indices = procfs::fragmentation_indices(snapshot.buddyinfo);
  for (std::size_t i = 0; i < snapshot.buddyinfo.size(); ++i) {
    const auto& zone = snapshot.buddyinfo[i];
    auto row = zone_key(zone.node, zone.zone);
    row["free_blocks_per_order"] = zone.free_blocks_per_order;
    row["unusable_index"] = indices[i].unusable_free_index;
    row["fragmentation_index"] = indices[i].fragmentation_index;
    zones.push_back(std::move(row));
  }
  out["buddyinfo"] = std::move(zones);
  if (const auto& info = snapshot.pagetypeinfo) {
    nlohmann::json free = nlohmann::json::array();
    for (const auto& row : info->free_blocks) {
      auto entry = zone_key(row.node, row.zone);
      entry["migrate_type"] = row.migrate_type;
      entry["free_blocks_per_order"] = row.free_blocks_per_order;
      if (row.counts_capped) entry["counts_capped"] = true;
      free.push_back(std::move(entry));
    }
    out["pagetypeinfo"] = {{"page_block_order", info->page_block_order},
                           {"free_blocks", std::move(free)},
                           {"pageblocks", pageblocks_json(info->pageblocks)},
                           {"mixed_pageblocks", pageblocks_json(info->mixed_pageblocks)}};
  } else {
    out["pagetypeinfo"] = nullptr;
  }
  out["compaction"] = snapshot.compaction;
  if (!snapshot.debugfs_unusable_index.empty()) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& zone : snapshot.debugfs_unusable_index) {
      auto row = zone_key(zone.node, zone.zone);
      nlohmann::json values = nlohmann::json::array();
      for (int milli : zone.unusable_index_milli) values.push_back(milli / 1000.0);
      row["unusable_index"] = std::move(values);
      rows.push_back(std::move(row));
    }
    out["debugfs_unusable_index"] = std::move(rows);
  }
  return out;
}

// after - before of rows keyed by (node, zone[, migrate type]); a row only
// after counts from nothing.
template <typename Row, typename Key, typename Counts>
nlohmann::json row_deltas(const std::vector<Row>& before, const std::vector<Row>& after, Key key, Counts counts,
                          const char* member) {
  std::map<decltype(key(after.front())), const Row*> earlier;
  for (const auto& row : before) earlier[key(row)] = &row;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : after) {
    auto found = earlier.find(key(row));
    auto entry = zone_key(row.node, row.zone);
    if constexpr (requires { row.migrate_type; }) entry["migrate_type"] = row.migrate_type;
    if (found == earlier.end())
      entry[member] = counts(row);
    else
      entry[member] = delta_of(counts(*found->second), counts(row));
    rows.push_back(std::move(entry));
  }
  return rows;
}

}  // namespace

unsigned huge_page_order(std::int64_t huge_page_bytes, std::int64_t base_page_bytes) {
  if (base_page_bytes <= 0 || huge_page_bytes < base_page_bytes || huge_page_bytes % base_page_bytes != 0 ||
      !std::has_single_bit(static_cast<std::uint64_t>(huge_page_bytes / base_page_bytes)))
    throw environment_error("huge page of {} bytes is not a power-of-two multiple of the {}-byte base page",
                            huge_page_bytes, base_page_bytes);
  return static_cast<unsigned>(std::countr_zero(static_cast<std::uint64_t>(huge_page_bytes / base_page_bytes)));
}

FragmentationSnapshot take_fragmentation_snapshot(const system::SystemRoot& system) {
  FragmentationSnapshot snapshot;
  snapshot.buddyinfo = procfs::read_buddyinfo(system);
  if (auto text = system.try_read("/proc/pagetypeinfo"))
    snapshot.pagetypeinfo = procfs::parse_pagetypeinfo(*text, "/proc/pagetypeinfo");
  for (const auto& [name, value] : procfs::parse_vmstat(system.read("/proc/vmstat")))
    if (name.starts_with("compact_")) snapshot.compaction[name] = value;
  if (auto text = system.try_read(procfs::kExtfragUnusableIndexPath))
    snapshot.debugfs_unusable_index = procfs::parse_extfrag_unusable_index(*text);
  return snapshot;
}

PassFragmentation pass_fragmentation(const FragmentationSnapshot& before, const FragmentationSnapshot& after,
                                     unsigned order) {
  PassFragmentation figures;
  figures.order = order;
  auto free_blocks = machine_free_blocks(before.buddyinfo);
  figures.free_blocks = static_cast<std::int64_t>(procfs::contig_page_info(free_blocks, order).free_blocks_suitable);
  figures.unusable_index = procfs::unusable_free_index(free_blocks, order);
  if (before.pagetypeinfo) figures.pageblocks = summed_pageblocks(before.pagetypeinfo->pageblocks);
  figures.compaction_delta = counter_delta(before.compaction, after.compaction);
  return figures;
}

void record_pass_metrics(const std::string& pass, const PassFragmentation& figures, nlohmann::json& metrics) {
  metrics[fmt::format("{}-order{}-free-blocks", pass, figures.order)] = figures.free_blocks;
  metrics[fmt::format("{}-order{}-unusable-index", pass, figures.order)] = figures.unusable_index;
  for (const char* type : kPageblockTypes)
    if (auto found = figures.pageblocks.find(type); found != figures.pageblocks.end())
      metrics[fmt::format("{}-pageblocks-{}", pass, lower(type))] = found->second;
  for (const char* counter : kCompactionMetrics)
    if (auto found = figures.compaction_delta.find(counter); found != figures.compaction_delta.end())
      // compact_stall -> "pass1-compact-stall"
      metrics[fmt::format("{}-compact-{}", pass, std::string(counter).substr(8))] = found->second;
}

nlohmann::json pass_fragmentation_json(const std::string& pass, const FragmentationSnapshot& before,
                                       const FragmentationSnapshot& after, unsigned order) {
  auto zone_of = [](const auto& row) { return std::tuple(row.node, row.zone); };
  nlohmann::json delta;
  delta["buddyinfo"] = row_deltas(
      before.buddyinfo, after.buddyinfo, zone_of,
      [](const procfs::ZoneFreeAreas& z) { return z.free_blocks_per_order; }, "free_blocks_per_order");
  if (before.pagetypeinfo && after.pagetypeinfo) {
    delta["free_blocks"] = row_deltas(
        before.pagetypeinfo->free_blocks, after.pagetypeinfo->free_blocks,
        [](const procfs::MigrateTypeFreeBlocks& row) { return std::tuple(row.node, row.zone, row.migrate_type); },
        [](const procfs::MigrateTypeFreeBlocks& row) { return row.free_blocks_per_order; }, "free_blocks_per_order");
    auto pageblocks = [](const procfs::ZonePageblocks& z) { return z.pageblocks_per_migrate_type; };
    delta["pageblocks"] =
        row_deltas(before.pagetypeinfo->pageblocks, after.pagetypeinfo->pageblocks, zone_of, pageblocks, "pageblocks");
    delta["mixed_pageblocks"] = row_deltas(before.pagetypeinfo->mixed_pageblocks, after.pagetypeinfo->mixed_pageblocks,
                                           zone_of, pageblocks, "pageblocks");
  }
  delta["compaction"] = counter_delta(before.compaction, after.compaction);
  return {{"pass", pass},
          {"order", order},
          {"before", snapshot_json(before)},
          {"after", snapshot_json(after)},
          {"delta", std::move(delta)}};
}

}  // namespace memharness::workloads::highalloc
