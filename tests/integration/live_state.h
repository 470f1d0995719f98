#pragma once
// What the tests against the live kernel share: a throwaway journal directory
// (removed however the test ends, so an ASSERT cannot leave it behind), and the
// memory-controller precondition.
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "harness/common/error.h"
#include "harness/system/cgroup.h"
#include "require.h"

namespace memharness::testing {

// A fresh directory under $TMPDIR, also set as $MEMHARNESS_STATE_DIR (where
// Journal::default_directory() and the memharness binary put journals) for
// the object's lifetime.
class ScopedStateDir {
 public:
  explicit ScopedStateDir(const std::string& name) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("memharness-" + name + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    dir_ = pattern;
    ::setenv("MEMHARNESS_STATE_DIR", dir_.c_str(), 1);
  }
  ~ScopedStateDir() {
    ::unsetenv("MEMHARNESS_STATE_DIR");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScopedStateDir(const ScopedStateDir&) = delete;
  ScopedStateDir& operator=(const ScopedStateDir&) = delete;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace memharness::testing

// Sets `controller` to this machine's memory controller, or skips (fails under
// CI=true) with the reason there is none.
#define MEMHARNESS_REQUIRE_MEMORY_CONTROLLER(root, controller)           \
  do {                                                                   \
    try {                                                                \
      (controller) = ::memharness::system::find_memory_controller(root); \
    } catch (const ::memharness::Error& e) {                             \
      MEMHARNESS_SKIP_OR_FAIL(e.what());                                 \
    }                                                                    \
  } while (false)
