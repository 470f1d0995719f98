#include "harness/analysis/comparison.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/core.h>

#include "harness/analysis/permutation.h"

namespace memharness::analysis {

namespace {

using json = nlohmann::json;

template <typename T>
std::string recorded(const std::optional<T>& value) {
  return value ? fmt::format("{}", *value) : "(not recorded)";
}

// Why a metric's figure is missing from an iteration: the "reason" of the
// nearest {"available": false, "reason": ...} on its path in tracepoints.json
// (which marks figures a kernel cannot record so); "" for other metrics.
std::string unavailable_reason(const results::StoredIteration& it, const std::string& source) {
  if (!source.starts_with(tracepoints_source_prefix) || !it.tracepoints) return {};
  return it.tracepoints->unavailable_reason(std::string_view(source).substr(tracepoints_source_prefix.size()));
}

// The metric's values per complete iteration (nullopt where one did not record it).
using IterationValues = std::vector<std::optional<double>>;

// Metrics that come from the tracepoint recorder: lost events undercount them.
bool from_tracepoints(const MetricDef& def) { return def.source.find("tracepoints") != std::string::npos; }

// The floor a change from a zero baseline must pass (no percentage exists), by
// unit: one event, 1 MiB of pages, 10 ms, 0.1 s, one percentage point. A unit
// not listed has no floor: any significant change from 0 counts.
double zero_baseline_floor(const MetricDef& def) {
  if (def.unit == "events") return 1;
  if (def.unit == "pages") return 256;
  if (def.unit == "ms") return 10;
  if (def.unit == "s") return 0.1;
  if (def.unit == "%" || def.unit == "MiB") return 1;
  return 0;
}

// Why an iteration's tracepoint figures cannot be trusted, or empty.
std::string tracepoint_problem(const results::StoredRun& run, const std::vector<const results::StoredIteration*>& its,
                               const CompareConfig& config) {
  for (const auto* it : its) {
    int number = it->record.iteration.value_or(it->number);
    const auto& recorder = it->record.tracepoint_recorder;
    if (recorder && recorder->lost_events && *recorder->lost_events > config.max_lost_events)
      return fmt::format("{} iteration {} lost {} tracepoint event(s) (max_lost_events {})", run.label(), number,
                         *recorder->lost_events, config.max_lost_events);
    if (auto p = it->tracepoints ? it->tracepoints->pairing("system") : std::nullopt) {
      auto unpaired = p->unpaired_ends + p->open_stall_overflow;
      if (unpaired > config.max_unpaired_ends)
        return fmt::format("{} iteration {} has {} unpaired reclaim/compaction end(s) (max_unpaired_ends {})",
                           run.label(), number, unpaired, config.max_unpaired_ends);
    }
  }
  return {};
}

std::string pct_or_from_zero(const MetricCell& cell, const MetricDef& def) {
  if (cell.mean_pct) return fmt::format("{:+.2f}%", *cell.mean_pct);
  return fmt::format("from 0 to {:.{}f}{}", cell.summary->mean, def.decimals, def.unit.empty() ? "" : " " + def.unit);
}

// Sets the cell's verdict and returns true when it cannot be tested (n/a, too
// few iterations, unreliable tracepoint figures); sets its difference either way.
bool untestable(MetricCell& cell, const MetricCell& base, const MetricResult& metric, const CompareConfig& config,
                const std::string& problem) {
  if (!cell.summary || !base.summary) {
    cell.verdict = Verdict::not_available;
    cell.reason = !base.summary && !cell.summary ? "n/a in both runs (not measured)"
                  : !base.summary                ? "n/a in the baseline"
                                                 : "n/a in this run";
    const auto& why = !cell.summary ? cell.unavailable_reason : base.unavailable_reason;
    if (!why.empty()) cell.reason += " (" + why + ")";
    return true;
  }
  bool higher = metric.def.direction == Direction::higher_is_better;
  cell.mean_pct = improvement_pct(base.summary->mean, cell.summary->mean, higher);
  int n = std::min(cell.summary->n, base.summary->n);
  if (n < config.min_iterations) {
    cell.verdict = Verdict::too_few_iterations;
    cell.reason =
        fmt::format("{} iteration{}: not judged (needs {} per side)", n, n == 1 ? "" : "s", config.min_iterations);
    return true;
  }
  if (smallest_permutation_p(base.summary->n, cell.summary->n) >= config.alpha) {
    cell.verdict = Verdict::too_few_iterations;
    cell.reason = fmt::format("{} vs {} iterations: a permutation test cannot reach p < {:g}; not judged",
                              base.summary->n, cell.summary->n, config.alpha);
    return true;
  }
  if (!problem.empty() && from_tracepoints(metric.def)) {
    cell.verdict = Verdict::unreliable;
    cell.reason = "not judged: " + problem;
    return true;
  }
  return false;
}

// Significant in the bad or good direction: the verdict by the effect's size.
void classify(MetricCell& cell, const MetricCell& base, const MetricResult& metric, bool worse,
              const std::string& figures) {
  auto text = pct_or_from_zero(cell, metric.def);
  bool big_enough = cell.mean_pct ? std::fabs(*cell.mean_pct) >= metric.min_effect_pct
                                  : std::fabs(cell.summary->mean - base.summary->mean) >= metric.min_effect_abs;
  if (!big_enough) {
    cell.verdict = Verdict::below_min_effect;
    cell.reason = cell.mean_pct
                      ? fmt::format("{}, {}, below the minimum effect of {:g}%", text, figures, metric.min_effect_pct)
                      : fmt::format("{}, {}, below the floor of {:g}{} for a zero baseline", text, figures,
                                    metric.min_effect_abs, metric.def.unit.empty() ? "" : " " + metric.def.unit);
    return;
  }
  cell.verdict = worse ? Verdict::regression : Verdict::improvement;
  cell.reason = fmt::format("{}, {}", text, figures);
}

std::string detectable_text(const MetricCell& cell, const MetricDef& def) {
  if (cell.detectable_pct) return fmt::format("detectable: >= {:.0f}%", std::ceil(*cell.detectable_pct));
  if (cell.detectable_abs)
    return fmt::format("detectable: >= {:.{}f}{}", *cell.detectable_abs, def.decimals,
                       def.unit.empty() ? "" : " " + def.unit);
  return "detectable: unknown";
}

double sample_sd(const std::vector<double>& a, const std::vector<double>& b) {
  // Pooled: the two runs' spreads are one machine's noise under "no difference".
  auto ss = [](const std::vector<double>& v, double& sum_sq, int& df) {
    if (v.size() < 2) return;
    double mean = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    for (double x : v) sum_sq += (x - mean) * (x - mean);
    df += static_cast<int>(v.size()) - 1;
  };
  double sum_sq = 0;
  int df = 0;
  ss(a, sum_sq, df);
  ss(b, sum_sq, df);
  return df > 0 ? std::sqrt(sum_sq / df) : 0;
}

// Judges run `run` against the baseline: every testable metric in one joint
// permutation test; the gating ones as a family (max-T), the others by false
// discovery rate.
RunVerdict judge_run(Comparison& c, std::size_t run, const std::vector<std::vector<IterationValues>>& values,
                     const std::vector<std::string>& problems, const CompareConfig& config) {
  RunVerdict verdict;
  verdict.run = run;
  std::string problem = !problems[0].empty() ? problems[0] : problems[run];

  PermutationRequest request;
  std::vector<std::size_t> tested;  // metric index per request metric
  std::vector<bool> logged;         // tested on log(x)
  for (std::size_t m = 0; m < c.metrics.size(); ++m) {
    auto& metric = c.metrics[m];
    auto& cell = metric.cells[run];
    if (untestable(cell, metric.cells[0], metric, config, problem)) continue;
    const auto& base_values = values[m][0];
    const auto& run_values = values[m][run];
    request.base_count = static_cast<int>(base_values.size());
    request.other_count = static_cast<int>(run_values.size());
    // Positive figures are tested on log(x): the noise here is multiplicative
    // (an outlier iteration is 2.5x or 0.4x, not +-k), which the log makes
    // symmetric, and a rate and its reciprocal (ops/s, s/op) give the same p,
    // so a rate shown as a harmonic mean is tested consistently with it. With a
    // 0 among the values (counts of rare events), the raw values.
    bool log_scale = metric.cells[0].summary->min > 0 && cell.summary->min > 0;
    PermutationMetric pm;
    pm.worse_sign = metric.def.direction == Direction::lower_is_better ? 1 : -1;
    for (const auto* side : {&base_values, &run_values})
      for (const auto& v : *side) pm.values.push_back(v && log_scale ? std::optional<double>(std::log(*v)) : v);
    if (metric.gates) request.family.push_back(static_cast<int>(request.metrics.size()));
    request.metrics.push_back(std::move(pm));
    tested.push_back(m);
    logged.push_back(log_scale);
  }
  auto result = permutation_test(request);
  verdict.permutations = result.permutations;
  verdict.exact = result.exact;

  std::vector<double> marginal;
  for (double p : result.p_two_sided) marginal.push_back(p);
  auto q = benjamini_hochberg(marginal);
  const double family_size = static_cast<double>(std::max<std::size_t>(1, request.family.size()));

  for (std::size_t k = 0; k < tested.size(); ++k) {
    auto& metric = c.metrics[tested[k]];
    auto& cell = metric.cells[run];
    const auto& base = metric.cells[0];
    cell.p_value = result.p_two_sided[k];
    bool worse = result.t_worse[k] > 0;
    if (metric.gates) {
      cell.p_adjusted = result.p_worse_family[k];
      // "Detectable": the shift the family's level would catch with 80% power,
      // from the calibrated noise when there is one, else from these samples.
      std::vector<double> a, b;
      for (std::size_t i = 0; i < request.metrics[k].values.size(); ++i)
        if (const auto& v = request.metrics[k].values[i])
          (static_cast<int>(i) < request.base_count ? a : b).push_back(*v);
      double tested_mean = 0;
      for (double x : a) tested_mean += x;
      tested_mean /= static_cast<double>(a.size());
      double sd = sample_sd(a, b);
      if (auto noise = config.noise_cov_pct.find(metric.def.id); noise != config.noise_cov_pct.end()) {
        double cov = noise->second / 100;
        sd = logged[k] ? std::sqrt(std::log(1 + cov * cov)) : cov * std::fabs(tested_mean);  // log-normal's sd
      }
      double shift =
          detectable_shift(sd, static_cast<int>(a.size()), static_cast<int>(b.size()), config.alpha / family_size);
      bool lower = metric.def.direction == Direction::lower_is_better;
      if (sd == 0) {  // constant on both sides: any change beyond the threshold would be found
        if (tested_mean != 0)
          cell.detectable_pct = metric.min_effect_pct;
        else
          cell.detectable_abs = metric.min_effect_abs;
      } else if (logged[k])  // a shift of the log: a factor, worse upwards or downwards
        cell.detectable_pct = lower ? 100 * std::expm1(shift) : -100 * std::expm1(-shift);
      else if (tested_mean != 0)
        cell.detectable_pct = 100 * shift / std::fabs(tested_mean);
      else
        cell.detectable_abs = shift;
      auto figures = fmt::format("p={:.3g} (family-wise)", *cell.p_adjusted);
      if (*cell.p_adjusted < config.alpha) {
        classify(cell, base, metric, true, figures);
      } else if (q[k] < config.fdr_q && !worse) {
        classify(cell, base, metric, false, fmt::format("q={:.3g}", q[k]));
      } else {
        cell.verdict = Verdict::no_difference;
        cell.reason =
            fmt::format("{}, {}; {}", pct_or_from_zero(cell, metric.def), figures, detectable_text(cell, metric.def));
      }
    } else {
      cell.p_adjusted = q[k];
      if (q[k] < config.fdr_q) {
        classify(cell, base, metric, worse, fmt::format("q={:.3g}", q[k]));
      } else {
        cell.verdict = Verdict::no_difference;
        cell.reason = fmt::format("{}, q={:.3g}", pct_or_from_zero(cell, metric.def), q[k]);
      }
    }
  }

  for (const auto& metric : c.metrics) {
    if (!metric.gates) continue;
    const auto& cell = metric.cells[run];
    if (!cell.summary && !metric.cells[0].summary) {
      verdict.not_measured.push_back(metric.def.id);
      continue;
    }
    switch (cell.verdict) {
      case Verdict::not_available:
      case Verdict::too_few_iterations:
      case Verdict::unreliable: verdict.not_judged.push_back(metric.def.id); break;
      case Verdict::regression:
        verdict.regressed.push_back(metric.def.id);
        verdict.judged.push_back(metric.def.id);
        break;
      default: verdict.judged.push_back(metric.def.id); break;
    }
  }
  verdict.outcome = !verdict.regressed.empty()    ? Outcome::regression
                    : !verdict.not_judged.empty() ? Outcome::inconclusive
                    : verdict.judged.empty()      ? Outcome::inconclusive
                                                  : Outcome::no_regression;

  if (!verdict.regressed.empty()) {
    // The mechanism rows: reclaim, compaction, cgroup and vmstat figures that
    // moved in this comparison (marginal p below fdr_q and beyond their minimum
    // effect), largest change first. Supporting evidence, not discoveries.
    for (std::size_t k = 0; k < tested.size(); ++k) {
      const auto& metric = c.metrics[tested[k]];
      // Not the workload's own figures, nor the time section's sums of them.
      if (metric.gates || metric.def.section == Section::workload || metric.def.show_total) continue;
      const auto& cell = metric.cells[run];
      const auto& base = *metric.cells[0].summary;
      if (result.p_two_sided[k] >= config.fdr_q) continue;
      double change = base.mean != 0 ? 100 * (cell.summary->mean - base.mean) / std::fabs(base.mean)
                                     : std::numeric_limits<double>::infinity();
      bool big_enough = base.mean != 0 ? std::fabs(change) >= metric.min_effect_pct
                                       : std::fabs(cell.summary->mean) >= metric.min_effect_abs;
      if (!big_enough) continue;
      verdict.mechanisms.push_back({tested[k], change, result.p_two_sided[k]});
    }
    std::stable_sort(verdict.mechanisms.begin(), verdict.mechanisms.end(), [](const Mechanism& x, const Mechanism& y) {
      return std::fabs(x.change_pct) > std::fabs(y.change_pct);
    });
  }

  auto list = [](const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
    return out;
  };
  std::size_t gating = verdict.judged.size() + verdict.not_judged.size();
  switch (verdict.outcome) {
    case Outcome::regression:
      verdict.summary = fmt::format("REGRESSION in {} of {} gating metrics ({})", verdict.regressed.size(), gating,
                                    list(verdict.regressed));
      break;
    case Outcome::no_regression:
      verdict.summary =
          fmt::format("no regression ({} gating metrics judged: {})", verdict.judged.size(), list(verdict.judged));
      break;
    case Outcome::inconclusive:
      verdict.summary = verdict.judged.empty() && verdict.not_judged.empty()
                            ? std::string("inconclusive (no gating metric was recorded)")
                            : fmt::format("inconclusive: {} of {} gating metrics not judged ({}); judged: {}",
                                          verdict.not_judged.size(), gating, list(verdict.not_judged),
                                          verdict.judged.empty() ? "none" : list(verdict.judged));
      break;
  }
  return verdict;
}

}  // namespace

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::baseline: return "baseline";
    case Verdict::not_available: return "not_available";
    case Verdict::too_few_iterations: return "too_few_iterations";
    case Verdict::unreliable: return "unreliable";
    case Verdict::no_difference: return "no_difference";
    case Verdict::below_min_effect: return "below_min_effect";
    case Verdict::improvement: return "improvement";
    case Verdict::regression: return "regression";
  }
  return "unknown";
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::no_regression: return "no_regression";
    case Outcome::regression: return "regression";
    case Outcome::inconclusive: return "inconclusive";
  }
  return "unknown";
}

std::vector<std::string> environment_differences(const std::vector<results::StoredRun>& runs) {
  std::vector<std::string> out;
  if (runs.empty()) return out;
  const auto& base = runs.front();
  struct Field {
    const char* what;
    std::string (*value)(const results::RunManifest&);
  };
  for (size_t i = 1; i < runs.size(); ++i) {
    for (const auto& f :
         {Field{"test", [](const results::RunManifest& m) { return recorded(m.test); }},
          Field{"config hash",
                [](const results::RunManifest& m) {
                  return recorded(m.config ? std::optional(m.config->hash) : std::nullopt);
                }},
          Field{"MemTotal", [](const results::RunManifest& m) { return recorded(m.mem_total_bytes()); }},
          Field{"CPU count", [](const results::RunManifest& m) { return recorded(m.cpus()); }}}) {
      auto a = f.value(base.manifest), b = f.value(runs[i].manifest);
      if (a != b)
        out.push_back(fmt::format("{} differs: {} in {} ({}), {} in {} ({})", f.what, a, base.label(),
                                  base.path.string(), b, runs[i].label(), runs[i].path.string()));
    }
  }
  return out;
}

Outcome overall_outcome(const std::vector<RunVerdict>& verdicts) {
  Outcome worst = Outcome::no_regression;
  for (const auto& v : verdicts) {
    if (v.outcome == Outcome::regression) return Outcome::regression;
    if (v.outcome == Outcome::inconclusive) worst = Outcome::inconclusive;
  }
  return worst;
}

namespace {

// A run stopped by `--iterations auto` stopped at the first of its K looks
// whose data looked decided, each look tested at alpha / K (sequential.h). Any
// comparison of its iterations, the closing one of that run as much as a
// `compare` months later, tests at alpha / K too: at the whole alpha the
// look that stopped the run would be tested again with its stopping rule
// forgotten, and "no regression" at the run could become a regression later.
// With runs of different looks (a nightly baseline of its own), the most.
CompareConfig with_alpha_of_the_looks(const std::vector<results::StoredRun>& runs, CompareConfig config,
                                      std::vector<std::string>& notes) {
  int looks = 1;
  std::string looked;
  for (const auto& run : runs)
    if (const auto& counts = run.manifest.iterations;
        counts && counts->sequential && counts->sequential->looks > looks) {
      looks = counts->sequential->looks;
      looked = run.path.string();
    }
  if (looks == 1) return config;
  notes.push_back(
      fmt::format("{} ran with --iterations auto, looking at its data up to {} times: verdicts are at "
                  "alpha {:.3g} / {} = {:.3g} (docs/compare.md)",
                  looked, looks, config.alpha, looks, config.alpha / looks));
  config.alpha /= looks;
  return config;
}

}  // namespace

Comparison compare_runs(const std::vector<results::StoredRun>& runs, const CompareConfig& given_config) {
  Comparison c;
  const CompareConfig config = with_alpha_of_the_looks(runs, given_config, c.warnings);
  c.alpha = config.alpha;
  c.fdr_q = config.fdr_q;
  c.min_iterations = config.min_iterations;
  c.noise_source = config.noise_source;
  std::vector<std::vector<const results::StoredIteration*>> complete;
  std::vector<const results::StoredIteration*> all_records;
  for (const auto& run : runs) {
    complete.push_back(run.complete_iterations());
    for (const auto* it : complete.back()) all_records.push_back(it);
    c.runs.push_back({.label = run.label(),
                      .path = run.path.string(),
                      .test = run.test(),
                      .kernel_release = run.kernel_release(),
                      .status = run.status(),
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
  for (auto& w : environment_differences(runs)) c.warnings.push_back(std::move(w));
  for (const auto& run : runs)
    if (run.status() != "complete")
      c.warnings.push_back(fmt::format("{} is {}, not complete: only its complete iterations are used",
                                       run.path.string(), run.status().empty() ? "of unknown status" : run.status()));

  std::vector<std::string> problems;
  for (size_t i = 0; i < runs.size(); ++i) {
    bool unobservable = false;
    for (const auto* it : complete[i]) {
      const auto& recorder = it->record.tracepoint_recorder;
      if (!recorder) continue;
      if (recorder->lost_events && *recorder->lost_events > 0)
        c.warnings.push_back(
            fmt::format("{}: iteration {}'s {} tracepoint recorder lost {} event(s): its tracepoint "
                        "figures are undercounts",
                        runs[i].label(), it->record.iteration.value_or(0), recorder->kind.value_or("unknown"),
                        *recorder->lost_events));
      if (recorder->lost_events_observable == false) unobservable = true;
    }
    if (unobservable)
      c.warnings.push_back(
          fmt::format("{}: lost tracepoint events are not observable on this kernel (its BPF does "
                      "not count recursion misses): the tracepoint figures may be undercounts",
                      runs[i].label()));
    problems.push_back(tracepoint_problem(runs[i], complete[i], config));
  }

  std::set<std::string> known_ids;
  std::vector<std::vector<IterationValues>> values;  // [metric][run][iteration]
  for (auto& def : build_catalog(all_records)) {
    MetricResult m;
    known_ids.insert(def.id);
    m.gates = def.gates;
    m.min_effect_pct = config.min_effect_pct.value_or(def.min_effect_pct);
    m.min_effect_abs = zero_baseline_floor(def);
    if (auto p = config.metrics.find(def.id); p != config.metrics.end()) {
      if (p->second.gates) m.gates = *p->second.gates;
      if (p->second.min_effect_pct) m.min_effect_pct = *p->second.min_effect_pct;
      if (p->second.min_effect_abs) m.min_effect_abs = *p->second.min_effect_abs;
    }
    m.def = std::move(def);
    std::vector<IterationValues> per_run;
    for (const auto& iterations : complete) {
      MetricCell cell;
      IterationValues per_iteration;
      for (const auto* it : iterations) {
        per_iteration.push_back(m.def.extract(*it));
        if (per_iteration.back()) cell.values.push_back(*per_iteration.back());
      }
      if (cell.values.empty() && !iterations.empty())
        cell.unavailable_reason = unavailable_reason(*iterations.front(), m.def.source);
      cell.summary = summarize(cell.values, m.def.harmonic_mean);
      m.cells.push_back(std::move(cell));
      per_run.push_back(std::move(per_iteration));
    }
    values.push_back(std::move(per_run));
    c.metrics.push_back(std::move(m));
  }
  for (size_t run = 1; run < runs.size(); ++run) {
    c.verdicts.push_back(judge_run(c, run, values, problems, config));
    c.gating_regressions += static_cast<int>(c.verdicts.back().regressed.size());
  }
  c.outcome = overall_outcome(c.verdicts);
  for (const auto& [id, policy] : config.metrics)
    if (!known_ids.count(id))
      c.warnings.push_back(fmt::format("compare config names metric \"{}\", which these runs do not have", id));
  return c;
}

}  // namespace memharness::analysis
