#pragma once
// Every metric that compare and report know, declared once: its name, unit,
// direction, where it comes from in an iteration's records (result.json and
// tracepoints.json, results/iteration_record.h and tracepoints_document.h),
// and whether it gates by default.
// A metric missing from an iteration yields no value ("n/a"), never 0.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/results/run_reader.h"

namespace memharness::analysis {

enum class Direction { lower_is_better, higher_is_better };
const char* to_string(Direction direction);

// The report sections, in the order the text format prints them.
enum class Section { workload, tracepoints, memcg, vmstat, time };
const char* to_string(Section section);

using Extractor = std::function<std::optional<double>(const results::StoredIteration& iteration)>;

// MetricDef::source of the figures read from tracepoints.json: this prefix,
// then a JSON pointer into the document ("/tracepoints_json/scopes/system/...").
inline constexpr std::string_view tracepoints_source_prefix = "/tracepoints_json";

struct MetricDef {
  std::string id;     // stable, part of the JSON/JUnit contract: "elapsed", "vmstat.pgscan_kswapd"
  std::string title;  // the row name in the tables: "Elapsed", "Direct reclaims"
  std::string unit;   // "s", "ms", "pages", "events", "ops/s", "%"
  Direction direction = Direction::lower_is_better;
  Section section = Section::vmstat;
  std::string source;  // where it is read from, for people: a JSON pointer into result.json (tracepoints.json
                       // after tracepoints_source_prefix) or a formula
  Extractor extract;
  bool gates = false;          // default; compare config may change it
  double min_effect_pct = 5;   // smaller differences never count as regressions
  bool harmonic_mean = false;  // rates (higher is better): harmonic mean, as MMTests does
  int decimals = 2;
  bool detailed = false;    // workload-style rows: min, mean, stddev, coeffvar, max
  bool show_total = false;  // the time section's seconds: the sum over iterations, as in the postings
};

// The catalog for a set of iterations: the fixed metrics plus one per
// workload metric found in any record (phases[].workloads[].metrics).
std::vector<MetricDef> build_catalog(const std::vector<const results::StoredIteration*>& iterations);

}  // namespace memharness::analysis
