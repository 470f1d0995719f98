#pragma once
// How compare read a workload metric before workloads declared their metrics:
// unit, direction, gating default and mean guessed from the metric's name. Run
// directories of an older harness carry no "metric_declarations", and they
// must compare exactly as they always did; this is the one place those rules
// live. The declarations in workloads/ agree with them for every metric the
// workloads record (tests/unit/workloads/metric_declarations_test.cpp).
#include <string>

#include "harness/results/iteration_record.h"

namespace memharness::analysis {

results::MetricDeclaration declaration_from_name(const std::string& name);

}  // namespace memharness::analysis
