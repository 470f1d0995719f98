#include "harness/cli/config_dirs.h"

#include <cstdlib>

#include "harness/system/journal.h"
#include "harness/version.h"

namespace memharness::cli {

std::vector<std::filesystem::path> config_search_dirs() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("MEMHARNESS_CONFIG_DIR"); env && *env) dirs.emplace_back(env);
  dirs.emplace_back("configs");
  dirs.emplace_back(std::filesystem::path(MEMHARNESS_SOURCE_DIR) / "configs");
  dirs.emplace_back(MEMHARNESS_CONFIG_DIR);
  return dirs;
}

std::filesystem::path state_dir() { return system::Journal::default_directory(); }

}  // namespace memharness::cli
