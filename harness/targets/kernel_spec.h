#pragma once
// What `--kernel` (or a [[kernel]] table) names: the running kernel, stored
// results under a label, or a kernel image to boot in a VM, possibly as a
// variant (extra command-line arguments and sysctls make it a different kernel
// for comparison).
//
//   host                                 the kernel this machine runs
//   6.12-mglru                           results stored under that label
//   /boot/vmlinuz-6.12.1                 an image (a path: holds '/' or exists)
//   NAME=PATH[,cmdline=ARGS][,sysctl=K=V]...[,modules=DIR]
//                                        an image labelled NAME; sysctl repeats
//   NAME=host[,sysctl=K=V]...            the running kernel labelled NAME, with
//                                        these sysctls set around each of its
//                                        iterations (a host variant)
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memharness::targets {

enum class KernelKind { host, stored, image };

struct KernelSpec {
  KernelKind kind = KernelKind::host;
  std::string given;                 // as written, for messages
  std::string name;                  // stored: the label; image, host: NAME= or empty (the release)
  std::filesystem::path image;       // image only
  std::filesystem::path modules;     // image only; empty: found beside the image
  std::vector<std::string> cmdline;  // extra kernel arguments, in order
  std::vector<std::pair<std::string, std::string>> sysctls;  // image: set at boot (sysctl.K=V); host: per iteration

  // The extra arguments a VM boots with: cmdline, then sysctl.K=V per sysctl.
  std::vector<std::string> boot_arguments() const;
};

// Parses one --kernel argument. Throws usage_error("--kernel TEXT: ...") naming
// what was expected.
KernelSpec parse_kernel_spec(std::string_view text);

// Splits a kernel command line on blanks (no quoting: the kernel has its own,
// which the harness does not need).
std::vector<std::string> split_cmdline(std::string_view text);

}  // namespace memharness::targets
