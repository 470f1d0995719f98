// Mixes build their components from the registered workloads: defaults are
// filled in, overrides win, and a mix that names something unknown is a bug.
#include <gtest/gtest.h>

#include <stdexcept>

#include "workloads/composition.h"

namespace memharness::workloads {
namespace {

using Value = ResolvedParams::Value;

TEST(Composition, FillsTheDefaultsAComponentWasNotGiven) {
  auto params =
      component_params("dd-writeback", {{"total", Value(std::int64_t{64} << 20)}, {"rounds", Value(std::int64_t{0})}});
  EXPECT_EQ(params.integer("total"), 64 << 20);
  EXPECT_EQ(params.integer("rounds"), 0);
  EXPECT_EQ(params.integer("min-threads"), 4);  // dd-writeback's defaults
  EXPECT_EQ(params.integer("max-threads"), 64);
  EXPECT_EQ(params.text("directory"), "/var/tmp");
}

TEST(Composition, ResolvesDurationsFlagsAndChoicesFromTheirDefaults) {
  auto params = component_params("anon-dirty", {{"vm-bytes", Value(std::int64_t{1} << 30)}});
  EXPECT_EQ(params.duration("duration"), std::chrono::seconds(60));
  EXPECT_TRUE(params.flag("vm-keep"));
  EXPECT_EQ(params.text("vm-method"), "lfsr32");
}

TEST(Composition, ARelativeDefaultMustBeOverridden) {
  // anon-dirty's vm-bytes defaults to "150%" of a limit only the config knows.
  EXPECT_THROW(component_params("anon-dirty", {}), std::logic_error);
}

TEST(Composition, UnknownWorkloadsAndParametersAreBugs) {
  EXPECT_THROW(registered_spec("no-such-workload"), std::logic_error);
  EXPECT_THROW(component_params("dd-writeback", {{"total", Value(std::int64_t{1})}, {"colour", Value(true)}}),
               std::logic_error);
}

TEST(Composition, TheMixOfThePostingsIsRegistered) {
  const auto& spec = registered_spec("pressure-oom");
  ASSERT_NE(spec.find_param("duration"), nullptr);
  EXPECT_EQ(spec.find_param("dd-total")->default_value, "100%");
  EXPECT_EQ(spec.find_param("anon-bytes")->default_value, "100%");
  EXPECT_TRUE(spec.check_environment);
}

}  // namespace
}  // namespace memharness::workloads
