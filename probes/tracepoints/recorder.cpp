#include "probes/tracepoints/recorder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "harness/common/error.h"
#include "memharness_features.h"
#include "probes/tracepoints/catalog.h"
#include "probes/tracepoints/tracefs.h"
#include "probes/tracepoints/tracefs_recorder.h"
#if MEMHARNESS_HAVE_BPF
#include "probes/tracepoints/bpf_recorder.h"
#endif

namespace memharness::probes {

std::string_view built_recorders() { return MEMHARNESS_HAVE_BPF ? "bpf, tracefs" : "tracefs (built without BPF)"; }

std::optional<RecorderKind> parse_recorder_kind(std::string_view name) {
  if (name == "bpf") return RecorderKind::bpf;
  if (name == "tracefs") return RecorderKind::tracefs;
  if (name == "auto") return RecorderKind::automatic;
  return std::nullopt;
}

std::optional<std::uint64_t> cgroup_v2_id(const system::SystemRoot& root, const std::string& absolute_path) {
  struct stat st {};
  if (::stat(root.resolve(absolute_path).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return static_cast<std::uint64_t>(st.st_ino);
}

namespace {

// Why the BPF recorder cannot run here, or "" when it may be tried.
std::string bpf_unusable(const system::SystemRoot& root) {
  if (!MEMHARNESS_HAVE_BPF)
    return "this memharness was built without BPF (-Dbpf=disabled, or clang/bpftool/libbpf/BTF missing)";
  if (::geteuid() != 0) return "BPF needs root";
  if (!root.exists("/sys/kernel/btf/vmlinux"))
    return "the kernel has no BTF (/sys/kernel/btf/vmlinux): CO-RE programs cannot be loaded";
  return "";
}

}  // namespace

RecorderStart start_tracepoint_recorder(const system::SystemRoot& root, const RecorderOptions& options) {
  RecorderStart start;
  RecorderKind kind = options.kind;
  if (const char* forced = std::getenv("MEMHARNESS_TRACEPOINT_RECORDER")) {
    auto parsed = parse_recorder_kind(forced);
    if (!parsed) {
      start.reason = std::string("MEMHARNESS_TRACEPOINT_RECORDER=") + forced + ": expected bpf, tracefs or auto";
      return start;
    }
    kind = *parsed;
  }
  if (!root.is_live()) {
    start.reason = "not a live system (fake root " + root.root().string() + ")";
    return start;
  }
  if (!tracefs_mounted(root)) {
    start.reason = "tracefs is not mounted at /sys/kernel/tracing";
    return start;
  }
  auto available = tracepoint_availability(root);
  std::string why_not_bpf = kind == RecorderKind::tracefs ? "the tracefs recorder was asked for" : bpf_unusable(root);
#if MEMHARNESS_HAVE_BPF
  if (why_not_bpf.empty()) {
    try {
      start.recorder = start_bpf_recorder(options, available);
      return start;
    } catch (const Error& e) {
      why_not_bpf = e.what();
    }
  }
#endif
  if (kind == RecorderKind::bpf) {
    start.reason = why_not_bpf;
    return start;
  }
  try {
    start.recorder = start_tracefs_recorder(root, options, available);
    start.reason = "BPF not used: " + why_not_bpf;
  } catch (const Error& e) {
    start.reason = "BPF not used: " + why_not_bpf + "; the tracefs fallback failed too: " + e.what();
  }
  return start;
}

}  // namespace memharness::probes
