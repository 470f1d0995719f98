#pragma once
// A bootable kernel image and the modules tree that belongs to it.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace memharness::targets {

struct KernelImage {
  std::filesystem::path image;
  std::string release;                // "6.12.111+deb12-cloud-amd64", from the image's setup header
  std::filesystem::path modules_dir;  // .../lib/modules/<release>, holding modules.dep
};

// The release an x86 bzImage says it is (boot protocol >= 2.00: the setup header's
// kernel_version string). Throws usage_error naming the file when it is not a bzImage.
std::string read_bzimage_release(const std::filesystem::path& image);

// Where the modules of `release` are looked for, in order: `modules` when given
// (a modules root, its lib/modules/<release>, or that directory itself); beside an
// unpacked package (<root>/boot/vmlinuz-R -> <root>/lib/modules/R); in a build
// tree (<tree>/arch/x86/boot/bzImage -> <tree>/lib/modules/R, INSTALL_MOD_PATH=<tree>).
std::vector<std::filesystem::path> module_dir_candidates(const std::filesystem::path& image, const std::string& release,
                                                         const std::filesystem::path& modules);

// Reads the release and finds the modules (the first candidate holding
// modules.dep). Throws usage_error listing where it looked.
KernelImage locate_kernel(const std::filesystem::path& image, const std::filesystem::path& modules = {});

}  // namespace memharness::targets
