#pragma once
// The one registry of output formats of `memharness compare`, `report` and
// `run`'s closing comparison. A format registers itself from its own .cpp, as
// workloads and probes do:
//
//   MEMHARNESS_REGISTER_FORMAT(markdown_format());
//
// `--format NAME` looks its name (or an alias) up here, and render() calls its
// renderer. How to add one: docs/how-to-add-an-output-format.md.
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/analysis/comparison.h"
#include "harness/report/report.h"

namespace memharness::report {

using Renderer =
    std::function<void(std::ostream& out, const analysis::Comparison& comparison, const RenderOptions& options)>;

struct FormatSpec {
  std::string name{};                  // what --format takes: "markdown"
  std::vector<std::string> aliases{};  // other names --format takes: "md"
  Renderer render{};
  // Place in the list of names (--help, the usage error): the built-in
  // formats keep theirs; a new one takes a larger number.
  int order = 0;
};

class FormatRegistry {
 public:
  static FormatRegistry& instance();
  void add(FormatSpec spec);
  // By name or alias; nullptr when none.
  const FormatSpec* find(const std::string& name) const;
  // By order, then by name.
  std::vector<const FormatSpec*> all() const;

 private:
  std::vector<FormatSpec> specs_;
};

struct FormatRegistration {
  explicit FormatRegistration(FormatSpec spec) { FormatRegistry::instance().add(std::move(spec)); }
};

// "text, markdown, json, junit or html": the registered names, for --help and
// the usage error of an unknown --format.
std::string format_names();

#define MEMHARNESS_FORMAT_CONCAT_INNER(a, b) a##b
#define MEMHARNESS_FORMAT_CONCAT(a, b) MEMHARNESS_FORMAT_CONCAT_INNER(a, b)
#define MEMHARNESS_REGISTER_FORMAT(spec_expression)                                                               \
  static const ::memharness::report::FormatRegistration MEMHARNESS_FORMAT_CONCAT(memharness_format_registration_, \
                                                                                 __LINE__) {                      \
    spec_expression                                                                                               \
  }

}  // namespace memharness::report
