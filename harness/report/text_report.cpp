// The text format: what a kernel developer pastes into a patch posting. Fixed
// width (at most 100 columns), kernels as columns, rows like
//   Elapsed mean        98.19 ( 0.00%)      98.35 (-0.16%)*
// and colour only when asked for (stdout is a terminal).
#include <algorithm>
#include <vector>

#include <fmt/core.h>

#include "harness/report/format_registry.h"
#include "harness/report/pass_table.h"
#include "harness/report/report.h"
#include "harness/report/tables.h"

namespace memharness::report {

namespace {

constexpr size_t max_width = 100;
constexpr size_t min_name_width = 24;

std::string cell_text(const TableCell& c) {
  std::string s = c.value;
  if (!c.pct.empty()) s += c.pct == "n/a" ? " (  n/a)" : " (" + c.pct + "%)";
  return s;
}

std::string fit(const std::string& name, size_t width) {
  if (name.size() <= width) return name;
  return name.substr(0, width - 1) + "~";
}

// Splits at spaces into lines of at most `width` (a longer word stays whole),
// so a long reason (the kernel's, for an event it lacks) keeps the table
// within 100 columns.
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines(1);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    auto& line = lines.back();
    if (!line.empty() && line.size() + 1 + word.size() > width)
      lines.push_back(word);
    else
      line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return lines;
}

// The per-pass table: a line per run, then its passes (the figures are too
// many to be columns of every run); each column as wide as its header or
// widest cell, so it fits 100 columns whatever the runs' labels.
void render_pass_table(std::ostream& out, const PassTable& table) {
  if (table.rows.empty()) return;
  out << '\n';
  for (const auto& line : wrap(table.title, max_width)) out << line << '\n';
  constexpr size_t indent = 2;
  size_t name_width = 0;
  for (const auto& row : table.rows) name_width = std::max(name_width, indent + row.pass.size());
  std::vector<size_t> widths;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    size_t width = std::max(table.columns[c].top.size(), table.columns[c].bottom.size());
    for (const auto& row : table.rows) width = std::max(width, row.cells[c].value.size());
    widths.push_back(width + 2);  // a space between columns, the marker
  }
  auto line_of = [&](const std::string& name, auto cell_text_of) {
    std::string line = fmt::format("{:<{}}", name, name_width);
    for (size_t c = 0; c < widths.size(); ++c) line += fmt::format("{:>{}}", cell_text_of(c), widths[c]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + '\n';
  };
  out << line_of("", [&](size_t c) { return table.columns[c].top + " "; });
  out << line_of("", [&](size_t c) { return table.columns[c].bottom + " "; });
  std::string run;
  for (const auto& row : table.rows) {
    if (row.run != run) out << (run = row.run) << '\n';
    out << line_of(std::string(indent, ' ') + row.pass,
                   [&](size_t c) { return row.cells[c].value + (row.cells[c].marked ? "*" : " "); });
  }
}

}  // namespace

void render_text(std::ostream& out, const analysis::Comparison& comparison, const RenderOptions& options) {
  auto sections = build_tables(comparison);
  const auto& runs = comparison.runs;

  size_t name_width = min_name_width, cell_width = 0;
  for (const auto& r : runs) cell_width = std::max(cell_width, r.label.size());
  for (const auto& section : sections)
    for (const auto& row : section.rows) {
      name_width = std::max(name_width, row.name.size());
      for (const auto& c : row.cells) cell_width = std::max(cell_width, cell_text(c).size());
    }
  size_t marker_width = 1;
  // Two spaces between columns, one when that is what keeps the table within 100
  // columns; names are shortened next (never below min_name_width).
  size_t gap = 2;
  if (name_width + runs.size() * (cell_width + gap + marker_width) > max_width) gap = 1;
  cell_width += gap;
  size_t columns = runs.size() * (cell_width + marker_width);
  if (name_width + columns > max_width) name_width = std::max(min_name_width, max_width - std::min(max_width, columns));

  const auto test = runs.empty() ? std::string() : runs.front().test;
  out << fmt::format("memharness {}: {}\n", runs.size() > 1 ? "compare" : "report", test);
  for (size_t i = 0; i < runs.size(); ++i)
    out << fmt::format("  {}: {}, {} iteration{}{}\n", runs[i].label,
                       runs[i].kernel_release.empty() ? "unknown kernel" : runs[i].kernel_release,
                       runs[i].iterations_complete, runs[i].iterations_complete == 1 ? "" : "s",
                       i == 0 && runs.size() > 1 ? " (baseline)" : "");
  for (const auto& w : comparison.warnings) out << "warning: " << w << '\n';

  auto header = [&] {
    std::string line = fmt::format("{:<{}}", "", name_width);
    for (const auto& r : runs) line += fmt::format("{:>{}}{:<{}}", r.label, cell_width, "", marker_width);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  for (const auto& section : sections) {
    if (section.rows.empty()) continue;
    out << '\n';
    if (!section.title.empty()) out << section.title << '\n';
    header();
    for (const auto& row : section.rows) {
      std::string line = fmt::format("{:<{}}", fit(row.name, name_width), name_width);
      for (const auto& c : row.cells) {
        std::string marker = c.marked ? "*" : " ";
        if (c.marked && options.colour) marker = c.regression ? "\033[31m*\033[0m" : "\033[32m*\033[0m";
        line += fmt::format("{:>{}}", cell_text(c), cell_width) + marker;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << '\n';
    }
    // After the workload's results: why its huge pages failed.
    if (&section == &sections.front()) render_pass_table(out, build_pass_table(comparison));
  }

  out << '\n';
  if (runs.size() > 1) {
    for (const auto& line : wrap(statistics_note(comparison), max_width)) out << line << '\n';
    out << "\nVerdicts (every gating metric, and the other significant changes)\n";
    auto lines = build_verdicts(comparison);
    size_t metric_width = 0;
    for (const auto& l : lines) metric_width = std::max(metric_width, l.metric.size());
    metric_width = std::min<size_t>(metric_width, 40);
    std::string current_run;
    for (const auto& l : lines) {
      if (l.run != current_run) out << fmt::format("{} vs {}\n", current_run = l.run, runs.front().label);
      std::string word = verdict_word(l.verdict);
      size_t word_width = 16;
      if (options.colour && l.verdict == analysis::Verdict::regression) {
        word = "\033[31m" + word + "\033[0m";
        word_width += 9;
      }
      std::string head = fmt::format("  {:<{}} {:<6} {:<{}} ", fit(l.metric, metric_width), metric_width,
                                     l.gates ? "gating" : "", word, word_width);
      size_t reason_column = head.size() - (word_width - 16);  // the colour codes take no columns
      auto reason = wrap(l.reason, max_width > reason_column + 20 ? max_width - reason_column : 20);
      std::string line = head + reason.front();
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << '\n';
      for (size_t i = 1; i < reason.size(); ++i) out << std::string(reason_column, ' ') << reason[i] << '\n';
    }
    auto mechanisms = mechanism_lines(comparison);
    if (!mechanisms.empty()) out << "\nMechanism (what moved with the regression, largest change first)\n";
    for (const auto& m : mechanisms) {
      std::string text = fmt::format("{} vs {}: {}; with it: ", m.run, runs.front().label, m.regressed);
      if (m.mechanisms.empty()) text += "no other figure changed significantly";
      for (size_t i = 0; i < m.mechanisms.size(); ++i) text += (i ? ", " : "") + m.mechanisms[i];
      auto wrapped = wrap(text, max_width - 2);
      for (size_t i = 0; i < wrapped.size(); ++i) out << (i ? "    " : "  ") << wrapped[i] << '\n';
    }
    out << '\n';
  }
  for (const auto& line : wrap(summary_line(comparison), max_width)) out << line << '\n';
}

MEMHARNESS_REGISTER_FORMAT((FormatSpec{.name = "text", .render = render_text, .order = 10}));

}  // namespace memharness::report
