#pragma once
// Every read and write of /proc, /sys and cgroupfs goes through a SystemRoot, so
// that the whole harness can be pointed at a fake tree (tests, fixtures captured
// from other kernels) by constructing it with a different root directory.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memharness::system {

class SystemRoot {
 public:
  // `root` is "/" on a live system, or a directory holding proc/, sys/ ...
  explicit SystemRoot(std::filesystem::path root = "/");

  const std::filesystem::path& root() const noexcept { return root_; }
  bool is_live() const noexcept { return root_ == "/"; }

  // Maps an absolute system path ("/proc/vmstat") to the path under the root.
  std::filesystem::path resolve(std::string_view absolute_path) const;

  bool exists(std::string_view absolute_path) const;
  // Whole file as text; throws memharness::Error(environment) naming the path.
  std::string read(std::string_view absolute_path) const;
  std::optional<std::string> try_read(std::string_view absolute_path) const;
  // read() with trailing whitespace removed: for single-value files.
  std::string read_value(std::string_view absolute_path) const;
  // Writes `value` with one write(2) (kernel files want a single write); throws
  // memharness::Error(environment) naming the path, the value and errno.
  void write(std::string_view absolute_path, std::string_view value) const;
  // Names of the entries of a directory (not recursive), sorted.
  std::vector<std::string> list(std::string_view absolute_path) const;

 private:
  std::filesystem::path root_;
};

}  // namespace memharness::system
