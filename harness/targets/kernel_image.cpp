#include "harness/targets/kernel_image.h"

#include <array>
#include <cstdint>
#include <fstream>

#include "harness/common/error.h"
#include "harness/results/run_directory.h"

namespace memharness::targets {

namespace fs = std::filesystem;

namespace {
// Linux boot protocol (Documentation/arch/x86/boot.rst): "HdrS" at 0x202, the
// protocol version at 0x206, and at 0x20e the offset (from 0x200) of a
// NUL-terminated "RELEASE (builder) #1 SMP ..." string.
constexpr std::streamoff header_magic_offset = 0x202;
constexpr std::streamoff version_pointer_offset = 0x20e;
constexpr std::streamoff version_pointer_base = 0x200;
}  // namespace

std::string read_bzimage_release(const fs::path& image) {
  std::ifstream in(image, std::ios::binary);
  if (!in) throw usage_error("{}: cannot read the kernel image", image.string());
  std::array<char, 4> magic{};
  in.seekg(header_magic_offset);
  in.read(magic.data(), magic.size());
  if (!in || std::string(magic.data(), magic.size()) != "HdrS")
    throw usage_error("{}: not an x86 kernel image (bzImage/vmlinuz): no \"HdrS\" boot header", image.string());
  std::array<unsigned char, 2> pointer{};
  in.seekg(version_pointer_offset);
  in.read(reinterpret_cast<char*>(pointer.data()), pointer.size());
  std::uint16_t offset = static_cast<std::uint16_t>(pointer[0] | (pointer[1] << 8));
  if (!in || offset == 0) throw usage_error("{}: the boot header names no kernel version", image.string());
  in.seekg(version_pointer_base + offset);
  std::string version;
  for (char c; in.get(c) && c != '\0' && c != ' ' && version.size() < 256;) version += c;
  if (version.empty()) throw usage_error("{}: the boot header's kernel version is empty", image.string());
  // The release names directories (lib/modules/RELEASE, the results label): it
  // is data from a file, so it must be one plain path component.
  if (!results::is_valid_path_component(version))
    throw usage_error(
        "{}: the boot header's kernel version \"{}\" is not a release name (letters, digits and "
        ". _ + - only): give the run a --label",
        image.string(), version);
  return version;
}

std::vector<fs::path> module_dir_candidates(const fs::path& image, const std::string& release,
                                            const fs::path& modules) {
  if (!modules.empty()) return {modules / "lib" / "modules" / release, modules / release, modules};
  fs::path dir = fs::absolute(image).parent_path();
  if (dir.filename() != "boot") return {};
  // <tree>/arch/x86/boot/bzImage, or <root>/boot/vmlinuz-R.
  bool build_tree = dir.parent_path().parent_path().filename() == "arch";
  fs::path root = build_tree ? dir.parent_path().parent_path().parent_path() : dir.parent_path();
  return {root / "lib" / "modules" / release};
}

KernelImage locate_kernel(const fs::path& image, const fs::path& modules) {
  std::error_code ec;
  if (!fs::is_regular_file(image, ec)) throw usage_error("--kernel {}: no such kernel image file", image.string());
  KernelImage kernel{image, read_bzimage_release(image), {}};
  auto candidates = module_dir_candidates(image, kernel.release, modules);
  for (const auto& dir : candidates)
    if (fs::is_regular_file(dir / "modules.dep", ec)) {
      kernel.modules_dir = dir;
      return kernel;
    }
  std::string looked;
  for (const auto& dir : candidates) looked += (looked.empty() ? "" : ", ") + dir.string();
  throw usage_error(
      "--kernel {}: no modules for release {} with a modules.dep (looked in {}): give modules=DIR, "
      "or run `depmod -b ROOT {}` for an unpacked package",
      image.string(), kernel.release, looked.empty() ? "nowhere: the image is not in a boot/ dir" : looked,
      kernel.release);
}

}  // namespace memharness::targets
