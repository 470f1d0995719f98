// highalloc's THP verification on fake pagemap / kpageflags files laid out as
// the kernel lays them out (Documentation/admin-guide/mm/pagemap.rst).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "workloads/highalloc/thp_faults.h"

namespace memharness::workloads::highalloc {
namespace {

class FakePageFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("memharness-thp-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // Writes one 64-bit entry at `index` of `file` (sparse before it).
  void put(const std::string& file, std::uint64_t index, std::uint64_t value) {
    std::fstream out(dir_ / file, std::ios::in | std::ios::out | std::ios::binary);
    if (!out) out.open(dir_ / file, std::ios::out | std::ios::binary);
    out.seekp(static_cast<std::streamoff>(index * 8));
    out.write(reinterpret_cast<const char*>(&value), 8);
  }
  std::filesystem::path pagemap() const { return dir_ / "pagemap"; }
  std::filesystem::path kpageflags() const { return dir_ / "kpageflags"; }
  std::filesystem::path dir_;
  const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
};

constexpr std::uint64_t kPresent = 1ULL << 63;
constexpr std::uint64_t kThp = 1ULL << 22;
constexpr std::uint64_t kCompoundHead = 1ULL << 15;

TEST_F(FakePageFiles, APresentPageInATransparentHugePageIsHuge) {
  put("pagemap", 512, kPresent | 0x1234);
  put("kpageflags", 0x1234, kThp | kCompoundHead);
  EXPECT_EQ(thp_backed(512 * page, pagemap(), kpageflags()), std::optional<bool>(true));
}

TEST_F(FakePageFiles, ASmallPageIsNotHuge) {
  put("pagemap", 512, kPresent | 0x99);
  put("kpageflags", 0x99, 1ULL << 11);  // KPF_MMAP only: a base page fallback
  EXPECT_EQ(thp_backed(512 * page, pagemap(), kpageflags()), std::optional<bool>(false));
}

TEST_F(FakePageFiles, NotPresentOrHiddenPfnsCannotBeJudged) {
  put("pagemap", 512, 0x1234);     // not present
  put("pagemap", 1024, kPresent);  // present, PFN hidden (no CAP_SYS_ADMIN)
  put("kpageflags", 0x1234, kThp);
  EXPECT_EQ(thp_backed(512 * page, pagemap(), kpageflags()), std::nullopt);
  EXPECT_EQ(thp_backed(1024 * page, pagemap(), kpageflags()), std::nullopt);
  EXPECT_EQ(thp_backed(512 * page, dir_ / "missing", kpageflags()), std::nullopt);
}

}  // namespace
}  // namespace memharness::workloads::highalloc
