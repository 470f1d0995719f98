#pragma once
// The guest's scratch disk: a sparse raw image the host formats as ext4,
// populated with the job (mkfs.ext4 -d), and read back after the guest powered
// off (debugfs rdump), so the host never mounts it.
#include <cstdint>
#include <filesystem>

namespace memharness::targets {

// Creates `image` of `bytes` (sparse) as ext4 holding a copy of `contents`.
void make_scratch_disk(const std::filesystem::path& image, std::int64_t bytes, const std::filesystem::path& contents);

// Copies directory `guest_dir` (absolute, in the image) to `destination`/<name>.
// Returns false when the image holds no such directory.
bool copy_out_of_scratch_disk(const std::filesystem::path& image, const std::string& guest_dir,
                              const std::filesystem::path& destination);

}  // namespace memharness::targets
