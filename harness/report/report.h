#pragma once
// Renders a Comparison (analysis/comparison.h) in the formats of `memharness
// compare` and `memharness report`: text (the tables of patch postings),
// markdown (the same content), JSON (schema: docs/compare.md), JUnit XML and
// HTML (the tables with gnuplot plots, one self-contained file).
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/analysis/comparison.h"

namespace memharness::report {

// A registered output format (format_registry.h), by name; the built-in ones
// have constants.
class Format {
 public:
  explicit Format(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  bool operator==(const Format&) const = default;
  static const Format text, markdown, json, junit, html;

 private:
  std::string name_;
};
// The format registered under `name` or an alias of it; nullopt when none is.
std::optional<Format> parse_format(const std::string& name);

struct RenderOptions {
  bool colour = false;  // ANSI colour on the significance markers (text only; when stdout is a terminal)
};

// Renders through the format's registered renderer.
void render(std::ostream& out, const analysis::Comparison& comparison, const Format& format,
            const RenderOptions& options = {});

void render_text(std::ostream& out, const analysis::Comparison& comparison, const RenderOptions& options);
void render_markdown(std::ostream& out, const analysis::Comparison& comparison);
void render_json(std::ostream& out, const analysis::Comparison& comparison);
void render_junit(std::ostream& out, const analysis::Comparison& comparison);
// The pieces of render_junit, for documents of several comparisons (nightly):
// one <testsuite> per comparison, testcases already rendered.
struct JunitSuite {
  std::string name;
  std::vector<std::string> cases;  // <testcase .../> elements
  int failures = 0, errors = 0, skipped = 0;
};
JunitSuite junit_suite(const analysis::Comparison& comparison);
void render_junit_document(std::ostream& out, const std::string& name, const std::vector<JunitSuite>& suites);
// Needs gnuplot (environment_error otherwise); writes nothing unless every plot was drawn.
void render_html(std::ostream& out, const analysis::Comparison& comparison);

// The exit code of a comparison's outcome: 0 no regression, 1 regression,
// 5 inconclusive (docs/runs.md "Exit codes").
int outcome_exit_code(analysis::Outcome outcome);

// The version of the JSON document render_json writes.
inline constexpr int json_schema_version = 2;

}  // namespace memharness::report
