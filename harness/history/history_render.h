#pragma once
// `memharness history` output: the metrics indexed with how many runs have
// each, or one metric's series over runs, as text, markdown, JSON or CSV
// (docs/history.md). The statistics of a run's values are compare's
// (analysis/statistics.h), so a row of history and a column of compare agree.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/analysis/change_points.h"
#include "harness/history/history_store.h"

namespace memharness::history {

enum class HistoryFormat { text, markdown, json, csv };
std::optional<HistoryFormat> parse_history_format(const std::string& name);

void render_metric_counts(std::ostream& out, const std::vector<MetricCount>& counts, HistoryFormat format);
// The series with its change points (analysis/change_points.h) over the
// per-run means: each marked on the first run after it, with the step's size
// and its 95% interval (percent of the level before, or in the metric's unit
// when that level is 0) and the permutation test's p.
void render_series(std::ostream& out, const MetricSeries& series, HistoryFormat format,
                   const analysis::ChangePointOptions& change_options = {});

}  // namespace memharness::history
