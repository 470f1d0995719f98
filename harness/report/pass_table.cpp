#include "harness/report/pass_table.h"

#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include <fmt/core.h>

namespace memharness::report {

namespace {

// The passes in the order highalloc runs them.
constexpr std::array<std::string_view, 3> kPasses = {"pass1", "pass2", "at-rest"};

enum Figure { free_blocks, unusable_index, unmovable, movable, reclaimable, stall, success, fail, figure_count };

// The figure names after "{pass}-" other than the order-N ones.
constexpr std::array<std::pair<std::string_view, Figure>, 6> kNamedFigures = {{
    {"pageblocks-unmovable", unmovable},
    {"pageblocks-movable", movable},
    {"pageblocks-reclaimable", reclaimable},
    {"compact-stall", stall},
    {"compact-success", success},
    {"compact-fail", fail},
}};

struct PassFigure {
  std::string instance;
  std::size_t pass = 0;  // index into kPasses
  Figure figure = free_blocks;
  unsigned order = 0;  // for free_blocks and unusable_index
};

// "workload.highalloc.pass1-order9-free-blocks" -> {highalloc, pass1, free_blocks, 9}.
std::optional<PassFigure> parse(const analysis::MetricDef& def) {
  std::string_view id = def.id;
  constexpr std::string_view prefix = "workload.";
  if (def.section != analysis::Section::workload || !id.starts_with(prefix)) return std::nullopt;
  id.remove_prefix(prefix.size());
  auto dot = id.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  PassFigure out{.instance = std::string(id.substr(0, dot))};
  std::string_view name = id.substr(dot + 1);
  std::size_t pass = 0;
  while (pass < kPasses.size() &&
         !(name.starts_with(kPasses[pass]) && name.substr(kPasses[pass].size()).starts_with('-')))
    ++pass;
  if (pass == kPasses.size()) return std::nullopt;
  out.pass = pass;
  name.remove_prefix(kPasses[pass].size() + 1);
  for (const auto& [figure_name, figure] : kNamedFigures)
    if (name == figure_name) {
      out.figure = figure;
      return out;
    }
  // "order9-free-blocks", "order9-unusable-index"
  if (!name.starts_with("order")) return std::nullopt;
  name.remove_prefix(5);
  std::size_t digits = 0;
  while (digits < name.size() && digits < 3 && name[digits] >= '0' && name[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  out.order = static_cast<unsigned>(std::stoul(std::string(name.substr(0, digits))));
  name.remove_prefix(digits);
  if (name == "-free-blocks")
    out.figure = free_blocks;
  else if (name == "-unusable-index")
    out.figure = unusable_index;
  else
    return std::nullopt;
  return out;
}

std::string value_text(double mean, Figure figure) {
  if (figure == unusable_index) return fmt::format("{:.3f}", mean);
  // Counts: whole numbers unless the iterations' mean is not one.
  return mean == std::floor(mean) ? fmt::format("{:.0f}", mean) : fmt::format("{:.1f}", mean);
}

}  // namespace

bool is_pass_fragmentation_metric(const analysis::MetricDef& def) { return parse(def).has_value(); }

PassTable build_pass_table(const analysis::Comparison& comparison) {
  // (instance, pass) -> figure -> the metric's index in the comparison.
  std::map<std::pair<std::string, std::size_t>, std::array<std::optional<std::size_t>, figure_count>> found;
  std::set<unsigned> orders;
  std::set<std::string> instances;
  for (std::size_t i = 0; i < comparison.metrics.size(); ++i) {
    auto figure = parse(comparison.metrics[i].def);
    if (!figure) continue;
    found[{figure->instance, figure->pass}][figure->figure] = i;
    if (figure->figure == free_blocks || figure->figure == unusable_index) orders.insert(figure->order);
    instances.insert(figure->instance);
  }
  PassTable table;
  if (found.empty()) return table;
  std::string order;  // "9", or "9/13" when runs on different page sizes are compared
  for (unsigned o : orders) order += (order.empty() ? "" : "/") + std::to_string(o);
  table.title = fmt::format(
      "Fragmentation per pass (order {}: the huge page's; free blocks, unusable index and pageblocks at the "
      "pass's start, compactions during it; mean per iteration)",
      order);
  table.columns = {{"order-" + order, "free blocks"},
                   {"order-" + order, "unusable"},
                   {"unmovable", "pageblocks"},
                   {"movable", "pageblocks"},
                   {"reclaimable", "pageblocks"},
                   {"compact", "stall"},
                   {"compact", "success"},
                   {"compact", "fail"}};
  // The map's order: by instance, then passes in the order they ran.
  for (std::size_t run = 0; run < comparison.runs.size(); ++run) {
    for (const auto& [key, figures] : found) {
      PassTableRow row;
      row.run = comparison.runs[run].label;
      row.pass = (instances.size() > 1 ? key.first + " " : "") + std::string(kPasses[key.second]);
      for (int f = 0; f < figure_count; ++f) {
        TableCell cell;
        const auto& index = figures[static_cast<std::size_t>(f)];
        if (!index || !comparison.metrics[*index].cells[run].summary) {
          cell.value = "n/a";
        } else {
          const auto& metric = comparison.metrics[*index];
          cell.value = value_text(metric.cells[run].summary->mean, static_cast<Figure>(f));
          if (run > 0 && metric.significant(run)) {
            cell.marked = true;
            cell.regression = metric.cells[run].verdict == analysis::Verdict::regression;
          }
        }
        row.cells.push_back(std::move(cell));
      }
      table.rows.push_back(std::move(row));
    }
  }
  return table;
}

}  // namespace memharness::report
