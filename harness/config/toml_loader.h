#pragma once
// TOML test config -> IR (config_ir.h). Checks syntax and structure only: known
// sections and keys, tables and arrays of tables where they belong. What values
// mean is the compiler's business (plan_compiler.h). The schema is described at
// the top of toml_loader.cpp and in docs/config.md.
#include <filesystem>
#include <string_view>

#include "harness/config/config_ir.h"

namespace memharness::config {

// Reads `file` (and nothing else on the filesystem). Throws Error(usage) with
// "FILE:LINE:COL: error: ..." for syntax errors and unknown keys, and
// "FILE: error: ..." when the file cannot be read.
ir::TestConfig load_test_config(const std::filesystem::path& file);

// The same for a config already in memory; `file` is only used in messages and
// for the default test name.
ir::TestConfig parse_test_config(std::string_view toml_text, const std::filesystem::path& file);

}  // namespace memharness::config
