// Golden error messages: every tests/fixtures/config-errors/<case>.toml must fail
// to load with exactly the one line in <case>.expected. The path in the expected
// messages is "config-errors/<case>.toml"; the test passes the absolute path and
// strips the fixture directory from the message.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/common/error.h"
#include "harness/config/test_plan.h"
#include "tests/unit/config/config_test_support.h"

namespace memharness::config::testing {
namespace {

const std::filesystem::path fixture_dir = MEMHARNESS_FIXTURE_DIR;
const std::filesystem::path cases_dir = fixture_dir / "config-errors";

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(cases_dir, ignored))
    if (entry.path().extension() == ".toml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class GoldenConfigError : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenConfigError, MessageMatches) {
  const std::string name = GetParam();
  const std::filesystem::path expected_file = cases_dir / (name + ".expected");
  ASSERT_TRUE(std::filesystem::exists(expected_file)) << expected_file << " is missing";
  std::string expected = read_file(expected_file);
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  ASSERT_EQ(expected.find('\n'), std::string::npos) << expected_file << " must be one line";

  std::string message;
  try {
    load_test_plan(cases_dir / (name + ".toml"), test_host());
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::usage);
    message = error.what();
  }
  ASSERT_FALSE(message.empty()) << name << ".toml loaded without error";
  const std::string prefix = fixture_dir.string() + "/";
  if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
  EXPECT_EQ(message, expected);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GoldenConfigError, ::testing::ValuesIn(case_names()), test_name);

TEST(GoldenConfigErrors, EveryExpectedFileHasACase) {
  std::vector<std::string> names = case_names();
  EXPECT_GE(names.size(), 20u) << "fixtures not found in " << cases_dir;
  for (const auto& entry : std::filesystem::directory_iterator(cases_dir)) {
    if (entry.path().extension() != ".expected") continue;
    EXPECT_TRUE(std::binary_search(names.begin(), names.end(), entry.path().stem().string()))
        << entry.path() << " has no .toml";
  }
}

}  // namespace
}  // namespace memharness::config::testing
