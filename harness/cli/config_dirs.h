#pragma once
#include <filesystem>
#include <vector>

namespace memharness::cli {

// Where test names are looked up, in order: $MEMHARNESS_CONFIG_DIR, ./configs,
// the source tree's configs/ (running from a build dir), the installed configs.
std::vector<std::filesystem::path> config_search_dirs();

// $MEMHARNESS_STATE_DIR, else /var/lib/memharness: where journals live.
std::filesystem::path state_dir();

}  // namespace memharness::cli
