// memharness import-trace FILE: the tracepoint aggregates and report of an
// existing ftrace text capture (probes/tracepoints/trace_import.h).
#include <iostream>

#include <CLI/CLI.hpp>

#include "harness/cli/commands.h"
#include "harness/common/atomic_file.h"
#include "harness/common/error.h"
#include "probes/tracepoints/trace_import.h"

namespace memharness::cli {

void add_import_trace_command(CLI::App& app, int& exit_code) {
  auto* sub =
      app.add_subcommand("import-trace",
                         "Compute the tracepoint aggregates and report of an ftrace text capture (trace_pipe output "
                         "or trace-cmd report)");
  struct Options {
    std::string file;
    std::string format = "auto";
    std::int64_t root_pid = 0;
    std::string events;
    std::string output;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  sub->add_option("FILE", options->file, "the capture ('-': standard input)")->required();
  sub->add_option("--format", options->format, "auto, trace_pipe or trace-cmd")
      ->check(CLI::IsMember({"auto", "trace_pipe", "trace-cmd"}));
  sub->add_option("--root-pid", options->root_pid,
                  "the process whose descendants were the workloads (for the workload scope)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--events", options->events,
                  "a directory with events/<subsystem>/<event>/format of the traced kernel (which events it had)");
  sub->add_option("--output", options->output, "also write the aggregates here (tracepoints.json format)");
  sub->add_flag("--json", options->json, "print the aggregates as JSON instead of the report");
  sub->callback([options, &exit_code] {
    probes::TraceImportOptions import;
    import.format = options->format == "trace-cmd"    ? probes::TraceFormat::trace_cmd
                    : options->format == "trace_pipe" ? probes::TraceFormat::trace_pipe
                                                      : probes::TraceFormat::automatic;
    if (options->root_pid > 0) import.root_pid = options->root_pid;
    if (!options->events.empty()) import.events_root = options->events;
    auto doc = probes::import_trace_file(options->file, import);
    if (!options->output.empty()) write_json_atomically(options->output, doc);
    if (options->json)
      std::cout << doc.dump(2) << '\n';
    else
      std::cout << probes::import_report_text(doc, options->file == "-" ? "<stdin>" : options->file);
    exit_code = 0;
  });
}

}  // namespace memharness::cli
