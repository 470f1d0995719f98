#include "workloads/highalloc/thp_faults.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "harness/common/error.h"

namespace memharness::workloads::highalloc {

namespace {

constexpr std::uint64_t kPagemapPresent = 1ULL << 63;
constexpr std::uint64_t kPagemapPfnMask = (1ULL << 55) - 1;
constexpr std::uint64_t kKpfThp = 1ULL << 22;  // include/uapi/linux/kernel-page-flags.h

std::optional<std::uint64_t> read_u64_at(const std::filesystem::path& file, std::uint64_t index) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::uint64_t value = 0;
  auto n = ::pread(fd, &value, sizeof value, static_cast<off_t>(index * sizeof value));
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof value)) return std::nullopt;
  return value;
}

}  // namespace

std::optional<bool> thp_backed(std::uintptr_t address, const std::filesystem::path& pagemap,
                               const std::filesystem::path& kpageflags) {
  auto entry = read_u64_at(pagemap, address / static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE)));
  if (!entry || !(*entry & kPagemapPresent)) return std::nullopt;
  auto pfn = *entry & kPagemapPfnMask;
  if (pfn == 0) return std::nullopt;  // PFNs hidden (no CAP_SYS_ADMIN)
  auto flags = read_u64_at(kpageflags, pfn);
  if (!flags) return std::nullopt;
  return (*flags & kKpfThp) != 0;
}

ThpFaults::Attempt ThpFaults::attempt() {
  const auto size = static_cast<std::size_t>(page_bytes_);
  auto t0 = std::chrono::steady_clock::now();
  // Twice the size, so that an aligned huge page fits inside.
  void* mapping = ::mmap(nullptr, 2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED)
    throw environment_error("highalloc: mmap of {} bytes failed: {}", 2 * size, std::strerror(errno));
  regions_.push_back(mapping);
  auto aligned = (reinterpret_cast<std::uintptr_t>(mapping) + size - 1) & ~(static_cast<std::uintptr_t>(size) - 1);
  auto* page = reinterpret_cast<char*>(aligned);
  if (::madvise(page, size, MADV_HUGEPAGE) != 0)
    throw environment_error("highalloc: madvise(MADV_HUGEPAGE) failed: {} (is THP built in?)", std::strerror(errno));
  *static_cast<volatile char*>(page) = 1;  // the fault that allocates a huge page, or falls back
  auto t1 = std::chrono::steady_clock::now();
  Attempt result;
  result.fault_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  auto huge = thp_backed(aligned, "/proc/self/pagemap", "/proc/kpageflags");
  if (!huge)
    throw environment_error(
        "highalloc: cannot tell whether a fault got a huge page (/proc/self/pagemap, /proc/kpageflags need root)");
  result.huge = *huge;
  return result;
}

void ThpFaults::release() {
  for (void* region : regions_) ::munmap(region, 2 * static_cast<std::size_t>(page_bytes_));
  regions_.clear();
}

}  // namespace memharness::workloads::highalloc
