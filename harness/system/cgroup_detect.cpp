// Where the memory controller is mounted and which memory cgroup the harness is
// in, from /proc/self/cgroup and /proc/mounts. The memory controller is bound to
// exactly one hierarchy: a v1 hierarchy mounted with the "memory" option (hybrid
// hosts such as the development machines), or the v2 hierarchy, where it shows in
// the root's cgroup.controllers (pure v2, as in the VM guests).
#include <string>
#include <string_view>
#include <vector>

#include "harness/common/error.h"
#include "harness/system/cgroup.h"
#include "harness/system/procfs/text.h"

namespace memharness::system {

namespace {

namespace text = procfs::text;

bool contains_word(std::string_view list, char separator, std::string_view word) {
  while (!list.empty()) {
    std::size_t end = list.find(separator);
    if (list.substr(0, end) == word) return true;
    if (end == std::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return false;
}

// /proc/mounts escapes blanks and backslashes in paths as octal (\040 ...).
std::string unescape_mount_path(std::string_view escaped) {
  std::string path;
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    auto octal = [&](std::size_t at) { return at < escaped.size() && escaped[at] >= '0' && escaped[at] <= '7'; };
    if (escaped[i] == '\\' && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      path += static_cast<char>((escaped[i + 1] - '0') * 64 + (escaped[i + 2] - '0') * 8 + (escaped[i + 3] - '0'));
      i += 3;
    } else {
      path += escaped[i];
    }
  }
  return path;
}

struct Mount {
  std::string point;
  std::string type;
  std::string options;
};

std::vector<Mount> read_mounts(const SystemRoot& root) {
  std::vector<Mount> mounts;
  std::string mounts_text = root.read("/proc/mounts");
  for (const auto& line : text::lines(mounts_text)) {
    auto f = text::fields(line.content);
    if (f.size() < 4) continue;  // not a mount line; /proc/mounts has none such
    mounts.push_back({unescape_mount_path(f[1]), std::string(f[2]), std::string(f[3])});
  }
  return mounts;
}

// /proc/self/cgroup: "hierarchy-id:controller-list:path" per line. Returns the
// path of the v1 hierarchy holding "memory" and of the v2 hierarchy ("0::").
struct OwnCgroups {
  std::optional<std::string> v1_memory;
  std::optional<std::string> v2;
};

OwnCgroups read_own_cgroups(const SystemRoot& root) {
  OwnCgroups own;
  std::string self_text = root.read("/proc/self/cgroup");
  for (const auto& line : text::lines(self_text)) {
    std::string_view content = line.content;
    std::size_t first = content.find(':');
    std::size_t second = first == std::string_view::npos ? first : content.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    std::string_view id = content.substr(0, first);
    std::string_view controllers = content.substr(first + 1, second - first - 1);
    std::string path(content.substr(second + 1));
    if (id == "0" && controllers.empty())
      own.v2 = path;
    else if (contains_word(controllers, ',', "memory"))
      own.v1_memory = path;
  }
  return own;
}

std::string join_cgroup(std::string_view mount_point, std::string_view own_path) {
  std::string joined(mount_point);
  if (own_path != "/") joined += own_path;
  return joined;
}

MemoryController checked(const SystemRoot& root, MemoryController controller) {
  std::string own = controller.own_cgroup();
  if (!root.exists(own))
    throw environment_error(
        "the harness's memory cgroup {} (from /proc/self/cgroup) does not exist below the {} mount at {}: "
        "is memharness running in a container without its own cgroup namespace?",
        controller.own_path, to_string(controller.version), controller.mount_point);
  return controller;
}

}  // namespace

std::string_view to_string(CgroupVersion version) { return version == CgroupVersion::v1 ? "v1" : "v2"; }

std::string MemoryController::own_cgroup() const { return join_cgroup(mount_point, own_path); }

MemoryController find_memory_controller(const SystemRoot& root) {
  OwnCgroups own = read_own_cgroups(root);
  for (const auto& mount : read_mounts(root)) {
    if (mount.type == "cgroup" && contains_word(mount.options, ',', "memory") && own.v1_memory)
      return checked(root, {CgroupVersion::v1, mount.point, *own.v1_memory});
    if (mount.type == "cgroup2" && own.v2) {
      auto controllers = root.try_read(mount.point + "/cgroup.controllers");
      if (controllers &&
          contains_word(std::string_view(*controllers).substr(0, controllers->find('\n')), ' ', "memory"))
        return checked(root, {CgroupVersion::v2, mount.point, *own.v2});
    }
  }
  throw environment_error(
      "no cgroup memory controller is mounted (looked in /proc/mounts for cgroup2 with memory in "
      "cgroup.controllers, or cgroup with the memory option)");
}

}  // namespace memharness::system
