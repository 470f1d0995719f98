#pragma once
// Tracepoint recorders: attach at the start of an iteration, aggregate while the
// workloads run, and at the end read the aggregates (tracepoints.json, see
// aggregates.h) and detach. RAII: destroying a recorder detaches it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harness/system/system_root.h"

namespace memharness::probes {

struct RecorderOptions {
  // The harness: every process forked below it is a workload (cgroup v1).
  std::int64_t root_tgid = 0;
  // cgroup v2: the test cgroup's id (inode number); when set, it decides instead.
  std::optional<std::uint64_t> workload_cgroup_id;
};

class TracepointRecorder {
 public:
  virtual ~TracepointRecorder() = default;
  virtual std::string_view kind() const = 0;  // "bpf"
  // Reads the aggregates, detaches, and returns the tracepoints.json document.
  // Call once.
  virtual nlohmann::json finish() = 0;
};

struct RecorderStart {
  std::unique_ptr<TracepointRecorder> recorder;  // null when none could start
  std::string reason;                            // why not, when null
};

// Starts the best recorder this build and machine support (BPF; the tracefs text
// fallback is not implemented yet). Never throws for a missing capability: the
// reason says what was missing, and the run records it.
RecorderStart start_tracepoint_recorder(const system::SystemRoot& root, const RecorderOptions& options);

// The recorders compiled into this binary, for `memharness list` and manifests.
std::string_view built_recorders();

}  // namespace memharness::probes
