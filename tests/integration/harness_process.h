#pragma once
// Runs the memharness binary as a user would, for end-to-end integration tests.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
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
  // The result if it has exited (reaped), nullopt while it runs.
  std::optional<CommandResult> poll();
};

RunningHarness start_memharness(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                                const std::filesystem::path& log_file);
// The same with stdout on `stdout_fd` (a pipe's write end, a file) and only
// stderr in `log_file`; the caller keeps (and closes) its descriptor.
RunningHarness start_memharness(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                                const std::filesystem::path& log_file, int stdout_fd);
CommandResult run_memharness(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                             const std::filesystem::path& log_file);

// The one run directory (holding manifest.json) below a results root; throws
// when there is not exactly one.
std::filesystem::path only_run_dir(const std::filesystem::path& results);

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
