// memharness: memory-pressure stress and regression test harness.
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "harness/cli/commands.h"
#include "harness/common/error.h"
#include "harness/git_commit.h"
#include "harness/version.h"

int main(int argc, char** argv) {
  using memharness::ExitCode;
  CLI::App app{"memharness: memory-pressure stress and regression test harness for Linux kernels"};
  app.set_version_flag("--version",
                       std::string("memharness ") + MEMHARNESS_VERSION + " (" + MEMHARNESS_GIT_COMMIT + ")");
  app.require_subcommand(1);
  int exit_code = static_cast<int>(ExitCode::success);
  memharness::cli::add_run_command(app, exit_code);
  memharness::cli::add_list_command(app, exit_code);
  memharness::cli::add_check_config_command(app, exit_code);
  memharness::cli::add_restore_command(app, exit_code);
  memharness::cli::add_compare_command(app, exit_code);
  memharness::cli::add_calibrate_command(app, exit_code);
  memharness::cli::add_nightly_command(app, exit_code);
  memharness::cli::add_report_command(app, exit_code);
  memharness::cli::add_import_trace_command(app, exit_code);
  memharness::cli::add_history_command(app, exit_code);
  memharness::cli::add_internal_dirty_anon_command(app, exit_code);    // hidden
  memharness::cli::add_internal_thp_attempts_command(app, exit_code);  // hidden

  try {
    app.parse(argc, argv);  // runs the chosen subcommand's callback
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    std::cerr << "memharness: " << e.what() << " (see memharness --help)\n";
    return static_cast<int>(ExitCode::usage);
  } catch (const memharness::Error& e) {
    std::cerr << "memharness: " << e.what() << '\n';
    return static_cast<int>(e.code());
  } catch (const std::filesystem::filesystem_error& e) {
    // A directory that cannot be made (a full disk, a read-only results tree):
    // the machine's doing, not a bug; what() names the call, the reason and the path.
    std::cerr << "memharness: " << e.what() << '\n';
    return static_cast<int>(ExitCode::run_failed);
  } catch (const std::exception& e) {
    std::cerr << "memharness: internal error: " << e.what() << '\n';
    return static_cast<int>(ExitCode::run_failed);
  }
  return exit_code;
}
