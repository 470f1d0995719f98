// The archive is read back with a minimal newc parser here (the kernel's format:
// 110-byte ASCII header, name, data, each padded to 4 bytes).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "harness/targets/cpio_archive.h"

namespace memharness::targets {
namespace {

namespace fs = std::filesystem;

struct Member {
  std::string name;
  unsigned mode;
  std::string data;
};

std::vector<Member> parse_newc(const std::string& archive) {
  std::vector<Member> members;
  std::size_t at = 0;
  auto field = [&](int index) {
    return static_cast<unsigned>(std::stoul(archive.substr(at + 6 + 8 * index, 8), nullptr, 16));
  };
  auto align = [](std::size_t n) { return (n + 3) & ~std::size_t{3}; };
  while (at + 110 <= archive.size()) {
    EXPECT_EQ(archive.substr(at, 6), "070701");
    unsigned mode = field(1), size = field(6), name_size = field(11);
    std::string name = archive.substr(at + 110, name_size - 1);
    std::size_t data_at = align(at + 110 + name_size);
    members.push_back({name, mode, archive.substr(data_at, size)});
    at = align(data_at + size);
    if (name == "TRAILER!!!") break;
  }
  EXPECT_EQ(at, archive.size());
  return members;
}

TEST(CpioArchive, MembersComeBackWithModesAndContents) {
  fs::path dir = fs::temp_directory_path() / ("memharness-cpio-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "source") << "hello, guest";
  {
    CpioWriter cpio(dir / "a.cpio");
    cpio.directory("bin");
    cpio.file("init", "#!/bin/sh\n", 0755);
    cpio.file_from("bin/x", dir / "source", 0644);
    cpio.symlink("bin/sh", "busybox");
    cpio.finish();
  }
  std::ifstream in(dir / "a.cpio", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto members = parse_newc(bytes.str());
  ASSERT_EQ(members.size(), 5u);
  EXPECT_EQ(members[0].name, "bin");
  EXPECT_EQ(members[0].mode, static_cast<unsigned>(S_IFDIR | 0755));
  EXPECT_EQ(members[1].data, "#!/bin/sh\n");
  EXPECT_EQ(members[1].mode, static_cast<unsigned>(S_IFREG | 0755));
  EXPECT_EQ(members[2].data, "hello, guest");
  EXPECT_EQ(members[3].mode & S_IFMT, static_cast<unsigned>(S_IFLNK));
  EXPECT_EQ(members[3].data, "busybox");
  EXPECT_EQ(members[4].name, "TRAILER!!!");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace memharness::targets
