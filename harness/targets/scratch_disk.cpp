#include "harness/targets/scratch_disk.h"

#include <fstream>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/targets/host_command.h"

namespace memharness::targets {

namespace fs = std::filesystem;

void make_scratch_disk(const fs::path& image, std::int64_t bytes, const fs::path& contents) {
  { std::ofstream(image, std::ios::binary | std::ios::trunc); }
  fs::resize_file(image, static_cast<std::uintmax_t>(bytes));
  fs::path log = image.string() + ".mkfs.log";
  auto outcome = system::run_process(host_command(
      {"mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1", "-d", contents.string(), image.string()},
      log));
  if (!outcome.exited_zero())
    throw environment_error("cannot make the scratch disk: {} (see {})", outcome.failure_sentence(), log.string());
  std::error_code ec;
  fs::remove(log, ec);
}

bool copy_out_of_scratch_disk(const fs::path& image, const std::string& guest_dir, const fs::path& destination) {
  fs::create_directories(destination);
  fs::path log = destination / ".debugfs.log";
  auto outcome = system::run_process(
      host_command({"debugfs", "-R", fmt::format("rdump {} {}", guest_dir, destination.string()), image.string()}, log));
  std::error_code ec;
  fs::remove(log, ec);
  if (!outcome.exited_zero())
    throw environment_error("cannot read the scratch disk {}: {}", image.string(), outcome.failure_sentence());
  return fs::is_directory(destination / fs::path(guest_dir).filename(), ec);
}

}  // namespace memharness::targets
