#include <iostream>
#include <set>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "harness/cli/commands.h"
#include "harness/cli/config_dirs.h"
#include "harness/config/nightly_suite.h"
#include "harness/config/test_plan.h"
#include "harness/runner/machine_info.h"
#include "harness/system/system_root.h"
#include "probes/registry.h"
#include "workloads/registry.h"

namespace memharness::cli {

namespace {

const char* type_name(workloads::ParamType type) {
  switch (type) {
    case workloads::ParamType::size: return "size";
    case workloads::ParamType::count: return "count";
    case workloads::ParamType::duration: return "duration";
    case workloads::ParamType::rate: return "rate";
    case workloads::ParamType::text: return "text";
    case workloads::ParamType::choice: return "choice";
    case workloads::ParamType::boolean: return "bool";
  }
  return "?";
}

void list_workloads(std::ostream& out) {
  out << "Workloads:\n";
  for (const auto* spec : workloads::WorkloadRegistry::instance().all()) {
    out << fmt::format("  {:<20} {}\n", spec->name, spec->description);
    for (const auto& p : spec->params) {
      std::string detail = p.required() ? "required" : "default " + p.default_value;
      if (p.type == workloads::ParamType::count && p.max != std::numeric_limits<std::int64_t>::max())
        detail += fmt::format(", {}..{}", p.min, p.max);
      if (p.type == workloads::ParamType::size && p.relative_allowed) detail += ", or % of the limit / x MemTotal";
      out << fmt::format("      {:<16} {:<8} {} ({})\n", p.name, type_name(p.type), p.description, detail);
      if (p.type == workloads::ParamType::choice) {
        std::string choices;
        for (const auto& c : p.choices) choices += (choices.empty() ? "" : " ") + c;
        out << fmt::format("      {:<16} {:<8} one of: {}\n", "", "", choices);
      }
    }
  }
}

void list_configs(std::ostream& out) {
  out << "\nConfigs:\n";
  auto facts = runner::read_host_facts(system::SystemRoot("/"));
  std::set<std::string> seen;
  std::vector<std::string> suites;
  for (const auto& dir : config_search_dirs()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.path().extension() == ".toml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      auto name = file.stem().string();
      if (!seen.insert(name).second) continue;  // an earlier directory wins, as in `run`
      try {
        auto plan = config::load_test_plan(file, facts);
        out << fmt::format("  {:<28} {}\n", name, plan.description);
      } catch (const std::exception& e) {
        if (auto suite = config::try_load_nightly_suite(file))  // not a test: a suite (a top-level [[test]] list)
          suites.push_back(fmt::format("  {:<28} {}\n", file.string(), suite->description));
        else
          out << fmt::format("  {:<28} (invalid: {})\n", name, e.what());
      }
    }
  }
  if (suites.empty()) return;
  out << "\nNightly suites (memharness nightly --suite FILE):\n";
  for (const auto& line : suites) out << line;
}

// The probe registry, with whether each can record on this machine.
void list_probes(std::ostream& out) {
  out << "\nProbes (recorded in every iteration):\n";
  system::SystemRoot live("/");
  for (const auto* probe : probes::ProbeRegistry::instance().all()) {
    out << fmt::format("  {:<13} {}\n", probe->name, probe->description);
    out << fmt::format("  {:<13}   records: {}\n", "", probe->records);
    if (!probe->metrics.empty()) {
      std::string metrics;
      for (const auto& m : probe->metrics) metrics += (metrics.empty() ? "" : ", ") + m;
      out << fmt::format("  {:<13}   compared: {}\n", "", metrics);
    }
    if (auto reason = probe->unavailable_reason ? probe->unavailable_reason(live) : std::string(); !reason.empty())
      out << fmt::format("  {:<13}   not on this machine: {}\n", "", reason);
    if (probe->list_details)
      for (const auto& line : probe->list_details()) out << fmt::format("                  {}\n", line);
  }
}

}  // namespace

void add_list_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("list", "List workloads (with parameters and defaults), configs and probes");
  sub->callback([&exit_code] {
    list_workloads(std::cout);
    list_configs(std::cout);
    list_probes(std::cout);
    exit_code = 0;
  });
}

}  // namespace memharness::cli
