#pragma once
// The subcommands of the memharness CLI. Each adds itself to the CLI11 app; its
// callback runs the command and stores the process exit code in `exit_code`.
namespace CLI {
class App;
}

namespace memharness::cli {

void add_run_command(CLI::App& app, int& exit_code);
void add_list_command(CLI::App& app, int& exit_code);
void add_check_config_command(CLI::App& app, int& exit_code);
void add_restore_command(CLI::App& app, int& exit_code);
void add_compare_command(CLI::App& app, int& exit_code);
void add_calibrate_command(CLI::App& app, int& exit_code);
void add_nightly_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_import_trace_command(CLI::App& app, int& exit_code);
void add_history_command(CLI::App& app, int& exit_code);
void add_internal_dirty_anon_command(CLI::App& app, int& exit_code);    // hidden: anon-dirty's dirtier
void add_internal_thp_attempts_command(CLI::App& app, int& exit_code);  // hidden: highalloc's THP attempts

}  // namespace memharness::cli
