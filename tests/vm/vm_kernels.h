#pragma once
// What every VM test needs: the two Debian kernels (fetched once, cached by
// ci/fetch-kernels.sh), root and the VM tools; and reading back run directories.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness_process.h"

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

// Every VM test's start: root and the VM tools, then the two kernels (a skip
// with the reason when missing, a failure under CI=true), a scratch directory
// named after the test, and a private journal directory in it for `run`.
class VmTest : public ::testing::Test {
 protected:
  void SetUp() override;
  const std::filesystem::path& scratch() const { return tmp_->path(); }

  DebianKernels kernels;
  std::map<std::string, std::string> env;  // MEMHARNESS_STATE_DIR in scratch()

 private:
  std::optional<TempDir> tmp_;
};

}  // namespace memharness::testing
