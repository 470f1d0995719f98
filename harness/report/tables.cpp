#include "harness/report/tables.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/core.h>

#include "harness/report/pass_table.h"

namespace memharness::report {

using analysis::Comparison;
using analysis::MetricResult;
using analysis::Section;
using analysis::Verdict;

namespace {

std::string number(double v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }

std::string pct_text(const std::optional<double>& pct) {
  if (!pct) return "n/a";
  // Beyond +-1000% the figure says nothing a wider column would: keep the table narrow
  // (the exact value is in the JSON).
  if (*pct >= 1000) return ">999";
  if (*pct <= -1000) return "<-999";
  return fmt::format("{:5.2f}", *pct);
}

enum class Stat { min, mean, stddev, coeffvar, max, total };

TableRow stat_row(const MetricResult& m, Stat stat, const std::string& name, bool with_pct) {
  TableRow row{name, {}};
  const auto& base = m.cells.front().summary;
  bool higher = m.def.direction == analysis::Direction::higher_is_better;
  for (size_t i = 0; i < m.cells.size(); ++i) {
    const auto& cell = m.cells[i];
    TableCell out;
    if (!cell.summary) {
      out.value = "n/a";
      row.cells.push_back(out);
      continue;
    }
    const auto& s = *cell.summary;
    double v = 0, b = 0;
    bool stat_higher = higher;
    switch (stat) {
      case Stat::min:
        v = s.min;
        b = base ? base->min : 0;
        break;
      case Stat::mean:
        v = s.mean;
        b = base ? base->mean : 0;
        break;
      case Stat::stddev:
        v = s.stddev;
        b = base ? base->stddev : 0;
        stat_higher = false;
        break;
      case Stat::coeffvar:
        v = s.cov_pct;
        b = base ? base->cov_pct : 0;
        stat_higher = false;
        break;
      case Stat::max:
        v = s.max;
        b = base ? base->max : 0;
        break;
      case Stat::total:
        v = s.sum;
        b = base ? base->sum : 0;
        break;
    }
    out.value = number(v, stat == Stat::coeffvar ? 2 : m.def.decimals);
    if (m.def.unit == "%") out.value += "%";
    if (with_pct) {
      if (i == 0)
        out.pct = pct_text(0.0);
      else if (base)
        out.pct = pct_text(analysis::improvement_pct(b, v, stat_higher));
      else
        out.pct = "n/a";
    }
    if ((stat == Stat::mean || stat == Stat::total) && i > 0 && m.significant(i)) {
      out.marked = true;
      out.regression = cell.verdict == Verdict::regression;
    }
    row.cells.push_back(out);
  }
  return row;
}

bool any_value(const MetricResult& m) {
  for (const auto& c : m.cells)
    if (c.summary) return true;
  return false;
}

}  // namespace

std::string metric_label(const analysis::MetricDef& def) {
  if (def.unit.empty() || def.title.find('(') != std::string::npos || def.unit == "%") return def.title;
  return fmt::format("{} ({})", def.title, def.unit);
}

std::vector<TableSection> build_tables(const Comparison& comparison) {
  std::vector<TableSection> sections = {{"", {}},
                                        {"Reclaim and compaction (tracepoints; mean per iteration)", {}},
                                        {"Memory cgroup (mean per iteration)", {}},
                                        {"vmstat deltas (whole system; mean per iteration)", {}},
                                        {"Time (all iterations)", {}}};
  for (const auto& m : comparison.metrics) {
    auto& section = sections[static_cast<size_t>(m.def.section)];
    bool always =
        m.def.section == Section::tracepoints || m.def.section == Section::time || m.def.section == Section::workload;
    if (!always && !any_value(m)) continue;             // e.g. v2-only memcg files on a v1 run
    if (is_pass_fragmentation_metric(m.def)) continue;  // in the per-pass table (pass_table.h)
    if (m.def.detailed) {
      for (auto [stat, name] : {std::pair{Stat::min, "min"},
                                {Stat::mean, "mean"},
                                {Stat::stddev, "stddev"},
                                {Stat::coeffvar, "coeffvar"},
                                {Stat::max, "max"}})
        section.rows.push_back(stat_row(m, stat, m.def.title + " " + name, comparison.runs.size() > 1));
    } else {
      section.rows.push_back(stat_row(m, m.def.show_total ? Stat::total : Stat::mean, m.def.title, false));
    }
  }
  return sections;
}

std::string verdict_word(Verdict verdict) {
  switch (verdict) {
    case Verdict::baseline: return "baseline";
    case Verdict::not_available: return "n/a";
    case Verdict::too_few_iterations: return "not judged";
    case Verdict::unreliable: return "not judged";
    case Verdict::no_difference: return "no difference";
    case Verdict::below_min_effect: return "within threshold";
    case Verdict::improvement: return "improvement";
    case Verdict::regression: return "REGRESSION";
  }
  return "?";
}

std::vector<VerdictLine> build_verdicts(const Comparison& comparison) {
  std::vector<VerdictLine> lines;
  for (size_t run = 1; run < comparison.runs.size(); ++run)
    for (const auto& m : comparison.metrics) {
      const auto& cell = m.cells[run];
      bool changed = cell.verdict == Verdict::improvement || cell.verdict == Verdict::regression;
      if (!m.gates && !changed) continue;
      lines.push_back({comparison.runs[run].label, metric_label(m.def), m.def.id, m.gates, cell.verdict, cell.reason});
    }
  return lines;
}

std::string outcome_word(analysis::Outcome outcome) {
  switch (outcome) {
    case analysis::Outcome::no_regression: return "no regression";
    case analysis::Outcome::regression: return "REGRESSION";
    case analysis::Outcome::inconclusive: return "INCONCLUSIVE";
  }
  return "?";
}

std::string summary_line(const Comparison& comparison) {
  if (comparison.runs.size() < 2) return "Single run: nothing to compare.";
  if (comparison.verdicts.size() == 1) return "Result: " + comparison.verdicts.front().summary + ".";
  std::string line = "Result: " + outcome_word(comparison.outcome);
  for (const auto& v : comparison.verdicts) line += fmt::format("; {}: {}", comparison.runs[v.run].label, v.summary);
  return line + ".";
}

std::string statistics_note(const Comparison& comparison) {
  std::int64_t permutations = 0;
  bool exact = true;
  for (const auto& v : comparison.verdicts) {
    permutations = std::max(permutations, v.permutations);
    exact = exact && v.exact;
  }
  return fmt::format(
      "* significant by a permutation test of the iterations ({}{} relabellings): gating metrics at a "
      "family-wise p < {:g} (step-down max-T), the others at a false discovery rate q < {:g}; at least {} "
      "iterations per side; detectable: the regression found with 80% power (noise {}); % is the difference "
      "from {}, positive = better",
      exact ? "all " : "", permutations, comparison.alpha, comparison.fdr_q, comparison.min_iterations,
      comparison.noise_source.empty() ? std::string("of these runs") : "from " + comparison.noise_source,
      comparison.runs.front().label);
}

std::vector<MechanismLine> mechanism_lines(const Comparison& comparison, std::size_t limit) {
  std::vector<MechanismLine> lines;
  for (const auto& v : comparison.verdicts) {
    if (v.regressed.empty()) continue;
    MechanismLine line;
    line.run = comparison.runs[v.run].label;
    for (const auto& m : comparison.metrics) {
      if (!m.gates || m.cells[v.run].verdict != Verdict::regression) continue;
      const auto& cell = m.cells[v.run];
      line.regressed += (line.regressed.empty() ? "" : ", ") + metric_label(m.def) + " " +
                        (cell.mean_pct ? fmt::format("{:+.1f}%", *cell.mean_pct) : std::string("from 0"));
    }
    for (std::size_t k = 0; k < v.mechanisms.size() && k < limit; ++k) {
      const auto& mech = v.mechanisms[k];
      const auto& m = comparison.metrics[mech.metric];
      double ratio = 1 + mech.change_pct / 100;
      std::string change = std::isinf(mech.change_pct) ? "from 0"
                           : ratio >= 3                ? fmt::format("x{:.1f}", ratio)
                                                       : fmt::format("{:+.0f}%", mech.change_pct);
      line.mechanisms.push_back(m.def.title + " " + change);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace memharness::report
