#include "harness/config/test_plan.h"

#include <system_error>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/config/diagnostics.h"
#include "harness/config/plan_compiler.h"
#include "harness/config/toml_loader.h"

namespace memharness::config {

TestPlan load_test_plan(const std::filesystem::path& file, const HostFacts& host) {
  return compile_test_plan(load_test_config(file), host);
}

bool is_test_config_path(std::string_view name_or_path) {
  return name_or_path.find('/') != std::string_view::npos || name_or_path.ends_with(".toml");
}

std::filesystem::path resolve_test_config(std::string_view name_or_path,
                                          const std::vector<std::filesystem::path>& config_dirs) {
  std::error_code ignored;
  if (is_test_config_path(name_or_path)) {
    std::filesystem::path path(name_or_path);
    if (!std::filesystem::is_regular_file(path, ignored))
      throw usage_error("{}: error: no such test config file", path.string());
    return path;
  }
  if (name_or_path.empty()) throw usage_error("error: empty test config name");

  const std::string file_name = fmt::format("{}.toml", name_or_path);
  std::vector<std::string> known;  // for a suggestion
  std::string searched;
  for (const auto& dir : config_dirs) {
    std::filesystem::path candidate = dir / file_name;
    if (std::filesystem::is_regular_file(candidate, ignored)) return candidate;
    searched += fmt::format("{}{}", searched.empty() ? "" : ", ", dir.string());
    for (std::filesystem::directory_iterator it(dir, ignored), end; !ignored && it != end; it.increment(ignored)) {
      if (it->path().extension() == ".toml") known.push_back(it->path().stem().string());
    }
    ignored.clear();
  }
  std::string message = fmt::format("error: no test config named {} (looked for {} in {})", in_quotes(name_or_path),
                                    file_name, searched.empty() ? "no directories" : searched);
  if (auto suggestion = closest_match(name_or_path, known))
    message += fmt::format("; did you mean {}?", in_quotes(*suggestion));
  throw Error(ExitCode::usage, message);
}

}  // namespace memharness::config
