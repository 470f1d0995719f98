#pragma once
// highalloc's "thp" method: fault anonymous MADV_HUGEPAGE regions, one huge
// page each, and check which the kernel really backed with a huge page.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace memharness::workloads::highalloc {

// Whether the page at `address` is part of a transparent huge page: its PFN
// from `pagemap` (bits 0-54, bit 63 "present"), then KPF_THP (bit 22) of that
// PFN in `kpageflags`. nullopt when the page is not present or a file cannot
// be read (pagemap shows PFNs only to CAP_SYS_ADMIN).
std::optional<bool> thp_backed(std::uintptr_t address, const std::filesystem::path& pagemap,
                               const std::filesystem::path& kpageflags);

// Regions of one huge page each, faulted one at a time and kept mapped until
// release() (so later attempts compete with earlier successes, as a growing
// hugetlb pool does).
class ThpFaults {
 public:
  explicit ThpFaults(std::int64_t huge_page_bytes) : page_bytes_(huge_page_bytes) {}
  ~ThpFaults() { release(); }
  ThpFaults(const ThpFaults&) = delete;
  ThpFaults& operator=(const ThpFaults&) = delete;

  struct Attempt {
    double fault_ms = 0;  // mmap + madvise + first touch
    bool huge = false;    // verified through pagemap + kpageflags
  };
  // Throws memharness::Error(environment) when mapping fails or the result
  // cannot be verified.
  Attempt attempt();
  void release();

 private:
  std::int64_t page_bytes_;
  std::vector<void*> regions_;  // each 2 x page_bytes_ mapped, for alignment
};

}  // namespace memharness::workloads::highalloc
