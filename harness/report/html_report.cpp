// HTML: one self-contained page (no external resources, no script) with the
// text format's tables and verdicts, per-metric plots comparing the runs (mean
// with a standard-deviation error bar, and every iteration's value), and per
// run the time series of its iterations (free memory, scan rate, stall time,
// PSI) from iterations/N/timeseries.csv. Plots are drawn by gnuplot
// (report/gnuplot.h) as inline SVG. Every figure carries its data as a table
// or caption, so the page says what it plots even where SVG is not shown.
// The first screen holds what the test is for: the verdict line and the plots
// of the workload's own gating figures (highalloc's success per pass), above
// the run list, the verdict table and everything else.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <sstream>

#include <fmt/core.h>

#include "harness/report/format_registry.h"
#include "harness/report/gnuplot.h"
#include "harness/report/markup_escape.h"
#include "harness/report/pass_table.h"
#include "harness/report/report.h"
#include "harness/report/tables.h"
#include "harness/report/timeseries.h"

namespace memharness::report {

namespace {

namespace fs = std::filesystem;
using analysis::Comparison;
using analysis::MetricResult;

std::string esc(const std::string& s) { return markup_escape(s); }

// An id made of [a-z0-9-] only, for element ids and gnuplot names.
std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
    if (ok)
      out += l;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string num(double v) { return fmt::format("{:.6g}", v); }

constexpr const char* style = R"(body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1em}th,td{border:1px solid #ccc;padding:2px 6px}
td.v{text-align:right;font-family:monospace;white-space:pre}
.significant{font-weight:bold}.regression{color:#b00}.improvement{color:#070}
.plots{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;border:1px solid #ddd;padding:4px}
figure svg{display:block;width:520px;height:320px}figcaption{font-size:0.85em;max-width:520px}
#headline figure svg{width:400px;height:250px}#headline figcaption{max-width:400px;overflow-x:auto;font-size:0.75em}
#summary{font-size:1.2em;font-weight:bold}.warning{color:#a60})";

// A metric gets a comparison plot when it gates, is a workload result, or
// changed significantly; and some run recorded it. highalloc's per-pass
// fragmentation figures (24 of them) are in their table, plotted only when
// they changed significantly.
bool plotted(const MetricResult& m) {
  bool any = std::any_of(m.cells.begin(), m.cells.end(), [](const auto& c) { return c.summary.has_value(); });
  if (!any) return false;
  if (m.gates || (m.def.section == analysis::Section::workload && !is_pass_fragmentation_metric(m.def))) return true;
  for (size_t i = 1; i < m.cells.size(); ++i)
    if (m.significant(i)) return true;
  return false;
}

// The workload's own gating figures (highalloc's success per pass): the page
// opens with their plots. Without such figures, the workload section's gating
// ones (Elapsed).
std::vector<bool> headline_metrics(const Comparison& c) {
  std::vector<bool> headline(c.metrics.size(), false);
  for (bool own : {true, false}) {
    bool any = false;
    for (size_t i = 0; i < c.metrics.size(); ++i) {
      const auto& m = c.metrics[i];
      bool pick = plotted(m) && m.gates && m.def.section == analysis::Section::workload &&
                  (!own || m.def.id.starts_with("workload."));
      headline[i] = pick;
      any = any || pick;
    }
    if (any) break;
  }
  return headline;
}

// Bars at the shown mean with +-1 sd error bars, and each iteration as a point.
GnuplotPlot metric_plot(const Comparison& c, const MetricResult& m, const std::string& id) {
  std::ostringstream s;
  s << "$bars << EOD\n";
  for (size_t i = 0; i < m.cells.size(); ++i)
    if (m.cells[i].summary)
      s << i << ' ' << num(m.cells[i].summary->mean) << ' ' << num(m.cells[i].summary->stddev) << '\n';
  s << "EOD\n$points << EOD\n";
  for (size_t i = 0; i < m.cells.size(); ++i)
    for (double v : m.cells[i].values) s << i << ' ' << num(v) << '\n';
  s << "EOD\n";
  s << "set title "
    << gnuplot_quote(metric_label(m.def) + ", " +
                     (m.def.direction == analysis::Direction::higher_is_better ? "higher" : "lower") + " is better")
    << "\nset xtics (";
  for (size_t i = 0; i < c.runs.size(); ++i) s << (i ? ", " : "") << gnuplot_quote(c.runs[i].label) << ' ' << i;
  s << ")\nset xrange [-0.6:" << static_cast<double>(c.runs.size()) - 0.4 << "]\n"
    << "set yrange [0:*]\nset grid ytics\nset key outside bottom center horizontal\n"
    << "set boxwidth 0.5\nset style fill solid 0.35 border\n"
    << "plot $bars using 1:2:3 with boxerrorbars lc rgb \"#4a7ab5\" title "
    << gnuplot_quote(m.def.harmonic_mean ? "harmonic mean ± sd" : "mean ± sd")
    << ", $points using 1:2 with points pt 7 ps 0.6 lc rgb \"#222222\" title \"iterations\"\n";
  return {id, s.str()};
}

struct IterationSeries {
  int iteration = 0;
  SeriesPoints points;
};

struct SeriesKind {
  std::string id, title, ylabel;
  std::function<std::optional<SeriesPoints>(const TimeSeries&)> derive;
};

const std::vector<SeriesKind>& series_kinds() {
  static const std::vector<SeriesKind> kinds = {
      {"free-memory", "Free memory (MemFree)", "MiB", free_memory_mib},
      {"scan-rate", "Scan rate (pgscan)", "pages/s", scan_rate_pages_s},
      {"stall-time", "Memory stall time (PSI some, per second)", "ms/s", stall_ms_per_s},
      {"psi", "PSI memory some avg10", "%", [](const TimeSeries& ts) { return psi_avg10(ts, "some"); }},
  };
  return kinds;
}

// Iteration directories in numeric order, with their time series.
std::vector<std::pair<int, TimeSeries>> run_timeseries(const std::string& run_path) {
  std::vector<std::pair<int, TimeSeries>> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(run_path) / "iterations", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (auto ts = read_timeseries(entry.path() / "timeseries.csv")) out.emplace_back(std::stoi(name), std::move(*ts));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

GnuplotPlot series_plot(const std::string& run_label, const SeriesKind& kind, const std::vector<IterationSeries>& lines,
                        const std::string& id) {
  std::ostringstream s;
  for (const auto& l : lines) {
    s << "$it" << l.iteration << " << EOD\n";
    for (size_t i = 0; i < l.points.t.size(); ++i) s << num(l.points.t[i]) << ' ' << num(l.points.v[i]) << '\n';
    s << "EOD\n";
  }
  s << "set title " << gnuplot_quote(kind.title + ": " + run_label) << "\nset xlabel \"time (s)\"\nset ylabel "
    << gnuplot_quote(kind.ylabel) << "\nset grid\nset key outside bottom center horizontal\nset yrange [0:*]\nplot ";
  for (size_t i = 0; i < lines.size(); ++i)
    s << (i ? ", " : "") << "$it" << lines[i].iteration << " using 1:2 with linespoints pt 7 ps 0.4 title "
      << gnuplot_quote(fmt::format("iteration {}", lines[i].iteration));
  s << '\n';
  return {id, s.str()};
}

void table_cells(std::ostream& out, const TableRow& row) {
  for (const auto& c : row.cells) {
    std::string cls = "v";
    if (c.marked) cls += c.regression ? " significant regression" : " significant";
    out << "<td class=\"" << cls << "\">" << esc(c.value);
    if (!c.pct.empty()) out << esc(c.pct == "n/a" ? " (  n/a)" : " (" + c.pct + "%)");
    if (c.marked) out << '*';
    out << "</td>";
  }
}

// What a figure is, for the structure check of tests and for readers.
struct Figure {
  std::string id, kind, caption_html;
};

void write_figure(std::ostream& out, const Figure& f, const std::string& svg, const std::string& extra_attrs) {
  out << "<figure class=\"plot\" id=\"" << f.id << "\" data-kind=\"" << f.kind << "\"" << extra_attrs << ">\n"
      << svg << "\n<figcaption>" << f.caption_html << "</figcaption>\n</figure>\n";
}

}  // namespace

void render_html(std::ostream& final_out, const Comparison& comparison) {
  const auto& runs = comparison.runs;
  const bool compare = runs.size() > 1;
  const std::string test = runs.empty() ? std::string() : runs.front().test;

  // Every plot first (one gnuplot process), so a failure leaves no partial page.
  std::vector<GnuplotPlot> plots;
  std::vector<std::string> metric_captions, metric_attrs;
  std::vector<bool> metric_headline;
  const auto headline = headline_metrics(comparison);
  for (size_t index = 0; index < comparison.metrics.size(); ++index) {
    const auto& m = comparison.metrics[index];
    if (!plotted(m)) continue;
    metric_headline.push_back(headline[index]);
    plots.push_back(metric_plot(comparison, m, "metric-" + slug(m.def.id)));
    std::ostringstream cap;
    cap << esc(metric_label(m.def)) << (m.gates ? " (gating)" : "")
        << "\n<table class=\"plot-data\"><tr><th>run</th><th>n</th><th>"
        << (m.def.harmonic_mean ? "harmonic mean" : "mean") << "</th><th>sd</th><th>values</th><th>verdict</th></tr>\n";
    for (size_t i = 0; i < m.cells.size(); ++i) {
      const auto& cell = m.cells[i];
      cap << "<tr><td>" << esc(runs[i].label) << "</td>";
      if (cell.summary)
        cap << "<td class=\"v\">" << cell.summary->n << "</td><td class=\"v\">" << num(cell.summary->mean)
            << "</td><td class=\"v\">" << num(cell.summary->stddev) << "</td>";
      else
        cap << "<td class=\"v\">0</td><td class=\"v\">n/a</td><td class=\"v\">n/a</td>";
      cap << "<td class=\"v\">";
      for (size_t k = 0; k < cell.values.size(); ++k) cap << (k ? " " : "") << num(cell.values[k]);
      cap << "</td><td>" << esc(i == 0 ? std::string("baseline") : verdict_word(cell.verdict)) << "</td></tr>\n";
    }
    cap << "</table>";
    metric_captions.push_back(cap.str());
    metric_attrs.push_back(" data-metric=\"" + esc(m.def.id) + "\"");
  }
  struct SeriesFigure {
    size_t run;
    Figure figure;
    std::string attrs;
  };
  std::vector<SeriesFigure> series_figures;
  for (size_t r = 0; r < runs.size(); ++r) {
    auto iterations = run_timeseries(runs[r].path);
    for (const auto& kind : series_kinds()) {
      std::vector<IterationSeries> lines;
      for (const auto& [number, ts] : iterations)
        if (auto p = kind.derive(ts); p && !p->t.empty()) lines.push_back({number, std::move(*p)});
      if (lines.empty()) continue;
      std::string id = fmt::format("series-{}-{}", r + 1, kind.id);
      plots.push_back(series_plot(runs[r].label, kind, lines, id));
      std::ostringstream cap, attrs;
      cap << esc(kind.title) << " (" << esc(kind.ylabel) << "; from " << esc(lines.front().points.source) << "), "
          << esc(runs[r].label) << ":";
      size_t points = 0;
      for (const auto& l : lines) {
        auto [lo, hi] = std::minmax_element(l.points.v.begin(), l.points.v.end());
        cap << fmt::format("{} iteration {}: {} samples, {}..{}", points ? ";" : "", l.iteration, l.points.t.size(),
                           num(*lo), num(*hi));
        points += l.points.t.size();
      }
      cap << '.';
      attrs << " data-run=\"" << esc(runs[r].label) << "\" data-series=\"" << kind.id << "\" data-points=\"" << points
            << "\"";
      series_figures.push_back({r, {id, "timeseries", cap.str()}, attrs.str()});
    }
  }
  auto svgs = draw_with_gnuplot(plots);

  std::ostringstream out;
  std::string title = fmt::format("memharness {}: {}", compare ? "compare" : "report", test);
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << esc(title)
      << "</title>\n<style>\n"
      << style << "\n</style>\n</head>\n<body>\n<h1>" << esc(title) << "</h1>\n";
  // The verdict comes first, then the plots of what the test is for: they are
  // what the page is opened for.
  out << "<p id=\"summary\" data-outcome=\"" << (compare ? analysis::to_string(comparison.outcome) : "single-run")
      << "\">" << esc(summary_line(comparison)) << "</p>\n";
  auto write_metric_figures = [&](bool headline_only) {
    for (size_t k = 0; k < metric_captions.size(); ++k)
      if (metric_headline[k] == headline_only)
        write_figure(out, {plots[k].id, "metric", metric_captions[k]}, svgs[k], metric_attrs[k]);
  };
  if (std::find(metric_headline.begin(), metric_headline.end(), true) != metric_headline.end()) {
    out << "<section id=\"headline\">\n<div class=\"plots\">\n";
    write_metric_figures(true);
    out << "</div>\n</section>\n";
  }

  out << "<section id=\"runs\">\n<table>\n<tr><th>run</th><th>kernel</th><th>iterations</th><th>directory</th></tr>\n";
  for (size_t i = 0; i < runs.size(); ++i)
    out << "<tr><td>" << esc(runs[i].label) << (i == 0 && compare ? " (baseline)" : "") << "</td><td>"
        << esc(runs[i].kernel_release) << "</td><td class=\"v\">" << runs[i].iterations_complete << "</td><td><code>"
        << esc(runs[i].path) << "</code></td></tr>\n";
  out << "</table>\n";
  for (const auto& w : comparison.warnings) out << "<p class=\"warning\">warning: " << esc(w) << "</p>\n";
  out << "</section>\n";

  if (compare) {
    auto mechanisms = mechanism_lines(comparison);
    if (!mechanisms.empty()) {
      out << "<section id=\"mechanism\">\n<h2>Mechanism</h2>\n<ul>\n";
      for (const auto& m : mechanisms) {
        std::string with;
        for (const auto& x : m.mechanisms) with += (with.empty() ? "" : ", ") + x;
        out << "<li>" << esc(m.run) << ": <strong class=\"regression\">" << esc(m.regressed)
            << "</strong>; with it: " << esc(with.empty() ? std::string("no other figure changed significantly") : with)
            << "</li>\n";
      }
      out << "</ul>\n</section>\n";
    }
    out << "<section id=\"verdicts\">\n<h2>Verdicts</h2>\n<p>" << esc(statistics_note(comparison)) << ".</p>\n"
        << "<table>\n<tr><th>run</th><th>metric</th><th>gating</th><th>verdict</th><th>figures</th></tr>\n";
    for (const auto& l : build_verdicts(comparison)) {
      bool bad = l.verdict == analysis::Verdict::regression;
      out << "<tr" << (bad ? " class=\"regression\"" : "") << "><td>" << esc(l.run) << "</td><td>" << esc(l.metric)
          << "</td><td>" << (l.gates ? "yes" : "no") << "</td><td>" << esc(verdict_word(l.verdict)) << "</td><td>"
          << esc(l.reason) << "</td></tr>\n";
    }
    out << "</table>\n</section>\n";
  }

  out << "<section id=\"metric-plots\">\n<h2>Per-metric comparison</h2>\n<div class=\"plots\">\n";
  write_metric_figures(false);
  out << "</div>\n</section>\n";

  out << "<section id=\"timeseries-plots\">\n<h2>Time series per run</h2>\n";
  for (size_t r = 0; r < runs.size(); ++r) {
    out << "<h3>" << esc(runs[r].label) << "</h3>\n<div class=\"plots\">\n";
    size_t shown = 0;
    for (size_t k = 0; k < series_figures.size(); ++k)
      if (series_figures[k].run == r) {
        write_figure(out, series_figures[k].figure, svgs[metric_captions.size() + k], series_figures[k].attrs);
        ++shown;
      }
    if (shown == 0) out << "<p>No time series recorded (iterations/N/timeseries.csv).</p>\n";
    out << "</div>\n";
  }
  out << "</section>\n";

  out << "<section id=\"tables\">\n";
  auto table = [&](const std::string& heading, const std::vector<std::string>& headers,
                   const std::vector<TableRow>& rows) {
    out << "<h2>" << esc(heading) << "</h2>\n<table>\n<tr><th></th>";
    for (const auto& header : headers) out << "<th>" << esc(header) << "</th>";
    out << "</tr>\n";
    for (const auto& row : rows) {
      out << "<tr><th>" << esc(row.name) << "</th>";
      table_cells(out, row);
      out << "</tr>\n";
    }
    out << "</table>\n";
  };
  std::vector<std::string> run_labels;
  for (const auto& r : runs) run_labels.push_back(r.label);
  const auto sections = build_tables(comparison);
  for (const auto& section : sections) {
    if (&section == &sections.front() + 1) {
      // After the workload's results: highalloc's figures per run and pass.
      auto passes = build_pass_table(comparison);
      std::vector<std::string> headers;
      for (const auto& column : passes.columns) headers.push_back(column.top + " " + column.bottom);
      std::vector<TableRow> rows;
      for (const auto& row : passes.rows) rows.push_back({row.name(), row.cells});
      if (!rows.empty()) table(passes.title, headers, rows);
    }
    if (!section.rows.empty())
      table(section.title.empty() ? "Workload results" : section.title, run_labels, section.rows);
  }
  if (compare) out << "<p>" << esc(statistics_note(comparison)) << ".</p>\n";
  out << "</section>\n</body>\n</html>\n";
  final_out << out.str();
}

MEMHARNESS_REGISTER_FORMAT((FormatSpec{
    .name = "html",
    .render = [](std::ostream& out, const Comparison& c, const RenderOptions&) { render_html(out, c); },
    .order = 50}));

}  // namespace memharness::report
