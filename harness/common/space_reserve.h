#pragma once
// Room kept on a file system for the last write a run makes. A run directory's
// final manifest must be written even when the run filled the disk (its time
// series, snapshots and workload logs grow with every iteration): a run started
// with a reserve file of real blocks, and deletes it just before writing the
// final manifest, so that write finds the space the reserve held.
//
// The reserve lives beside the manifest under one name (kRunSpaceReserveName),
// so that `memharness restore` (system/journal.cpp) can release it too before
// it marks the manifest of a killed run.
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace memharness {

// The reserve's name in a run directory.
inline constexpr std::string_view kRunSpaceReserveName = ".space-reserve";
// Enough for a manifest written atomically twice over (the old file stays until
// the new one is renamed over it): a manifest with its resolved config and
// machine facts is ~10-20 KiB.
inline constexpr std::int64_t kRunSpaceReserveBytes = 256 * 1024;

class SpaceReserve {
 public:
  // Creates `file` (O_EXCL|O_NOFOLLOW, never an existing file or a symlink)
  // with `bytes` allocated: fallocate(2), or written zeros where the file
  // system cannot fallocate. Throws Error(run_failed) naming the file and why
  // (no space already: the run cannot keep its promise of a final manifest).
  SpaceReserve(std::filesystem::path file, std::int64_t bytes);
  SpaceReserve(const SpaceReserve&) = delete;
  SpaceReserve& operator=(const SpaceReserve&) = delete;
  ~SpaceReserve();  // releases

  // Deletes the file, giving its space back; later calls do nothing.
  void release() noexcept;

 private:
  std::filesystem::path file_;
  bool held_ = false;
};

// Deletes the reserve `file` if it is there as a regular file of this user
// (never through a symlink); what a restore does for a run that was killed
// while holding it.
void release_space_reserve(const std::filesystem::path& file) noexcept;

}  // namespace memharness
