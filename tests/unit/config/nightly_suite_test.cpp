// Nightly suites: defaults, overrides, and one-line errors naming file:line:col.
#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "harness/config/nightly_suite.h"

namespace memharness::config {
namespace {

std::string error_of(const std::string& toml) {
  try {
    parse_nightly_suite(toml, "suite.toml");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return e.what();
  }
  return "(no error)";
}

TEST(NightlySuite, DefaultsAndTestsInOrder) {
  auto suite = parse_nightly_suite(
      "[[test]]\nconfig = \"kernbench\"\n[[test]]\nconfig = \"x/dd.toml\"\niterations = 5\n", "suite.toml");
  EXPECT_EQ(suite.label, "nightly");
  EXPECT_EQ(suite.baseline, "last-good");
  ASSERT_EQ(suite.tests.size(), 2u);
  EXPECT_EQ(suite.tests[0].config, "kernbench");
  EXPECT_FALSE(suite.tests[0].iterations);
  EXPECT_EQ(suite.tests[1].config, "x/dd.toml");
  EXPECT_EQ(suite.tests[1].iterations, 5);
  EXPECT_EQ(suite.tests[1].where.line, 4);
}

TEST(NightlySuite, LabelsAndDescription) {
  auto suite = parse_nightly_suite(
      "description = \"d\"\nlabel = \"nightly-6.18\"\nbaseline = \"good+1\"\n[[test]]\nconfig = \"a\"\n", "s.toml");
  EXPECT_EQ(suite.description, "d");
  EXPECT_EQ(suite.label, "nightly-6.18");
  EXPECT_EQ(suite.baseline, "good+1");
}

TEST(NightlySuite, ErrorsNameTheFileLineAndKey) {
  EXPECT_EQ(error_of("labl = \"x\"\n[[test]]\nconfig = \"a\"\n"),
            "suite.toml:1:1: error: key \"labl\": expected a known key, got an unknown key (did you mean \"label\"?)");
  EXPECT_EQ(error_of("description = \"no tests\"\n"),
            "suite.toml:1:1: error: expected at least one [[test]], got none");
  EXPECT_EQ(error_of("[[test]]\nconfig = \"a\"\niterations = 0\n"),
            "suite.toml:3:14: error: [[test]] 1: key \"iterations\": expected an integer from 1 to 10000, got 0");
  EXPECT_EQ(error_of("[[test]]\nconfig = 3\n"),
            "suite.toml:2:10: error: [[test]] 1: key \"config\": expected a test name or a path to a .toml file, "
            "got 3");
  EXPECT_EQ(error_of("[[test]]\niterations = 2\n"),
            "suite.toml:1:1: error: [[test]] 1: key \"config\": expected a test, got none");
  EXPECT_EQ(error_of("[[test]]\nconfig = \"a\"\nconfg = \"b\"\n"),
            "suite.toml:3:1: error: [[test]] 1: key \"confg\": expected a known key, got an unknown key (did you "
            "mean \"config\"?)");
  EXPECT_EQ(error_of("label = \"../x\"\n[[test]]\nconfig = \"a\"\n"),
            "suite.toml:1:9: error: key \"label\": expected a label (letters, digits, '.', '_', '+', '-'), got "
            "\"../x\"");
  EXPECT_NE(error_of("label = \"same\"\nbaseline = \"same\"\n[[test]]\nconfig = \"a\"\n")
                .find("key \"baseline\": expected a label other than the night's own (label = \"same\")"),
            std::string::npos);
  EXPECT_NE(error_of("test = \"a\"\n").find("key \"test\": expected an array of tables ([[test]]), got \"a\""),
            std::string::npos);
  EXPECT_NE(error_of("[[test]\n").find("suite.toml:1:"), std::string::npos);
}

TEST(NightlySuite, AnUnreadableFileIsNamed) {
  try {
    load_nightly_suite("/nonexistent/suite.toml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/suite.toml: error: cannot read the nightly suite: No such file or directory");
  }
}

}  // namespace
}  // namespace memharness::config
