#pragma once
// Writes a "newc" cpio archive, the format the kernel unpacks an initramfs from.
// Deterministic: every mtime, uid and gid is 0 and inode numbers count up, so the
// same inputs give the same bytes.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace memharness::targets {

class CpioWriter {
 public:
  explicit CpioWriter(const std::filesystem::path& file);
  void directory(std::string_view path, std::uint32_t mode = 0755);
  void file(std::string_view path, std::string_view contents, std::uint32_t mode);
  void file_from(std::string_view path, const std::filesystem::path& source, std::uint32_t mode);
  void symlink(std::string_view path, std::string_view target);
  // Writes the trailer and flushes; throws environment_error when writing failed.
  void finish();

 private:
  void header(std::string_view path, std::uint32_t mode, std::uint64_t size);
  void pad();
  std::ofstream out_;
  std::filesystem::path file_;
  std::uint32_t next_inode_ = 1;
  std::uint64_t written_ = 0;
};

}  // namespace memharness::targets
