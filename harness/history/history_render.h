#pragma once
// `memharness history` output: the metrics indexed with how many runs have
// each, or one metric's series over runs, as text, markdown, JSON or CSV
// (docs/history.md). The statistics of a run's values are compare's
// (analysis/statistics.h), so a row of history and a column of compare agree.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/history/history_store.h"

namespace memharness::history {

enum class HistoryFormat { text, markdown, json, csv };
std::optional<HistoryFormat> parse_history_format(const std::string& name);

void render_metric_counts(std::ostream& out, const std::vector<MetricCount>& counts, HistoryFormat format);
void render_series(std::ostream& out, const MetricSeries& series, HistoryFormat format);

}  // namespace memharness::history
