#include "harness/targets/cpio_archive.h"

#include <sys/stat.h>

#include <array>

#include <fmt/core.h>

#include "harness/common/error.h"

namespace memharness::targets {

CpioWriter::CpioWriter(const std::filesystem::path& file)
    : out_(file, std::ios::binary | std::ios::trunc), file_(file) {
  if (!out_) throw environment_error("{}: cannot be written", file.string());
}

void CpioWriter::header(std::string_view path, std::uint32_t mode, std::uint64_t size) {
  if (size > 0xffffffffULL) throw environment_error("{}: too large for a cpio archive", std::string(path));
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
  // rdevmajor, rdevminor, namesize (with the NUL), check.
  std::string head = fmt::format("070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
                                 next_inode_++, mode, 0, 0, (mode & S_IFMT) == S_IFDIR ? 2 : 1, 0,
                                 static_cast<std::uint32_t>(size), 0, 0, 0, 0, path.size() + 1, 0);
  out_.write(head.data(), static_cast<std::streamsize>(head.size()));
  out_.write(path.data(), static_cast<std::streamsize>(path.size()));
  out_.put('\0');
  written_ += head.size() + path.size() + 1;
  pad();
}

void CpioWriter::pad() {
  while (written_ % 4 != 0) {
    out_.put('\0');
    ++written_;
  }
}

void CpioWriter::directory(std::string_view path, std::uint32_t mode) { header(path, S_IFDIR | mode, 0); }

void CpioWriter::file(std::string_view path, std::string_view contents, std::uint32_t mode) {
  header(path, S_IFREG | mode, contents.size());
  out_.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  written_ += contents.size();
  pad();
}

void CpioWriter::file_from(std::string_view path, const std::filesystem::path& source, std::uint32_t mode) {
  std::ifstream in(source, std::ios::binary);
  std::error_code ec;
  auto size = std::filesystem::file_size(source, ec);
  if (!in || ec) throw environment_error("{}: cannot be read for the initramfs", source.string());
  header(path, S_IFREG | mode, size);
  std::array<char, 1 << 16> buffer{};
  std::uint64_t copied = 0;
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    out_.write(buffer.data(), in.gcount());
    copied += static_cast<std::uint64_t>(in.gcount());
  }
  if (copied != size) throw environment_error("{}: changed while it was copied into the initramfs", source.string());
  written_ += size;
  pad();
}

void CpioWriter::symlink(std::string_view path, std::string_view target) {
  header(path, S_IFLNK | 0777, target.size());
  out_.write(target.data(), static_cast<std::streamsize>(target.size()));
  written_ += target.size();
  pad();
}

void CpioWriter::finish() {
  header("TRAILER!!!", 0, 0);
  out_.flush();
  if (!out_) throw environment_error("{}: write failed (disk full?)", file_.string());
  out_.close();
}

}  // namespace memharness::targets
