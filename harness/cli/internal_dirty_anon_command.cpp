// `memharness internal-dirty-anon`: the rate-limited anonymous dirtier that the
// anon-dirty workload spawns when it has a `rate` (see
// workloads/anon-dirty/anon_dirtier.h for why a hidden subcommand). Not for
// users: the empty group keeps it out of --help.
#include <signal.h>

#include <atomic>
#include <iostream>
#include <memory>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "harness/cli/commands.h"
#include "harness/common/atomic_file.h"
#include "harness/common/error.h"
#include "workloads/anon-dirty/anon_dirtier.h"

namespace memharness::cli {
namespace {

std::atomic<bool> g_stop_requested{false};
void request_stop(int) { g_stop_requested.store(true); }

}  // namespace

void add_internal_dirty_anon_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("internal-dirty-anon", "rate-limited anonymous dirtier (internal)");
  command->group("");
  auto options = std::make_shared<workloads::AnonDirtierOptions>();
  auto report = std::make_shared<std::string>();
  auto duration_ms = std::make_shared<std::int64_t>(0);
  command->add_option("--bytes", options->total_bytes)->required()->check(CLI::PositiveNumber);
  command->add_option("--workers", options->workers)->required()->check(CLI::Range(1, 1024));
  command->add_option("--rate", options->bytes_per_second, "bytes per second")->required()->check(CLI::PositiveNumber);
  command->add_option("--duration-ms", *duration_ms)->required()->check(CLI::PositiveNumber);
  command->add_option("--max-pages", options->max_pages)->check(CLI::NonNegativeNumber);
  command->add_option("--report", *report, "JSON file to write")->required();
  command->callback([options, report, duration_ms, &exit_code] {
    options->duration = std::chrono::milliseconds(*duration_ms);
    // SIGTERM/SIGINT end the run early but still write the report.
    struct sigaction action {};
    action.sa_handler = request_stop;
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
    auto result = workloads::run_anon_dirtier(*options, g_stop_requested);
    // Atomically: on a full disk no torn report is left in the run directory.
    write_json_atomically(*report, result);
    std::cout << fmt::format(
        "dirtied {} pages ({:.1f} MiB) in {:.2f} s: {:.1f} MiB/s (target {:.1f}), "
        "{:.2f} s behind schedule\n",
        result["pages"].get<std::int64_t>(), result["bytes"].get<double>() / 1048576.0,
        result["elapsed_s"].get<double>(), result["rate_bytes_per_s"].get<double>() / 1048576.0,
        static_cast<double>(options->bytes_per_second) / 1048576.0, result["behind_schedule_s"].get<double>());
    exit_code = result["failures"].empty() ? 0 : static_cast<int>(ExitCode::run_failed);
  });
}

}  // namespace memharness::cli
