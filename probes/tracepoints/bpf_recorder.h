#pragma once
// The libbpf recorder (probes/bpf/reclaim.bpf.c); built only with -Dbpf.
#include <map>
#include <memory>
#include <string>

#include "probes/tracepoints/recorder.h"

namespace memharness::probes {

// Loads and attaches the programs of the tracepoints `available` says exist
// (the others are not loaded, and show as not available). Throws
// Error(environment) naming the program and libbpf's complaint on failure.
std::unique_ptr<TracepointRecorder> start_bpf_recorder(const RecorderOptions& options,
                                                       const std::map<std::string, bool>& available);

}  // namespace memharness::probes
