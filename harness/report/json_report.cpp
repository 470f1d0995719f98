// JSON: the whole comparison, versioned (docs/compare.md "JSON schema").
#include <cmath>

#include <nlohmann/json.hpp>

#include "harness/report/report.h"
#include "harness/report/tables.h"

namespace memharness::report {

namespace {

using json = nlohmann::json;

json optional_number(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? json(*v) : json(nullptr);
}

json summary_json(const analysis::MetricCell& cell) {
  if (!cell.summary) return nullptr;
  const auto& s = *cell.summary;
  return {{"n", s.n},           {"min", s.min},         {"mean", s.mean}, {"median", s.median},
          {"stddev", s.stddev}, {"cov_pct", s.cov_pct}, {"max", s.max},   {"sum", s.sum},
          {"values", cell.values}};
}

}  // namespace

void render_json(std::ostream& out, const analysis::Comparison& comparison) {
  json doc = {{"schema", "memharness-compare"}, {"schema_version", json_schema_version}};
  doc["statistics"] = {{"test", "welch-t"}, {"alpha", comparison.alpha},
                       {"min_iterations", comparison.min_iterations}};
  json runs = json::array();
  for (size_t i = 0; i < comparison.runs.size(); ++i) {
    const auto& r = comparison.runs[i];
    runs.push_back({{"label", r.label}, {"path", r.path}, {"test", r.test}, {"kernel_release", r.kernel_release},
                    {"status", r.status}, {"iterations_complete", r.iterations_complete}, {"baseline", i == 0}});
  }
  doc["runs"] = std::move(runs);
  doc["warnings"] = comparison.warnings;
  json metrics = json::array();
  for (const auto& m : comparison.metrics) {
    json cells = json::array();
    for (const auto& cell : m.cells)
      cells.push_back({{"summary", summary_json(cell)},
                       {"mean_improvement_pct", optional_number(cell.mean_pct)},
                       {"p_value", optional_number(cell.p_value)},
                       {"verdict", analysis::to_string(cell.verdict)},
                       {"reason", cell.reason}});
    metrics.push_back({{"id", m.def.id},
                       {"title", m.def.title},
                       {"unit", m.def.unit},
                       {"direction", analysis::to_string(m.def.direction)},
                       {"section", analysis::to_string(m.def.section)},
                       {"source", m.def.source},
                       {"mean", m.def.harmonic_mean ? "harmonic" : "arithmetic"},
                       {"gates", m.gates},
                       {"min_effect_pct", m.min_effect_pct},
                       {"runs", std::move(cells)}});
  }
  doc["metrics"] = std::move(metrics);
  doc["result"] = {{"gating_regressions", comparison.gating_regressions},
                   {"exit_code", comparison.gating_regressions > 0 ? 1 : 0},
                   {"summary", summary_line(comparison)}};
  out << doc.dump(2) << '\n';
}

}  // namespace memharness::report
