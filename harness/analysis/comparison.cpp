#include "harness/analysis/comparison.h"

#include <cmath>
#include <set>

#include <fmt/core.h>

namespace memharness::analysis {

namespace {

using json = nlohmann::json;

std::string manifest_value(const json& manifest, const char* pointer) {
  json::json_pointer p(pointer);
  if (!manifest.contains(p)) return "(not recorded)";
  const auto& v = manifest.at(p);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// The "reason" of the nearest {"available": false, "reason": ...} object on a
// JSON pointer's path (tracepoints.json marks figures a kernel cannot record so).
std::string unavailable_reason(const json& record, const std::string& source) {
  if (source.empty() || source.front() != '/') return {};  // a formula, not a pointer
  json::json_pointer p;
  try {
    p = json::json_pointer(source);
  } catch (const json::exception&) {
    return {};
  }
  for (; !p.empty(); p = p.parent_pointer()) {
    if (!record.contains(p)) continue;
    const auto& v = record.at(p);
    if (v.is_object() && v.value("available", true) == false) return v.value("reason", "not available");
  }
  return {};
}

void judge(MetricCell& cell, const MetricCell& base, const MetricResult& metric, const CompareConfig& config) {
  if (!cell.summary || !base.summary) {
    cell.verdict = Verdict::not_available;
    cell.reason = !base.summary && !cell.summary ? "n/a in both runs"
                  : !base.summary              ? "n/a in the baseline"
                                               : "n/a in this run";
    const auto& why = !cell.summary ? cell.unavailable_reason : base.unavailable_reason;
    if (!why.empty()) cell.reason += " (" + why + ")";
    return;
  }
  bool higher = metric.def.direction == Direction::higher_is_better;
  cell.mean_pct = improvement_pct(base.summary->mean, cell.summary->mean, higher);
  int n = std::min(cell.summary->n, base.summary->n);
  if (n < config.min_iterations) {
    cell.verdict = Verdict::too_few_iterations;
    cell.reason = fmt::format("{} iteration{}: no verdict", n, n == 1 ? "" : "s");
    return;
  }
  cell.p_value = welch_t_test_p(base.values, cell.values);
  std::string pct = cell.mean_pct ? fmt::format("{:+.2f}%", *cell.mean_pct) : std::string("from 0");
  if (*cell.p_value >= config.alpha) {
    cell.verdict = Verdict::no_difference;
    cell.reason = fmt::format("{}, p={:.3f}", pct, *cell.p_value);
    return;
  }
  if (cell.mean_pct && std::fabs(*cell.mean_pct) < metric.min_effect_pct) {
    cell.verdict = Verdict::below_min_effect;
    cell.reason = fmt::format("{}, p={:.3g}, below the minimum effect of {:g}%", pct, *cell.p_value,
                              metric.min_effect_pct);
    return;
  }
  // Without a percentage (baseline 0) the direction of the raw difference decides.
  bool better = cell.mean_pct ? *cell.mean_pct > 0
                              : (higher ? cell.summary->mean > base.summary->mean
                                        : cell.summary->mean < base.summary->mean);
  cell.verdict = better ? Verdict::improvement : Verdict::regression;
  cell.reason = fmt::format("{}, p={:.3g}", pct, *cell.p_value);
}

}  // namespace

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::baseline: return "baseline";
    case Verdict::not_available: return "not_available";
    case Verdict::too_few_iterations: return "too_few_iterations";
    case Verdict::no_difference: return "no_difference";
    case Verdict::below_min_effect: return "below_min_effect";
    case Verdict::improvement: return "improvement";
    case Verdict::regression: return "regression";
  }
  return "unknown";
}

std::vector<std::string> environment_differences(const std::vector<results::StoredRun>& runs) {
  std::vector<std::string> out;
  if (runs.empty()) return out;
  const auto& base = runs.front();
  struct Field {
    const char* what;
    const char* pointer;
  };
  for (size_t i = 1; i < runs.size(); ++i) {
    for (const auto& f : {Field{"test", "/test"}, Field{"config hash", "/config/hash"},
                          Field{"MemTotal", "/machine/mem_total_bytes"}, Field{"CPU count", "/machine/cpus"}}) {
      auto a = manifest_value(base.manifest, f.pointer), b = manifest_value(runs[i].manifest, f.pointer);
      if (a != b)
        out.push_back(fmt::format("{} differs: {} in {} ({}), {} in {} ({})", f.what, a, base.label(),
                                  base.path.string(), b, runs[i].label(), runs[i].path.string()));
    }
  }
  return out;
}

Comparison compare_runs(const std::vector<results::StoredRun>& runs, const CompareConfig& config) {
  Comparison c;
  c.alpha = config.alpha;
  c.min_iterations = config.min_iterations;
  std::vector<std::vector<const results::StoredIteration*>> complete;
  std::vector<const json*> all_records;
  for (const auto& run : runs) {
    complete.push_back(run.complete_iterations());
    for (const auto* it : complete.back()) all_records.push_back(&it->record);
    c.runs.push_back({.label = run.label(), .path = run.path.string(), .test = run.test(),
                      .kernel_release = run.kernel_release(), .status = run.status(),
                      .iterations_complete = static_cast<int>(complete.back().size())});
  }
  // Two runs under one label (a run directory and the newest under its label) need
  // distinct column headers.
  std::set<std::string> seen;
  for (size_t i = 0; i < c.runs.size(); ++i) {
    auto& label = c.runs[i].label;
    if (label.empty()) label = c.runs[i].path;
    if (!seen.insert(label).second) label = fmt::format("{}#{}", label, i + 1);
  }
  c.warnings = environment_differences(runs);
  for (const auto& run : runs)
    if (run.status() != "complete")
      c.warnings.push_back(fmt::format("{} is {}, not complete: only its complete iterations are used",
                                       run.path.string(), run.status().empty() ? "of unknown status" : run.status()));

  for (size_t i = 0; i < runs.size(); ++i)
    for (const auto* it : complete[i]) {
      const auto& recorder = it->record.value("tracepoint_recorder", json::object());
      if (auto lost = recorder.value("lost_events", 0ULL); lost > 0)
        c.warnings.push_back(fmt::format("{}: iteration {}'s {} tracepoint recorder lost {} event(s): its tracepoint "
                                         "figures are undercounts",
                                         runs[i].label(), it->record.value("iteration", 0),
                                         recorder.value("kind", "unknown"), lost));
    }

  std::set<std::string> known_ids;
  for (auto& def : build_catalog(all_records)) {
    MetricResult m;
    known_ids.insert(def.id);
    m.gates = def.gates;
    m.min_effect_pct = config.min_effect_pct.value_or(def.min_effect_pct);
    if (auto p = config.metrics.find(def.id); p != config.metrics.end()) {
      if (p->second.gates) m.gates = *p->second.gates;
      if (p->second.min_effect_pct) m.min_effect_pct = *p->second.min_effect_pct;
    }
    m.def = std::move(def);
    for (const auto& iterations : complete) {
      MetricCell cell;
      for (const auto* it : iterations)
        if (auto v = m.def.extract(it->record)) cell.values.push_back(*v);
      if (cell.values.empty() && !iterations.empty())
        cell.unavailable_reason = unavailable_reason(iterations.front()->record, m.def.source);
      cell.summary = summarize(cell.values, m.def.harmonic_mean);
      m.cells.push_back(std::move(cell));
    }
    for (size_t i = 1; i < m.cells.size(); ++i) {
      judge(m.cells[i], m.cells[0], m, config);
      if (m.gates && m.cells[i].verdict == Verdict::regression) ++c.gating_regressions;
    }
    c.metrics.push_back(std::move(m));
  }
  for (const auto& [id, policy] : config.metrics)
    if (!known_ids.count(id)) c.warnings.push_back(fmt::format("compare config names metric \"{}\", which these runs do not have", id));
  return c;
}

}  // namespace memharness::analysis
