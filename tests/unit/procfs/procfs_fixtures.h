#pragma once
// Access to the checked-in fixtures for the procfs tests: kernel captures under
// tests/fixtures/kernels/<version>/ and hand-made files under tests/fixtures/procfs/,
// plus throwaway fake roots for cases a checked-in file cannot show.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace memharness::system::procfs::testing {

inline std::filesystem::path fixture_dir() { return MEMHARNESS_FIXTURE_DIR; }

// Root of a captured kernel's fake tree: holds proc/vmstat, proc/meminfo ...
inline std::filesystem::path kernel_root(std::string_view version) { return fixture_dir() / "kernels" / version; }

// Text of a hand-made fixture in tests/fixtures/procfs/.
inline std::string procfs_fixture(std::string_view name) {
  std::ifstream in(fixture_dir() / "procfs" / name);
  if (!in) throw std::runtime_error("missing fixture " + std::string(name));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fake root in a fresh temporary directory, removed again by the destructor.
class TempRoot {
 public:
  TempRoot() {
    std::string pattern = (std::filesystem::temp_directory_path() / "memharness-procfs-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempRoot() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `text` to `absolute_path` ("/proc/vmstat") below the root.
  void write(std::string_view absolute_path, std::string_view text) const {
    auto file = path_ / std::filesystem::path(absolute_path).relative_path();
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace memharness::system::procfs::testing
