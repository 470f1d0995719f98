// JSON: the whole comparison, versioned (docs/compare.md "JSON schema").
#include <cmath>

#include <nlohmann/json.hpp>

#include "harness/report/format_registry.h"
#include "harness/report/report.h"
#include "harness/report/tables.h"

namespace memharness::report {

namespace {

using json = nlohmann::json;

json optional_number(const std::optional<double>& v) { return v && std::isfinite(*v) ? json(*v) : json(nullptr); }

json summary_json(const analysis::MetricCell& cell) {
  if (!cell.summary) return nullptr;
  const auto& s = *cell.summary;
  return {{"n", s.n},           {"min", s.min},       {"mean", s.mean},
          {"median", s.median}, {"stddev", s.stddev}, {"cov_pct", s.cov_pct},
          {"max", s.max},       {"sum", s.sum},       {"values", cell.values}};
}

}  // namespace

void render_json(std::ostream& out, const analysis::Comparison& comparison) {
  json doc = {{"schema", "memharness-compare"}, {"schema_version", json_schema_version}};
  doc["statistics"] = {
      {"test", "permutation-welch-t"},
      {"gating", "step-down max-T (Westfall-Young), family-wise"},
      {"others", "Benjamini-Hochberg"},
      {"alpha", comparison.alpha},
      {"fdr_q", comparison.fdr_q},
      {"min_iterations", comparison.min_iterations},
      {"noise_source", comparison.noise_source.empty() ? json("samples") : json(comparison.noise_source)}};
  json runs = json::array();
  for (size_t i = 0; i < comparison.runs.size(); ++i) {
    const auto& r = comparison.runs[i];
    runs.push_back({{"label", r.label},
                    {"path", r.path},
                    {"test", r.test},
                    {"kernel_release", r.kernel_release},
                    {"status", r.status},
                    {"iterations_complete", r.iterations_complete},
                    {"baseline", i == 0}});
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
                       {"p_adjusted", optional_number(cell.p_adjusted)},
                       {"detectable_pct", optional_number(cell.detectable_pct)},
                       {"detectable_abs", optional_number(cell.detectable_abs)},
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
                       {"min_effect_abs", m.min_effect_abs},
                       {"runs", std::move(cells)}});
  }
  doc["metrics"] = std::move(metrics);
  json verdicts = json::array();
  for (const auto& v : comparison.verdicts) {
    json mechanisms = json::array();
    for (const auto& m : v.mechanisms)
      mechanisms.push_back({{"id", comparison.metrics[m.metric].def.id},
                            {"change_pct", optional_number(m.change_pct)},
                            {"p_value", m.p_value}});
    verdicts.push_back({{"run", comparison.runs[v.run].label},
                        {"outcome", analysis::to_string(v.outcome)},
                        {"judged", v.judged},
                        {"not_judged", v.not_judged},
                        {"not_measured", v.not_measured},
                        {"regressed", v.regressed},
                        {"mechanisms", std::move(mechanisms)},
                        {"permutations", v.permutations},
                        {"exact", v.exact},
                        {"summary", v.summary}});
  }
  doc["verdicts"] = std::move(verdicts);
  doc["result"] = {
      {"outcome", comparison.runs.size() > 1 ? json(analysis::to_string(comparison.outcome)) : json(nullptr)},
      {"gating_regressions", comparison.gating_regressions},
      {"exit_code", comparison.runs.size() > 1 ? outcome_exit_code(comparison.outcome) : 0},
      {"summary", summary_line(comparison)}};
  out << doc.dump(2) << '\n';
}

MEMHARNESS_REGISTER_FORMAT((FormatSpec{
    .name = "json",
    .render = [](std::ostream& out, const analysis::Comparison& c, const RenderOptions&) { render_json(out, c); },
    .order = 30}));

}  // namespace memharness::report
