#include "vm_kernels.h"

#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "harness/system/process.h"
#include "harness_process.h"
#include "require.h"

namespace memharness::testing {

namespace fs = std::filesystem;

DebianKernels fetch_debian_kernels() {
  DebianKernels kernels;
  TempDir tmp("memharness-fetch-kernels");
  // argv, not a shell command line: the temporary paths are data.
  system::SpawnOptions fetch;
  fetch.argv = {"bash", MEMHARNESS_FETCH_KERNELS};
  fetch.log_file = tmp.path() / "out";
  if (!system::run_process(fetch).exited_zero()) {
    kernels.problem = "ci/fetch-kernels.sh failed (network?): " + read_file(tmp.path() / "out");
    return kernels;
  }
  std::istringstream lines(read_file(tmp.path() / "out"));
  for (std::string line; std::getline(lines, line);) {
    if (line.find("vmlinuz-6.1.0-") != std::string::npos) kernels.v6_1 = line;
    if (line.find("vmlinuz-6.12.") != std::string::npos) kernels.v6_12 = line;
  }
  if (kernels.v6_1.empty() || kernels.v6_12.empty()) kernels.problem = "ci/fetch-kernels.sh named no 6.1/6.12 image";
  return kernels;
}

std::string vm_test_precondition_problem() {
  if (::geteuid() != 0)
    return "needs root (KVM probe, hugetlb and swap inside the guest are fine, but the caches are root's)";
  for (const char* program : {"qemu-system-x86_64", "mkfs.ext4", "debugfs", "stress-ng", "objcopy", "apt-get"})
    if (!on_path(program)) return std::string("needs `") + program + "` on PATH (ci/setup.sh)";
  if (!fs::exists("/bin/busybox")) return "needs a static /bin/busybox (busybox-static)";
  return "";
}

std::vector<fs::path> run_directories(const fs::path& results, const std::string& label, const std::string& test) {
  std::vector<fs::path> runs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(results / label / test, ec))
    if (fs::exists(entry.path() / "manifest.json")) runs.push_back(entry.path());
  std::sort(runs.begin(), runs.end());
  return runs;
}

nlohmann::json read_json(const fs::path& file) { return nlohmann::json::parse(read_file(file)); }

void VmTest::SetUp() {
  auto problem = vm_test_precondition_problem();
  MEMHARNESS_REQUIRE(problem.empty(), problem);
  kernels = fetch_debian_kernels();
  MEMHARNESS_REQUIRE(kernels.problem.empty(), kernels.problem);
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(name.begin(), name.end(), '/', '-');  // parameterised: "Test/Param"
  tmp_.emplace("memharness-vm-" + name);
  env = {{"MEMHARNESS_STATE_DIR", (scratch() / "state").string()}};
}

std::string source_config(const std::string& name) {
  return std::string(MEMHARNESS_SOURCE_DIR) + "/configs/" + name + ".toml";
}

}  // namespace memharness::testing
