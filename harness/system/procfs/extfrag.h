#pragma once
// debugfs's extfrag/unusable_index (CONFIG_DEBUG_FS; mm/vmstat.c unusable_show):
// the kernel's own unusable free space index per zone and order, which
// fragmentation.h computes from buddyinfo without debugfs. Read where debugfs
// is mounted, so a run can show its computed figures agree with the kernel's.
#include <string>
#include <string_view>
#include <vector>

#include "harness/system/system_root.h"

namespace memharness::system::procfs {

inline constexpr std::string_view kExtfragUnusableIndexPath = "/sys/kernel/debug/extfrag/unusable_index";

// One line: "Node 0, zone   Normal 0.000 0.001 ... 0.550".
struct ZoneUnusableIndex {
  int node = 0;
  std::string zone;
  std::vector<int> unusable_index_milli;  // [order], thousandths as the kernel computes them
};

// Parses the file; the kernel prints each value as "%d.%03d" of its
// thousandths, and only populated zones. `source` names the input in errors.
// Throws memharness::Error(environment) on a malformed line.
std::vector<ZoneUnusableIndex> parse_extfrag_unusable_index(std::string_view text,
                                                            std::string_view source = kExtfragUnusableIndexPath);

}  // namespace memharness::system::procfs
