#include "harness/targets/module_closure.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "harness/common/error.h"

namespace memharness::targets {

namespace fs = std::filesystem;

namespace {

struct DepEntry {
  fs::path relative;
  std::vector<std::string> dependencies;  // module names
};

std::map<std::string, DepEntry> read_modules_dep(const fs::path& modules_dir) {
  std::ifstream in(modules_dir / "modules.dep");
  if (!in) throw usage_error("{}: cannot read modules.dep", (modules_dir / "modules.dep").string());
  std::map<std::string, DepEntry> entries;
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    DepEntry entry{line.substr(0, colon), {}};
    std::istringstream deps(line.substr(colon + 1));
    for (std::string dep; deps >> dep;) entry.dependencies.push_back(module_name(dep));
    entries[module_name(entry.relative)] = std::move(entry);
  }
  return entries;
}

std::set<std::string> read_builtin(const fs::path& modules_dir) {
  std::set<std::string> names;
  std::ifstream in(modules_dir / "modules.builtin");
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) names.insert(module_name(line));
  return names;
}

std::string normalised(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

}  // namespace

std::string module_name(const fs::path& file) {
  std::string name = file.filename().string();
  auto ko = name.find(".ko");
  return normalised(name.substr(0, ko));
}

ModuleClosure resolve_modules(const fs::path& modules_dir, const std::vector<std::string>& required,
                              const std::vector<std::string>& optional) {
  auto entries = read_modules_dep(modules_dir);
  auto builtin = read_builtin(modules_dir);
  ModuleClosure closure;
  std::set<std::string> placed;
  // Depth-first, dependencies first: the order busybox insmod needs.
  std::function<void(const std::string&)> place = [&](const std::string& name) {
    if (placed.count(name)) return;
    placed.insert(name);
    const auto& entry = entries.at(name);
    for (const auto& dep : entry.dependencies)
      if (entries.count(dep)) place(dep);
    closure.load_order.push_back({name, entry.relative});
  };
  auto want = [&](const std::string& wanted, bool is_required) {
    std::string name = normalised(wanted);
    if (entries.count(name)) {
      place(name);
    } else if (builtin.count(name)) {
      closure.built_in.push_back(name);
    } else if (is_required) {
      throw usage_error("{}: module {} is neither in modules.dep nor built in (modules.builtin): the guest needs it",
                        modules_dir.string(), name);
    } else {
      closure.missing.push_back(name);
    }
  };
  for (const auto& name : required) want(name, true);
  for (const auto& name : optional) want(name, false);
  return closure;
}

}  // namespace memharness::targets
