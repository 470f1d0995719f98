// `memharness internal-thp-attempts`: the process highalloc's THP attempts are
// made in, inside the test cgroup (see workloads/highalloc/thp_child.h). Not
// for users: the empty group keeps it out of --help.
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "harness/cli/commands.h"
#include "workloads/highalloc/thp_child.h"

namespace memharness::cli {

void add_internal_thp_attempts_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("internal-thp-attempts", "highalloc's THP attempts (internal)");
  command->group("");
  auto page_bytes = std::make_shared<std::int64_t>(0);
  command->add_option("--page-bytes", *page_bytes, "bytes of one huge page")->required()->check(CLI::PositiveNumber);
  command->callback(
      [page_bytes, &exit_code] { exit_code = workloads::highalloc::serve_thp_attempts(*page_bytes, stdin, stdout); });
}

}  // namespace memharness::cli
