#pragma once
// The guest's initramfs: busybox-static, the memharness binary, stress-ng and the
// shared libraries they need (from ldd), the kernel's module closure
// decompressed (busybox insmod reads plain .ko), and /init. Cached by the SHA-256
// of everything that goes in, so a second run with the same binaries and kernel
// reuses the archive.
#include <filesystem>
#include <string>
#include <vector>

#include "harness/targets/kernel_image.h"
#include "harness/targets/module_closure.h"

namespace memharness::targets {

struct InitramfsRequest {
  KernelImage kernel;
  std::filesystem::path memharness;             // the binary to run inside (normally /proc/self/exe)
  std::filesystem::path busybox;                // a static busybox
  std::vector<std::filesystem::path> programs;  // dynamically linked programs (stress-ng)
  std::filesystem::path cache_dir;              // <cache>/initramfs
};

struct Initramfs {
  std::filesystem::path file;  // <cache_dir>/<hash>.cpio
  std::string hash;
  bool cached = false;  // reused, not built
  ModuleClosure modules;
  double seconds = 0;  // to hash (and build, when not cached)
};

// The modules every guest needs (virtio disk) and those it uses when present.
const std::vector<std::string>& required_guest_modules();
const std::vector<std::string>& optional_guest_modules();

// The shared libraries a program loads (ldd: resolved paths, the interpreter
// included). Throws environment_error when ldd fails or a library is not found.
std::vector<std::filesystem::path> shared_libraries(const std::filesystem::path& program);

Initramfs build_initramfs(const InitramfsRequest& request);

}  // namespace memharness::targets
