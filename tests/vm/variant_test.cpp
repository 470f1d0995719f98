// A variant: the same 6.12 image booted with transparent_hugepage=never and a
// sysctl is another kernel for comparison, stored and compared under its NAME.
#include <gtest/gtest.h>

#include "harness_process.h"
#include "require.h"
#include "vm_kernels.h"

namespace memharness::testing {
namespace {

class Variant : public VmTest {};

TEST_F(Variant, SameImageWithAnotherCmdlineIsLabelledAndCompared) {
  const std::string test = "vm-stress-highalloc-quick";
  auto result = run_memharness(
      {"run", source_config(test), "--kernel", "stock=" + kernels.v6_12.string(), "--kernel",
       "nothp=" + kernels.v6_12.string() + ",cmdline=transparent_hugepage=never,sysctl=vm.compaction_proactiveness=0",
       "--results", (scratch() / "results").string()},
      env, scratch() / "log");
  // One iteration a side cannot be judged: the run ends inconclusive (exit 5),
  // and says which gating metrics were not judged, instead of "fine".
  ASSERT_EQ(result.exit_code, 5) << result.output;

  auto stock = run_directories(scratch() / "results", "stock", test);
  auto nothp = run_directories(scratch() / "results", "nothp", test);
  ASSERT_EQ(stock.size(), 1u) << result.output;
  ASSERT_EQ(nothp.size(), 1u) << result.output;
  auto stock_manifest = read_json(stock.front() / "manifest.json");
  auto variant = read_json(nothp.front() / "manifest.json");
  EXPECT_EQ(variant["status"], "complete") << variant.value("status_reason", "");
  EXPECT_EQ(variant["label"], "nothp");
  // The guest saw the variant's command line and sysctl, the stock guest did not.
  std::string cmdline = variant["machine"]["kernel"]["cmdline"];
  EXPECT_NE(cmdline.find("transparent_hugepage=never"), std::string::npos) << cmdline;
  EXPECT_NE(variant["machine"]["thp"]["enabled"].get<std::string>().find("[never]"), std::string::npos);
  EXPECT_EQ(stock_manifest["machine"]["thp"]["enabled"].get<std::string>().find("[never]"), std::string::npos);
  EXPECT_EQ(variant["vm"]["extra_cmdline"],
            (nlohmann::json{"transparent_hugepage=never", "sysctl.vm.compaction_proactiveness=0"}));
  EXPECT_NE(read_file(nothp.front() / "console.log").find("sysctl.vm.compaction_proactiveness=0"), std::string::npos);
  // Compared, stock first, under their names.
  auto header = result.output.find("stock");
  ASSERT_NE(header, std::string::npos);
  EXPECT_NE(result.output.find("nothp", header), std::string::npos) << result.output;
  // One iteration each reaches no verdict (headline_test.cpp asserts one that
  // three reach); the two variants ran one config, so one hash.
  EXPECT_EQ(result.output.find("config hash differs"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Result: inconclusive: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("1 iteration: not judged (needs 5 per"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace memharness::testing
