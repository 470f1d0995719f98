#include "harness/runner/self_protection.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace memharness::runner {

nlohmann::json protect_harness_from_pressure() {
  nlohmann::json applied = nlohmann::json::object();
  int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  bool oom_ok = fd >= 0 && ::write(fd, "-1000", 5) == 5;
  applied["oom_score_adj"] = oom_ok ? nlohmann::json(-1000) : nlohmann::json(std::strerror(errno));
  if (fd >= 0) ::close(fd);
  // MCL_ONFAULT: lock pages as they are touched, so thread stacks and the heap's
  // reserve do not all become resident at once.
  bool locked = ::mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0;
  applied["mlockall"] = locked ? nlohmann::json(true) : nlohmann::json(std::strerror(errno));
  return applied;
}

}  // namespace memharness::runner
