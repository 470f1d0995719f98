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
#include "probes/tracepoints/aggregates.h"

namespace memharness::system {
class Journal;
}

namespace memharness::probes {

// Which recorder to use: the best available (BPF, else the tracefs text
// fallback), or one of them only (tests, benchmarks; also
// MEMHARNESS_TRACEPOINT_RECORDER=bpf|tracefs|auto in the environment, which
// wins over `kind`).
enum class RecorderKind { automatic, bpf, tracefs };

struct RecorderOptions {
  // The harness: every process forked below it is a workload (cgroup v1).
  std::int64_t root_tgid = 0;
  // cgroup v2: the test cgroup's id (inode number); when set, it decides instead.
  std::optional<std::uint64_t> workload_cgroup_id;
  RecorderKind kind = RecorderKind::automatic;
  // Journals what a recorder creates (the tracefs instance), so that
  // `memharness restore` removes it after a crash. Optional.
  system::Journal* journal = nullptr;
};

class TracepointRecorder {
 public:
  virtual ~TracepointRecorder() = default;
  virtual std::string_view kind() const = 0;  // "bpf" or "tracefs"
  // Reads the aggregates, detaches, and returns the tracepoints.json document.
  // Call once.
  virtual nlohmann::json finish() = 0;
  // The aggregates so far, while recording (for the time series); safe to call
  // from another thread than the one that started the recorder, before finish().
  virtual RawAggregates current() = 0;
};

struct RecorderStart {
  std::unique_ptr<TracepointRecorder> recorder;  // null when none could start
  std::string reason;                            // why not, when null; why not BPF, when the fallback runs
};

// Starts the best recorder this build and machine support: BPF, else the
// tracefs text fallback (no BPF built, no BTF, the load failed, or forced).
// Never throws for a missing capability: the reason says what was missing,
// and the run records it.
RecorderStart start_tracepoint_recorder(const system::SystemRoot& root, const RecorderOptions& options);

// The recorders compiled into this binary, for `memharness list` and manifests.
std::string_view built_recorders();

// The id bpf_get_current_cgroup_id() returns for tasks in the cgroup-v2
// directory `absolute_path` (the kernfs node id: its inode number on 64-bit
// kernels); nullopt when it cannot be read.
std::optional<std::uint64_t> cgroup_v2_id(const system::SystemRoot& root, const std::string& absolute_path);

// "bpf" / "tracefs" / "auto" -> the kind; nullopt for anything else.
std::optional<RecorderKind> parse_recorder_kind(std::string_view name);

}  // namespace memharness::probes
