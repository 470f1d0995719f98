#pragma once
// Runs the memharness binary as a user would, for end-to-end integration tests.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace memharness::testing {

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string output;  // stdout and stderr together
};

// The memharness binary of this build.
std::filesystem::path memharness_binary();

// A started memharness process; its output goes to `log_file`.
struct RunningHarness {
  pid_t pid = -1;
  std::filesystem::path log_file;
  CommandResult wait();  // waits for exit and reads the log
};

RunningHarness start_memharness(const std::vector<std::string>& args,
                                const std::map<std::string, std::string>& env,
                                const std::filesystem::path& log_file);
CommandResult run_memharness(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env,
                             const std::filesystem::path& log_file);

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& text);

// A temporary directory removed at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace memharness::testing
