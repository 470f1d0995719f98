#include "harness/history/history_render.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "harness/analysis/statistics.h"

namespace memharness::history {

namespace {

struct Row {
  std::string started_at, label, kernel, path;
  analysis::Summary summary;
};

std::vector<Row> rows_of(const MetricSeries& series) {
  std::vector<Row> rows;
  for (const auto& p : series.points) {
    auto summary = analysis::summarize(p.values, series.harmonic_mean);
    if (summary) rows.push_back({p.started_at, p.label, p.kernel_release, p.path, *summary});
  }
  return rows;
}

std::string fixed(double value, int decimals) { return fmt::format("{:.{}f}", value, decimals); }

// A step relative to the level before it, in percent; in the metric's unit
// when that level is 0 (a counter that was 0 and is not any more).
struct Step {
  bool relative = true;
  double size = 0, low = 0, high = 0;
};

Step step_of(const analysis::ChangePoint& c) {
  if (c.mean_before == 0)
    return {.relative = false, .size = c.mean_after, .low = c.difference_low, .high = c.difference_high};
  const double base = std::fabs(c.mean_before);
  return {.relative = true,
          .size = 100 * (c.mean_after - c.mean_before) / base,
          .low = 100 * c.difference_low / base,
          .high = 100 * c.difference_high / base};
}

std::string describe_step(const analysis::ChangePoint& c, const std::string& unit, int decimals) {
  Step s = step_of(c);
  if (s.relative) return fmt::format("step {:+.1f}% [{:+.1f}%, {:+.1f}%] p={:.3f}", s.size, s.low, s.high, c.p_value);
  return fmt::format("step {:+.{}f} {} [{:+.{}f}, {:+.{}f}] p={:.3f}", s.size, decimals, unit, s.low, decimals, s.high,
                     decimals, c.p_value);
}

// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// Left-aligned text columns, each as wide as its widest cell.
void print_columns(std::ostream& out, const std::vector<std::vector<std::string>>& table,
                   const std::vector<bool>& right_aligned) {
  std::vector<std::size_t> width(table.front().size(), 0);
  for (const auto& row : table)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  for (const auto& row : table) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c) line += "  ";
      line += right_aligned[c] ? fmt::format("{:>{}}", row[c], width[c]) : fmt::format("{:<{}}", row[c], width[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

void print_markdown(std::ostream& out, const std::vector<std::vector<std::string>>& table,
                    const std::vector<bool>& right_aligned) {
  for (std::size_t r = 0; r < table.size(); ++r) {
    out << '|';
    for (const auto& cell : table[r]) out << ' ' << markdown_cell(cell) << " |";
    out << '\n';
    if (r == 0) {
      out << '|';
      for (std::size_t c = 0; c < table[r].size(); ++c) out << (right_aligned[c] ? "---:|" : "---|");
      out << '\n';
    }
  }
}

void print_csv(std::ostream& out, const std::vector<std::vector<std::string>>& table) {
  for (const auto& row : table) {
    for (std::size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << csv_field(row[c]);
    out << '\n';
  }
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& table,
                 const std::vector<bool>& right_aligned, HistoryFormat format) {
  if (format == HistoryFormat::markdown)
    print_markdown(out, table, right_aligned);
  else if (format == HistoryFormat::csv)
    print_csv(out, table);
  else
    print_columns(out, table, right_aligned);
}

}  // namespace

std::optional<HistoryFormat> parse_history_format(const std::string& name) {
  if (name == "text") return HistoryFormat::text;
  if (name == "markdown") return HistoryFormat::markdown;
  if (name == "json") return HistoryFormat::json;
  if (name == "csv") return HistoryFormat::csv;
  return std::nullopt;
}

void render_metric_counts(std::ostream& out, const std::vector<MetricCount>& counts, HistoryFormat format) {
  if (format == HistoryFormat::json) {
    auto j = nlohmann::json::array();
    for (const auto& c : counts)
      j.push_back({{"metric", c.metric}, {"title", c.title}, {"unit", c.unit}, {"runs", c.runs}});
    out << j.dump(2) << '\n';
    return;
  }
  if (counts.empty() && format == HistoryFormat::text) {
    out << "no indexed run has a metric (memharness history --rebuild indexes the results directory)\n";
    return;
  }
  std::vector<std::vector<std::string>> table{{"metric", "unit", "runs", "title"}};
  for (const auto& c : counts) table.push_back({c.metric, c.unit, std::to_string(c.runs), c.title});
  print_table(out, table, {false, false, true, false}, format);
}

void render_series(std::ostream& out, const MetricSeries& series, HistoryFormat format,
                   const analysis::ChangePointOptions& change_options) {
  auto rows = rows_of(series);
  std::vector<double> means;
  for (const auto& r : rows) means.push_back(r.summary.mean);
  std::map<std::size_t, analysis::ChangePoint> changes;  // by the index of the first run after it
  for (const auto& c : analysis::find_change_points(means, change_options)) changes[c.index] = c;
  const std::string method = fmt::format("E-Divisive, alpha {}, {} permutations, min segment {}", change_options.alpha,
                                         change_options.permutations, change_options.min_segment);

  if (format == HistoryFormat::json) {
    auto runs = nlohmann::json::array();
    for (const auto& r : rows)
      runs.push_back({{"started_at", r.started_at},
                      {"label", r.label},
                      {"kernel_release", r.kernel},
                      {"path", r.path},
                      {"n", r.summary.n},
                      {"mean", r.summary.mean},
                      {"min", r.summary.min},
                      {"max", r.summary.max},
                      {"cov_pct", r.summary.cov_pct}});
    auto change_points = nlohmann::json::array();
    for (const auto& [index, c] : changes) {
      Step s = step_of(c);
      change_points.push_back({{"run", index},
                               {"started_at", rows[index].started_at},
                               {"label", rows[index].label},
                               {"kernel_release", rows[index].kernel},
                               {"path", rows[index].path},
                               {"mean_before", c.mean_before},
                               {"mean_after", c.mean_after},
                               {"difference_low", c.difference_low},
                               {"difference_high", c.difference_high},
                               {s.relative ? "step_pct" : "step", s.size},
                               {"p_value", c.p_value},
                               {"segment_before", {{"first_run", c.before_begin}, {"runs", index - c.before_begin}}},
                               {"segment_after", {{"first_run", index}, {"runs", c.after_end - index}}}});
    }
    nlohmann::json j{{"metric", series.metric},
                     {"title", series.title},
                     {"unit", series.unit},
                     {"test", series.test},
                     {"harmonic_mean", series.harmonic_mean},
                     {"runs", runs},
                     {"change_points", change_points},
                     {"change_point_method",
                      {{"name", "e-divisive"},
                       {"alpha", change_options.alpha},
                       {"permutations", change_options.permutations},
                       {"min_segment", change_options.min_segment},
                       {"seed", change_options.seed}}}};
    out << j.dump(2) << '\n';
    return;
  }
  if (format == HistoryFormat::text)
    out << fmt::format("{} ({}, {}) of {}: {} run(s)\n", series.metric, series.title, series.unit, series.test,
                       rows.size());
  else if (format == HistoryFormat::markdown)
    out << fmt::format("### {} ({}, {}) of {}\n\n", markdown_cell(series.metric), markdown_cell(series.title),
                       markdown_cell(series.unit), markdown_cell(series.test));
  // CSV keeps full precision for other programs; text and markdown print as compare does.
  auto number = [&](double v) {
    return format == HistoryFormat::csv ? fmt::format("{}", v) : fixed(v, series.decimals);
  };
  std::vector<std::vector<std::string>> table{
      {"started_at", "label", "kernel", "n", series.harmonic_mean ? "hmean" : "mean", "min", "max", "cov%", "change"}};
  if (format == HistoryFormat::csv) table.front().push_back("path");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    auto change = changes.find(i);
    table.push_back({r.started_at, r.label, r.kernel, std::to_string(r.summary.n), number(r.summary.mean),
                     number(r.summary.min), number(r.summary.max),
                     format == HistoryFormat::csv ? fmt::format("{}", r.summary.cov_pct) : fixed(r.summary.cov_pct, 2),
                     change == changes.end() ? "" : describe_step(change->second, series.unit, series.decimals)});
    if (format == HistoryFormat::csv) table.back().push_back(r.path);
  }
  print_table(out, table, {false, false, false, true, true, true, true, true, false, false}, format);
  if (format == HistoryFormat::text || format == HistoryFormat::markdown)
    out << fmt::format("{}{} change point(s) ({})\n", format == HistoryFormat::markdown ? "\n" : "", changes.size(),
                       method);
}

}  // namespace memharness::history
