// pressure-oom: "memory pressure leading to OOM" from the reclaim-writeback
// postings. Side by side under the test cgroup, for `duration`: one kernel
// build per CPU (kernbench), 2 x CPUs dd writers writing in total the memory
// under test over and over (dd-writeback), and 2 x CPUs anonymous dirtiers
// mapping in total the memory under test (anon-dirty), with swap on (the
// config's [swap]). The question is whether reclaim keeps up without premature
// OOM kills: metrics are the OOM kills during the run (system-wide vmstat and
// the cgroup's own), whether every component survived, and each component's
// own figures; the iteration adds the reclaim and writeback figures.
//
// The components are the registered workloads, created through the registry
// with the parameters below, so the mix runs exactly their code.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "workloads/composition.h"
#include "workloads/registry.h"
#include "workloads/run_counters.h"

namespace memharness::workloads {
namespace {

using Value = ResolvedParams::Value;

std::int64_t cpus() { return std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)); }

// 0 in a count parameter: `per_cpu` per CPU.
std::int64_t count_or_per_cpu(const ResolvedParams& params, const std::string& key, std::int64_t per_cpu) {
  auto n = params.integer(key);
  return n > 0 ? n : per_cpu * cpus();
}

struct Component {
  std::string name;  // "kernbench-1", "dd-writeback", "anon-dirty"
  std::string type;
  ResolvedParams params;
  // Ends with the mix's duration (true) or by its own time bound (anon-dirty's
  // stress-ng --timeout, which must end on its own to write its YAML).
  bool stopped_by_mix = true;
  // Starts once the builds had their head start (the postings: "start the
  // compiles, wait until they start", then the writers and dirtiers).
  bool after_head_start = true;
};

std::vector<Component> components_of(const ResolvedParams& params) {
  std::vector<Component> out;
  // The dirtiers run for what is left of the duration after the head start.
  const auto dirtying = std::max<std::chrono::nanoseconds>(
      std::chrono::seconds(1), params.duration("duration") - params.duration("compile-head-start"));
  const auto kernbenches = count_or_per_cpu(params, "kernbench-instances", 1);
  for (std::int64_t i = 1; i <= kernbenches; ++i)
    out.push_back({fmt::format("kernbench-{}", i), "kernbench",
                   component_params("kernbench", {{"source", Value(params.text("kernbench-source"))},
                                                  {"config-target", Value(params.text("kernbench-config-target"))},
                                                  {"target", Value(params.text("kernbench-target"))},
                                                  {"jobs", Value(params.integer("kernbench-jobs"))},
                                                  {"builds", Value(std::int64_t{0})},
                                                  {"build-directory", Value(params.text("directory"))}}),
                   true, false});
  const auto writers = count_or_per_cpu(params, "dd-writers", 2);
  out.push_back({"dd-writeback", "dd-writeback",
                 component_params("dd-writeback", {{"min-threads", Value(writers)},
                                                   {"max-threads", Value(writers)},
                                                   {"total", Value(params.integer("dd-total"))},
                                                   {"directory", Value(params.text("directory"))},
                                                   {"rounds", Value(std::int64_t{0})}})});
  out.push_back({"anon-dirty", "anon-dirty",
                 component_params("anon-dirty", {{"workers", Value(count_or_per_cpu(params, "anon-workers", 2))},
                                                 {"vm-bytes", Value(params.integer("anon-bytes"))},
                                                 {"ops", Value(std::int64_t{0})},
                                                 {"duration", Value(dirtying)}}),
                 false, true});
  return out;
}

void check_components(const system::SystemRoot& system, const std::string& instance, const ResolvedParams& params) {
  if (params.duration("compile-head-start") >= params.duration("duration"))
    throw usage_error("workload \"{}\": key \"compile-head-start\": expected less than `duration`", instance);
  for (const auto& c : components_of(params)) {
    const auto& spec = registered_spec(c.type);
    if (spec.check_environment) spec.check_environment(system, instance + "-" + c.name, c.params);
  }
}

class PressureOom final : public Workload {
 public:
  explicit PressureOom(const ResolvedParams& params) : params_(params), components_(components_of(params)) {
    for (const auto& c : components_) workloads_.push_back(registered_spec(c.type).create(c.params));
  }

  // The components' set-up (the builds' trees, configs and `make prepare`),
  // concurrently, before the mix's window: on a 2-core machine under the mix's
  // pressure it would otherwise take the whole window, and the compile load
  // would never start.
  Preparation prepare(const WorkloadContext& context) override {
    if (preparation_) return *preparation_;
    Preparation mix;
    const auto started = std::chrono::steady_clock::now();
    std::vector<Preparation> preparations(components_.size());
    {
      std::vector<std::jthread> threads;
      for (std::size_t i = 0; i < components_.size(); ++i)
        threads.emplace_back([&, i] {
          try {
            preparations[i] = workloads_[i]->prepare(component_context(context, components_[i].name, context.stop));
          } catch (const std::exception& e) {
            preparations[i].succeeded = false;
            preparations[i].failure = e.what();
          }
        });
    }
    for (std::size_t i = 0; i < components_.size(); ++i) {
      const auto& p = preparations[i];
      mix.totals.accumulate(p.totals);
      for (auto step : p.steps) {
        step["step"] = components_[i].name + ": " + step["step"].get<std::string>();
        mix.steps.push_back(std::move(step));
      }
      if (!p.succeeded && mix.succeeded) {
        mix.succeeded = false;
        mix.failure = components_[i].name + ": " + p.failure;
      }
    }
    mix.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    preparation_ = mix;
    return mix;
  }

  WorkloadResult run(const WorkloadContext& context) override {
    WorkloadResult result;
    if (auto preparation = prepare(context); !preparation.succeeded) {
      result.failure = "preparation failed: " + preparation.failure;
      return result;
    }
    RunCounters counters(context.system, context.cgroup);
    std::stop_source end_of_mix;
    std::stop_callback follow(context.stop, [&] { end_of_mix.request_stop(); });
    std::vector<WorkloadResult> results(components_.size());
    const auto started = std::chrono::steady_clock::now();
    {
      std::vector<std::jthread> threads;
      for (std::size_t i = 0; i < components_.size(); ++i) {
        auto component_ctx = component_context(context, components_[i].name,
                                               components_[i].stopped_by_mix ? end_of_mix.get_token() : context.stop);
        threads.emplace_back([&, i, component_ctx] {
          if (components_[i].after_head_start) {
            auto start_at = started + params_.duration("compile-head-start");
            while (std::chrono::steady_clock::now() < start_at && !context.stop.stop_requested())
              std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (context.stop.stop_requested()) {
              results[i].failure = "interrupted before it started";
              return;
            }
          }
          try {
            results[i] = workloads_[i]->run(component_ctx);
          } catch (const std::exception& e) {
            results[i].failure = e.what();
          }
        });
      }
      auto until = started + params_.duration("duration");
      while (std::chrono::steady_clock::now() < until && !context.stop.stop_requested())
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      end_of_mix.request_stop();
    }
    auto delta = counters.delta();

    // An OOM kill in the cgroup during the run explains a component's failure
    // (a killed cc1 fails its make, a killed dd its step): that component did
    // not survive, which is this test's finding, not a broken run. A failure
    // with no OOM kill is a broken run, and so is a component that did no work
    // at all: the mix it was meant to be part of did not happen.
    const auto memcg_oom_kills = delta.count("memcg.oom_kill") ? delta.at("memcg.oom_kill") : 0;
    std::string unexplained_failure;
    std::string idle_component;
    std::int64_t survivors = 0;
    nlohmann::json component_details = nlohmann::json::object();
    for (std::size_t i = 0; i < components_.size(); ++i) {
      const auto& c = components_[i];
      const auto& r = results[i];
      result.totals.accumulate(r.totals);
      result.totals.started = result.totals.started || r.totals.started;
      survivors += r.succeeded ? 1 : 0;
      result.metrics[c.name + "-survived"] = r.succeeded ? 1 : 0;
      for (const auto& [key, value] : r.metrics.items()) result.metrics[c.name + "-" + key] = value;
      nlohmann::json d = {{"type", c.type},
                          {"succeeded", r.succeeded},
                          {"user_s", r.totals.user_s},
                          {"sys_s", r.totals.sys_s},
                          {"details", r.details}};
      if (preparation_ && !preparation_->steps.empty()) d["preparation"] = component_preparation(c.name);
      if (!r.succeeded) {
        d["failure"] = r.failure;
        if (idle_component.empty() && r.details.contains("no_work"))
          idle_component = fmt::format("{} {}", c.name, r.failure);
        else if (unexplained_failure.empty() && memcg_oom_kills == 0)
          unexplained_failure = fmt::format("{}: {}", c.name, r.failure);
      }
      component_details[c.name] = std::move(d);
    }
    result.metrics["all-survived"] = survivors == static_cast<std::int64_t>(components_.size()) ? 1 : 0;
    result.metrics["survived-pct"] = 100.0 * static_cast<double>(survivors) / static_cast<double>(components_.size());
    for (const auto& [key, value] : delta) result.metrics[counter_metric_name(key)] = value;
    result.details["components"] = std::move(component_details);
    result.details["cpus"] = cpus();
    if (context.stop.stop_requested()) {
      result.failure = "interrupted";
      return result;
    }
    if (!idle_component.empty()) {
      result.did_no_work(fmt::format("component {} ({} OOM kill{} in the test cgroup)", idle_component, memcg_oom_kills,
                                     memcg_oom_kills == 1 ? "" : "s"));
      return result;
    }
    if (!unexplained_failure.empty()) {
      result.failure = unexplained_failure + " (with no OOM kill in the test cgroup)";
      return result;
    }
    result.succeeded = true;
    return result;
  }

 private:
  // The mix's preparation steps that were this component's.
  nlohmann::json component_preparation(const std::string& name) const {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& step : preparation_->steps)
      if (step["step"].get<std::string>().starts_with(name + ": ")) steps.push_back(step);
    return steps;
  }

  ResolvedParams params_;
  std::vector<Component> components_;
  std::vector<std::unique_ptr<Workload>> workloads_;  // one per component, from the registry
  std::optional<Preparation> preparation_;
};

WorkloadSpec pressure_oom_spec() {
  WorkloadSpec spec;
  spec.name = "pressure-oom";
  spec.description =
      "kernel builds, dd writers and anonymous dirtiers side by side for a duration: OOM kills and survival";
  spec.required_programs = {"make", "gcc", "flex", "bison", "bc", "tar", "xz", "dd", "stress-ng"};
  spec.params = {
      duration_param("duration", "10m", "how long the mix runs"),
      duration_param("compile-head-start", "30s",
                     "the builds run alone this long before the writers and dirtiers start"),
      count_param("kernbench-instances", "0", "concurrent kernel builds; 0: one per CPU", 0, 1024),
      count_param("kernbench-jobs", "1", "make -j of each build", 1, 4096),
      text_param("kernbench-source", "debian", "kernbench `source`: \"debian\" or a kernel tree"),
      text_param("kernbench-config-target", "defconfig", "kernbench `config-target`"),
      text_param("kernbench-target", "vmlinux", "kernbench `target`"),
      count_param("dd-writers", "0", "dd writers; 0: two per CPU", 0, 1024),
      size_param("dd-total", "100%", "written by all dd writers together per round (the memory under test)"),
      count_param("anon-workers", "0", "stress-ng vm workers; 0: two per CPU", 0, 1024),
      size_param("anon-bytes", "100%", "anonymous memory mapped by all workers together (the memory under test)"),
      text_param("directory", "/var/tmp", "where the builds and the dd files go (scratch subdirectories)"),
  };
  spec.metrics = {
      {.pattern = "all-survived", .better = Better::higher},
      {.pattern = "survived-pct", .unit = "%", .better = Better::higher},
      {.pattern = "{component}-survived", .better = Better::higher},
      // The run's counters: "vmstat-oom-kill", "memcg-pswpin" ... (run_counters.h).
      {.pattern = "{scope}-oom-kill"},
      {.pattern = "{scope}-pswpin"},
      {.pattern = "{scope}-pswpout"},
  };
  // Each component's own figures under its name (components_of).
  spec.component_metrics = {
      {.prefix = "kernbench-{instance}-", .type = "kernbench"},
      {.prefix = "dd-writeback-", .type = "dd-writeback"},
      {.prefix = "anon-dirty-", .type = "anon-dirty"},
  };
  spec.create = [](const ResolvedParams& params) { return std::make_unique<PressureOom>(params); };
  spec.check_environment = check_components;
  return spec;
}

MEMHARNESS_REGISTER_WORKLOAD(pressure_oom_spec());

}  // namespace
}  // namespace memharness::workloads
