#pragma once
// Which module files a guest loads, in load order, from a kernel's modules.dep.
#include <filesystem>
#include <string>
#include <vector>

namespace memharness::targets {

struct ModuleFile {
  std::string name;                // "virtio_blk"
  std::filesystem::path relative;  // "kernel/drivers/block/virtio_blk.ko.xz", below the modules dir
};

struct ModuleClosure {
  std::vector<ModuleFile> load_order;  // dependencies before their users
  std::vector<std::string> built_in;   // wanted modules the kernel has built in
  std::vector<std::string> missing;    // optional modules neither built in nor in modules.dep
};

// "virtio-pci.ko.zst" -> "virtio_pci"; module names treat '-' and '_' alike.
std::string module_name(const std::filesystem::path& file);

// The closure of `required` and `optional` modules over modules.dep. A required
// module neither in modules.dep nor in modules.builtin is an error (usage_error
// naming the modules dir); a missing optional one is only listed.
ModuleClosure resolve_modules(const std::filesystem::path& modules_dir, const std::vector<std::string>& required,
                              const std::vector<std::string>& optional);

}  // namespace memharness::targets
