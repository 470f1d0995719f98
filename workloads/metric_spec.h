#pragma once
// What a workload declares about each metric it records (WorkloadResult::metrics):
// its unit, which way is better, whether it gates a comparison by default, and
// whether its mean over iterations is harmonic (rates, as MMTests does). The
// runner writes the declaration of every metric an iteration recorded into
// result.json (results::MetricDeclaration), so compare and report read it
// from the run directory and never from this registry.
//
// A metric can be one of a family ("threads-4-mb-per-s", "pass1-success-pct"):
// its pattern then holds placeholders in braces, each standing for one or more
// characters: "threads-{threads}-mb-per-s", "{pass}-success-pct".
#include <string>
#include <string_view>
#include <vector>

namespace memharness::workloads {

enum class Better { higher, lower };

struct MetricSpec {
  std::string pattern{};  // a metric name, or one with {placeholders}
  std::string unit{};     // as the report prints it: "%", "MB/s"; empty where the name says it ("-elapsed-s")
  Better better = Better::lower;
  bool gates = false;          // gates a comparison unless the compare config says otherwise
  bool harmonic_mean = false;  // a rate: its mean over iterations is harmonic
};

// Whether `name` is the metric `pattern` declares: literal text matches
// itself, a {placeholder} one or more characters.
bool matches_metric_pattern(std::string_view pattern, std::string_view name);

// The first declaration in `specs` whose pattern matches `name`; nullptr when
// none does.
const MetricSpec* find_metric_spec(const std::vector<MetricSpec>& specs, const std::string& name);

// `specs` with `prefix` in front of every pattern: how a mix declares the
// metrics it passes on from a component ("kernbench-{instance}-" + kernbench's).
std::vector<MetricSpec> prefixed_metric_specs(std::vector<MetricSpec> specs, const std::string& prefix);

}  // namespace memharness::workloads
