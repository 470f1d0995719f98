#pragma once
// The harness must keep running (and restore the system) under the pressure it
// creates: it makes itself the OOM killer's last choice and locks its memory so
// it is not reclaimed and stalled. Workloads drop both (process.cpp resets their
// oom_score_adj; memory locks are not inherited across fork).
#include <nlohmann/json.hpp>

namespace memharness::runner {

// Applies what it can; returns what it did, for the manifest.
nlohmann::json protect_harness_from_pressure();

}  // namespace memharness::runner
