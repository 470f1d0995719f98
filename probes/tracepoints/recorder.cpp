#include "probes/tracepoints/recorder.h"

#include <unistd.h>

#include "harness/common/error.h"
#include "memharness_features.h"
#include "probes/tracepoints/catalog.h"
#include "probes/tracepoints/tracefs.h"
#if MEMHARNESS_HAVE_BPF
#include "probes/tracepoints/bpf_recorder.h"
#endif

namespace memharness::probes {

std::string_view built_recorders() { return MEMHARNESS_HAVE_BPF ? "bpf" : "none (built without BPF)"; }

RecorderStart start_tracepoint_recorder(const system::SystemRoot& root, const RecorderOptions& options) {
  RecorderStart start;
#if !MEMHARNESS_HAVE_BPF
  (void)root;
  (void)options;
  start.reason = "this memharness was built without BPF (-Dbpf=disabled, or clang/bpftool/libbpf/BTF missing)";
#else
  if (!root.is_live()) {
    start.reason = "not a live system (fake root " + root.root().string() + ")";
  } else if (::geteuid() != 0) {
    start.reason = "BPF needs root";
  } else if (!root.exists("/sys/kernel/btf/vmlinux")) {
    start.reason = "the kernel has no BTF (/sys/kernel/btf/vmlinux): CO-RE programs cannot be loaded";
  } else if (!tracefs_mounted(root)) {
    start.reason = "tracefs is not mounted at /sys/kernel/tracing";
  } else {
    try {
      start.recorder = start_bpf_recorder(options, tracepoint_availability(root));
    } catch (const Error& e) {
      start.reason = e.what();
    }
  }
#endif
  return start;
}

}  // namespace memharness::probes
