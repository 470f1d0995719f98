#include "harness/targets/scratch_disk.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/targets/host_command.h"

namespace memharness::targets {

namespace fs = std::filesystem;

void make_scratch_disk(const fs::path& image, std::int64_t bytes, const fs::path& contents) {
  // A new file: never one that exists (or a symlink someone put there). A boot
  // retried starts from a fresh image: the last one is removed (unlink removes
  // a symlink itself, never its target).
  if (::unlink(image.c_str()) != 0 && errno != ENOENT)
    throw environment_error("cannot remove the old scratch disk {}: {}", image.string(), std::strerror(errno));
  int fd = ::open(image.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw environment_error("cannot create the scratch disk {}: {}", image.string(), std::strerror(errno));
  ::close(fd);
  fs::resize_file(image, static_cast<std::uintmax_t>(bytes));
  fs::path log = image.string() + ".mkfs.log";
  auto outcome =
      system::run_process(host_command({"mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1", "-d",
                                        contents.string(), image.string()},
                                       log, std::chrono::minutes(10)));
  if (!outcome.exited_zero())
    throw environment_error("cannot make the scratch disk: {} (see {})", outcome.failure_sentence(), log.string());
  std::error_code ec;
  fs::remove(log, ec);
}

bool copy_out_of_scratch_disk(const fs::path& image, const std::string& guest_dir, const fs::path& destination) {
  fs::create_directories(destination);
  fs::path log = fs::absolute(destination) / ".debugfs.log";
  // debugfs splits its request at blanks: the host path (the results tree may
  // hold spaces) stays out of it, as the working directory. guest_dir is ours.
  if (guest_dir.find_first_of(" \t\"\\") != std::string::npos)
    throw std::logic_error("guest directory with a blank or quote: " + guest_dir);
  auto options =
      host_command({"debugfs", "-R", fmt::format("rdump {} .", guest_dir), fs::absolute(image).string()}, log);
  options.working_directory = fs::absolute(destination);
  options.deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  auto outcome = system::run_process(options);
  std::error_code ec;
  fs::remove(log, ec);
  if (!outcome.exited_zero())
    throw environment_error("cannot read the scratch disk {}: {}", image.string(), outcome.failure_sentence());
  return fs::is_directory(destination / fs::path(guest_dir).filename(), ec);
}

}  // namespace memharness::targets
