#pragma once
// Output checked against a committed golden file. To accept a deliberate
// change, run the test with MEMHARNESS_UPDATE_GOLDEN=1 (it writes the files),
// then review their diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace memharness::testing {

inline void check_golden(const std::filesystem::path& path, const std::string& actual) {
  if (std::getenv("MEMHARNESS_UPDATE_GOLDEN")) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << actual;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " is missing (MEMHARNESS_UPDATE_GOLDEN=1 writes it)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(expected.str(), actual) << "differs from " << path;
}

}  // namespace memharness::testing
