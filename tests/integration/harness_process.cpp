#include "harness_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace memharness::testing {

std::filesystem::path memharness_binary() { return MEMHARNESS_BINARY; }

RunningHarness start_memharness(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                                const std::filesystem::path& log_file) {
  return start_memharness(args, env, log_file, -1);
}

RunningHarness start_memharness(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                                const std::filesystem::path& log_file, int stdout_fd) {
  std::vector<std::string> argv_storage = {memharness_binary().string()};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(stdout_fd >= 0 ? stdout_fd : fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return {pid, log_file};
}

namespace {
CommandResult ended(int status, const std::filesystem::path& log_file) {
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.output = read_file(log_file);
  return result;
}
}  // namespace

CommandResult RunningHarness::wait() {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return ended(status, log_file);
}

std::optional<CommandResult> RunningHarness::poll() {
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) != pid) return std::nullopt;
  return ended(status, log_file);
}

CommandResult run_memharness(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                             const std::filesystem::path& log_file) {
  return start_memharness(args, env, log_file).wait();
}

std::filesystem::path only_run_dir(const std::filesystem::path& results) {
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(results))
    if (entry.path().filename() == "manifest.json") found.push_back(entry.path().parent_path());
  if (found.size() != 1) throw std::runtime_error("expected exactly one run directory under " + results.string());
  return found.front();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

TempDir::TempDir(const std::string& name) {
  path_ = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace memharness::testing
