#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "workloads/registry.h"
#include "workloads/stress-ng/stress_ng.h"

namespace memharness::workloads {
namespace {

const std::filesystem::path kFixtures = MEMHARNESS_FIXTURE_DIR;

TEST(StressNgYaml, ParsesMetricsOfARealRun) {
  auto metrics = stress_ng::read_yaml_metrics(kFixtures / "stress-ng" / "vm-0.15.06.yaml");
  ASSERT_TRUE(metrics.contains("vm"));
  EXPECT_DOUBLE_EQ(metrics["vm"]["bogo-ops"].get<double>(), 200);
  EXPECT_DOUBLE_EQ(metrics["vm"]["bogo-ops-per-second-real-time"].get<double>(), 4663.654154);
  EXPECT_DOUBLE_EQ(metrics["vm"]["max-rss"].get<double>(), 34684);
  EXPECT_EQ(metrics.size(), 1u);
}

TEST(StressNgYaml, MissingMetricsIsAnErrorNamingTheFile) {
  try {
    stress_ng::parse_yaml_metrics("---\nsystem-info:\n  cpus: 2\n", "x.yaml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::run_failed);
    EXPECT_STREQ(e.what(), "x.yaml: no \"metrics:\" list (was stress-ng run with --metrics --yaml?)");
  }
}

TEST(StressNgYaml, InvalidYamlNamesLine) {
  try {
    stress_ng::parse_yaml_metrics("metrics:\n  - stressor: [unclosed\n", "bad.yaml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("bad.yaml:", 0), 0u) << e.what();
  }
}

TEST(StressNgExitStatus, MeaningsFollowTheManual) {
  EXPECT_EQ(stress_ng::exit_status_meaning(0), "success");
  EXPECT_NE(stress_ng::exit_status_meaning(3).find("lack of resources"), std::string::npos);
  EXPECT_NE(stress_ng::exit_status_meaning(7).find("untrustworthy"), std::string::npos);
  EXPECT_NE(stress_ng::exit_status_meaning(42).find("unknown"), std::string::npos);
  EXPECT_TRUE(stress_ng::metrics_trustworthy(0));
  EXPECT_FALSE(stress_ng::metrics_trustworthy(7));
}

TEST(AnonDirtySpec, IsRegisteredWithTypedParameters) {
  const auto* spec = WorkloadRegistry::instance().find("anon-dirty");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->required_programs, std::vector<std::string>{"stress-ng"});
  const auto* bytes = spec->find_param("vm-bytes");
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(bytes->type, ParamType::size);
  EXPECT_EQ(bytes->default_value, "150%");
  const auto* method = spec->find_param("vm-method");
  ASSERT_NE(method, nullptr);
  EXPECT_EQ(method->type, ParamType::choice);
  EXPECT_NE(std::find(method->choices.begin(), method->choices.end(), method->default_value), method->choices.end());
  EXPECT_EQ(spec->find_param("no-such-key"), nullptr);
}

}  // namespace
}  // namespace memharness::workloads
