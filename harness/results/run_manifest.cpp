#include "harness/results/run_manifest.h"

#include "harness/common/error.h"
#include "harness/results/record_members.h"

namespace memharness::results {

namespace {

using json = nlohmann::json;

constexpr RunStatus all_statuses[] = {RunStatus::running, RunStatus::complete, RunStatus::incomplete,
                                      RunStatus::failed};

std::optional<RunStatus> parse_status(const RecordMembers& m) {
  auto text = m.get<std::string>("status");
  if (!text) return std::nullopt;
  for (auto status : all_statuses)
    if (*text == to_string(status)) return status;
  m.fail("status", "\"running\", \"complete\", \"incomplete\" or \"failed\"");
}

// The members of "machine" that are read by name; the rest is free-form.
void check_machine(const RecordMembers& m) {
  auto machine = m.object("machine");
  if (!machine) return;
  if (auto kernel = machine->object("kernel")) kernel->get<std::string>("release");
  machine->get<std::int64_t>("mem_total_bytes");
  machine->get<std::int64_t>("cpus");
}

const json* machine_member(const std::optional<json>& machine, std::initializer_list<const char*> path) {
  if (!machine) return nullptr;
  const json* at = &*machine;
  for (const char* key : path) {
    auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

}  // namespace

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::running: return "running";
    case RunStatus::complete: return "complete";
    case RunStatus::incomplete: return "incomplete";
    case RunStatus::failed: return "failed";
  }
  return "unknown";
}

std::string RunManifest::kernel_release() const {
  const json* release = machine_member(machine, {"kernel", "release"});
  return release && release->is_string() ? release->get<std::string>() : std::string();
}

std::optional<std::int64_t> RunManifest::mem_total_bytes() const {
  const json* v = machine_member(machine, {"mem_total_bytes"});
  return v && v->is_number_integer() ? std::optional(v->get<std::int64_t>()) : std::nullopt;
}

std::optional<std::int64_t> RunManifest::cpus() const {
  const json* v = machine_member(machine, {"cpus"});
  return v && v->is_number_integer() ? std::optional(v->get<std::int64_t>()) : std::nullopt;
}

RunManifest parse_run_manifest(const json& j, const std::string& file) {
  if (!j.is_object() || !j.contains("schema_version"))
    throw usage_error("{}: not a memharness manifest (no \"schema_version\")", file);
  if (j["schema_version"] != run_schema_version)
    throw usage_error("{}: schema_version {} is not supported (this memharness reads {})", file,
                      j["schema_version"].dump(), run_schema_version);
  RecordMembers m(j, file);
  RunManifest r;
  r.status = parse_status(m);
  r.status_reason = m.get<std::string>("status_reason");
  if (auto h = m.object("harness"))
    r.harness = HarnessBuild{.version = h->get<std::string>("version").value_or(""),
                             .git_commit = h->get<std::string>("git_commit").value_or("")};
  r.test = m.get<std::string>("test");
  r.description = m.get<std::string>("description");
  r.label = m.get<std::string>("label");
  r.target = m.get<std::string>("target");
  r.started_at = m.get<std::string>("started_at");
  r.finished_at = m.get<std::string>("finished_at");
  if (auto c = m.object("config"))
    r.config = RunConfig{.source = c->get<std::string>("source").value_or(""),
                         .hash = c->get<std::string>("hash").value_or(""),
                         .resolved = c->json_object("resolved")};
  if (auto c = m.object("cgroup"))
    r.cgroup = RunCgroup{.version = c->get<std::string>("version").value_or(""),
                         .mount_point = c->get<std::string>("mount_point").value_or(""),
                         .parent = c->get<std::string>("parent").value_or("")};
  r.tools = m.string_map("tools");
  if (auto it = m.object("iterations")) {
    r.iterations = IterationCounts{.planned = it->get<int>("planned").value_or(0),
                                   .completed = it->get<int>("completed").value_or(0),
                                   .stopped_early = it->get<std::string>("stopped_early"),
                                   .sequential = std::nullopt};
    if (auto design = it->object("sequential")) {
      auto alpha = design->get<double>("alpha");
      auto per_look = design->get<double>("alpha_per_look");
      auto looks = design->get<int>("looks");
      // The alpha a later compare tests at: a value outside (0, 1) would make
      // every difference significant or none.
      if (!alpha || !(*alpha > 0 && *alpha < 1)) design->fail("alpha", "a probability between 0 and 1");
      if (!per_look || !(*per_look > 0 && *per_look <= *alpha))
        design->fail("alpha_per_look", "a probability above 0 and at most \"alpha\"");
      if (!looks || *looks < 1) design->fail("looks", "a whole number of at least 1");
      r.iterations->sequential = SequentialDesign{.alpha = *alpha, .alpha_per_look = *per_look, .looks = *looks};
    }
  }
  if (auto il = m.object("interleaved"))
    r.interleaved = Interleaving{.with = il->strings("with").value_or(std::vector<std::string>{}),
                                 .order = il->get<std::string>("order").value_or("")};
  r.variant_sysctls = m.string_map("variant_sysctls");
  r.self_protection = m.json_object("self_protection");
  r.harness_peak_rss_kb = m.get<std::int64_t>("harness_peak_rss_kb");
  if (r.harness_peak_rss_kb && *r.harness_peak_rss_kb < 0) m.fail("harness_peak_rss_kb", "a size in KiB, not negative");
  if (auto tr = m.object("tracepoint_recorder")) {
    RunTracepointRecorder recorder;
    recorder.built = tr->get<std::string>("built");
    recorder.tracefs = tr->get<std::string>("tracefs");
    if (auto used = tr->object("used")) recorder.used = parse_tracepoint_recorder(*used);
    r.tracepoint_recorder = std::move(recorder);
  }
  check_machine(m);
  r.machine = m.json_object("machine");
  r.sysctls_set = m.string_map("sysctls_set");
  r.restore_problems = m.strings("restore_problems");
  r.promoted_from = m.get<std::string>("promoted_from");
  r.vm = m.json_object("vm");
  r.console_excerpt = m.get<std::string>("console_excerpt");
  r.guest_status = m.get<std::string>("guest_status");
  r.others = m.others({"schema_version",
                       "status",
                       "status_reason",
                       "harness",
                       "test",
                       "description",
                       "label",
                       "target",
                       "started_at",
                       "finished_at",
                       "config",
                       "cgroup",
                       "tools",
                       "iterations",
                       "interleaved",
                       "variant_sysctls",
                       "self_protection",
                       "harness_peak_rss_kb",
                       "tracepoint_recorder",
                       "machine",
                       "sysctls_set",
                       "restore_problems",
                       "promoted_from",
                       "vm",
                       "console_excerpt",
                       "guest_status"});
  return r;
}

void to_json(json& j, const RunManifest& r) {
  j = r.others;
  j["schema_version"] = r.schema_version;
  if (r.status) j["status"] = to_string(*r.status);
  put_if(j, "status_reason", r.status_reason);
  if (r.harness) j["harness"] = {{"version", r.harness->version}, {"git_commit", r.harness->git_commit}};
  put_if(j, "test", r.test);
  put_if(j, "description", r.description);
  put_if(j, "label", r.label);
  put_if(j, "target", r.target);
  put_if(j, "started_at", r.started_at);
  put_if(j, "finished_at", r.finished_at);
  if (r.config) {
    j["config"] = {{"source", r.config->source}, {"hash", r.config->hash}};
    put_if(j["config"], "resolved", r.config->resolved);
  }
  if (r.cgroup)
    j["cgroup"] = {
        {"version", r.cgroup->version}, {"mount_point", r.cgroup->mount_point}, {"parent", r.cgroup->parent}};
  put_if(j, "tools", r.tools);
  if (r.iterations) {
    j["iterations"] = {{"planned", r.iterations->planned}, {"completed", r.iterations->completed}};
    put_if(j["iterations"], "stopped_early", r.iterations->stopped_early);
    if (const auto& design = r.iterations->sequential)
      j["iterations"]["sequential"] = {
          {"alpha", design->alpha}, {"alpha_per_look", design->alpha_per_look}, {"looks", design->looks}};
  }
  if (r.interleaved) j["interleaved"] = {{"with", r.interleaved->with}, {"order", r.interleaved->order}};
  put_if(j, "variant_sysctls", r.variant_sysctls);
  put_if(j, "self_protection", r.self_protection);
  put_if(j, "harness_peak_rss_kb", r.harness_peak_rss_kb);
  if (r.tracepoint_recorder) {
    json recorder = json::object();
    put_if(recorder, "built", r.tracepoint_recorder->built);
    put_if(recorder, "tracefs", r.tracepoint_recorder->tracefs);
    put_if(recorder, "used", r.tracepoint_recorder->used);
    j["tracepoint_recorder"] = std::move(recorder);
  }
  put_if(j, "machine", r.machine);
  put_if(j, "sysctls_set", r.sysctls_set);
  put_if(j, "restore_problems", r.restore_problems);
  put_if(j, "promoted_from", r.promoted_from);
  put_if(j, "vm", r.vm);
  put_if(j, "console_excerpt", r.console_excerpt);
  put_if(j, "guest_status", r.guest_status);
}

RunManifest read_run_manifest(const std::filesystem::path& file) {
  return parse_run_manifest(read_record_file(file), file.string());
}

}  // namespace memharness::results
