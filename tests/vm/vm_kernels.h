#pragma once
// What every VM test needs: the two Debian kernels (fetched once, cached by
// ci/fetch-kernels.sh), root and the VM tools; and reading back run directories.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace memharness::testing {

struct DebianKernels {
  std::filesystem::path v6_1;   // .../boot/vmlinuz-6.1.0-50-cloud-amd64
  std::filesystem::path v6_12;  // .../boot/vmlinuz-6.12.111+deb12-cloud-amd64
  std::string problem;          // why they are not there; empty when they are
};

// Runs ci/fetch-kernels.sh (a no-op once cached).
DebianKernels fetch_debian_kernels();

// Why a VM test cannot run here (not root, a tool missing), or empty.
std::string vm_test_precondition_problem();

// The run directories below results/<label>/<test>/.
std::vector<std::filesystem::path> run_directories(const std::filesystem::path& results, const std::string& label,
                                                   const std::string& test);
nlohmann::json read_json(const std::filesystem::path& file);
std::string source_config(const std::string& name);  // <source>/configs/<name>.toml

}  // namespace memharness::testing
