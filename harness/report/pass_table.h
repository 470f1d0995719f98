#pragma once
// highalloc's fragmentation figures per pass as one compact table (issue 15):
// for each run and pass, free blocks of the huge page's order and the unusable
// free space index there at the pass's start, pageblocks per migrate type, and
// compaction stalls, successes and failures during the pass. The figures are
// the workload's metrics "{pass}-order{N}-free-blocks" ... (declared by the
// highalloc workload; workloads/highalloc/pass_fragmentation.h), recognised
// here by name: a report reads run directories only.
#include <string>
#include <vector>

#include "harness/analysis/comparison.h"
#include "harness/report/tables.h"

namespace memharness::report {

struct PassTableColumn {
  std::string top, bottom;  // the header on two lines: "order-9" / "free blocks"
};

// One run's figures of one pass: a cell per column, the mean per iteration,
// marked when the run differs significantly from the baseline.
struct PassTableRow {
  std::string run;   // the run's column label elsewhere
  std::string pass;  // "pass1"; "highalloc pass1" when several instances have figures
  std::vector<TableCell> cells;
  std::string name() const { return run + " " + pass; }
};

struct PassTable {
  std::string title;
  std::vector<PassTableColumn> columns;
  std::vector<PassTableRow> rows;  // in run order, then instance, then the order the passes ran
};

// Whether the metric is one of the table's (it then leaves the workload
// section's rows, which would repeat it five times per pass).
bool is_pass_fragmentation_metric(const analysis::MetricDef& def);

// Empty rows when no run recorded the figures.
PassTable build_pass_table(const analysis::Comparison& comparison);

}  // namespace memharness::report
