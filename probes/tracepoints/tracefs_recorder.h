#pragma once
// The text fallback recorder: the same events through a private tracefs
// instance (instances/memharness-<pid>, never the global buffer), whose
// trace_pipe a thread reads and feeds to the streaming TextAggregator, so the
// aggregates and tracepoints.json are the BPF recorder's, plus "capture" (what
// the text looked like) and "lost_events" (ring-buffer overruns: the kernel
// overwrote events the reader had not consumed yet). The instance is removed
// by the recorder (RAII) and journaled when RecorderOptions::journal is set,
// so a crashed run's `memharness restore` removes it too.
#include <map>
#include <memory>
#include <string>

#include "harness/system/system_root.h"
#include "probes/tracepoints/recorder.h"

namespace memharness::probes {

// Creates the instance, enables the events `available` says exist, starts
// reading. Throws Error(environment) naming the tracefs file that failed.
std::unique_ptr<TracepointRecorder> start_tracefs_recorder(const system::SystemRoot& root,
                                                           const RecorderOptions& options,
                                                           const std::map<std::string, bool>& available);

// The per-CPU ring-buffer losses of a tracefs instance: the sum of "overrun:"
// and "dropped events:" over per_cpu/cpu*/stats.
std::uint64_t instance_lost_events(const system::SystemRoot& root, const std::string& instance);

}  // namespace memharness::probes
