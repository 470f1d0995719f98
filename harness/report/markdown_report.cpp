// Markdown: the text format's content as GitHub-flavoured tables.
#include <fmt/core.h>

#include "harness/report/format_registry.h"
#include "harness/report/pass_table.h"
#include "harness/report/report.h"
#include "harness/report/tables.h"

namespace memharness::report {

namespace {
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '*' || c == '_' || c == '`') out += '\\';
    out += c;
  }
  return out;
}
// After the workload's results: a row per run and pass, a column per figure.
void render_pass_table(std::ostream& out, const PassTable& table) {
  if (table.rows.empty()) return;
  out << "\n### " << escape(table.title) << "\n\n|  |";
  for (const auto& column : table.columns) out << ' ' << escape(column.top + " " + column.bottom) << " |";
  out << "\n|---|";
  for (size_t i = 0; i < table.columns.size(); ++i) out << "---:|";
  out << '\n';
  for (const auto& row : table.rows) {
    out << "| " << escape(row.name()) << " |";
    for (const auto& c : row.cells) out << ' ' << c.value << (c.marked ? " \\*" : "") << " |";
    out << '\n';
  }
}

}  // namespace

void render_markdown(std::ostream& out, const analysis::Comparison& comparison) {
  const auto& runs = comparison.runs;
  out << fmt::format("## memharness {}: {}\n\n", runs.size() > 1 ? "compare" : "report",
                     escape(runs.empty() ? std::string() : runs.front().test));
  out << "| run | kernel | iterations | directory |\n|---|---|---:|---|\n";
  for (size_t i = 0; i < runs.size(); ++i)
    out << fmt::format("| {}{} | {} | {} | `{}` |\n", escape(runs[i].label),
                       i == 0 && runs.size() > 1 ? " (baseline)" : "", escape(runs[i].kernel_release),
                       runs[i].iterations_complete, runs[i].path);
  for (const auto& w : comparison.warnings) out << "\n> **warning:** " << escape(w) << '\n';
  const auto sections = build_tables(comparison);
  for (const auto& section : sections) {
    if (&section == &sections.front() + 1) render_pass_table(out, build_pass_table(comparison));
    if (section.rows.empty()) continue;
    out << "\n### " << (section.title.empty() ? "Workload results" : escape(section.title)) << "\n\n|  |";
    for (const auto& r : runs) out << ' ' << escape(r.label) << " |";
    out << "\n|---|";
    for (size_t i = 0; i < runs.size(); ++i) out << "---:|";
    out << '\n';
    for (const auto& row : section.rows) {
      out << "| " << escape(row.name) << " |";
      for (const auto& c : row.cells) {
        out << ' ' << c.value;
        if (!c.pct.empty()) out << " (" << c.pct << (c.pct == "n/a" ? "" : "%") << ")";
        if (c.marked) out << " \\*";
        out << " |";
      }
      out << '\n';
    }
  }
  if (runs.size() > 1) {
    out << "\n" << escape(statistics_note(comparison)) << "\n";
    out << "\n### Verdicts\n\n";
    out << "| run | metric | gating | verdict | figures |\n|---|---|---|---|---|\n";
    for (const auto& l : build_verdicts(comparison))
      out << fmt::format("| {} | {} | {} | {} | {} |\n", escape(l.run), escape(l.metric), l.gates ? "yes" : "no",
                         l.verdict == analysis::Verdict::regression ? "**REGRESSION**" : verdict_word(l.verdict),
                         escape(l.reason));
    auto mechanisms = mechanism_lines(comparison);
    if (!mechanisms.empty()) out << "\n### Mechanism\n\n";
    for (const auto& m : mechanisms) {
      std::string with;
      for (const auto& x : m.mechanisms) with += (with.empty() ? "" : ", ") + x;
      out << fmt::format("- {}: **{}**; with it: {}\n", escape(m.run), escape(m.regressed),
                         with.empty() ? std::string("no other figure changed significantly") : escape(with));
    }
  }
  out << '\n'
      << (comparison.outcome == analysis::Outcome::no_regression || runs.size() < 2
              ? escape(summary_line(comparison))
              : "**" + escape(summary_line(comparison)) + "**")
      << '\n';
}

MEMHARNESS_REGISTER_FORMAT((FormatSpec{
    .name = "markdown",
    .aliases = {"md"},
    .render = [](std::ostream& out, const analysis::Comparison& c, const RenderOptions&) { render_markdown(out, c); },
    .order = 20}));

}  // namespace memharness::report
