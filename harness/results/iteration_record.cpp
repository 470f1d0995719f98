#include "harness/results/iteration_record.h"

namespace memharness::results {

namespace {

using json = nlohmann::json;

json counters_json(const CounterMap& counters) {
  json j = json::object();
  for (const auto& [name, value] : counters) j[name] = value;
  return j;
}

void put_counters(json& j, const char* key, const std::optional<CounterMap>& counters) {
  if (counters) j[key] = counters_json(*counters);
}

json psi_json(const std::optional<PsiDelta>& psi) {
  if (!psi) return nullptr;
  json j = json::object();
  put_if(j, "some_stall_us", psi->some_stall_us);
  put_if(j, "full_stall_us", psi->full_stall_us);
  return j;
}

std::optional<PsiDelta> parse_psi(const RecordMembers& parent, const char* key) {
  const json* v = parent.find(key);
  if (!v || v->is_null()) return std::nullopt;
  auto members = parent.object(key);
  PsiDelta psi;
  psi.some_stall_us = members->get<std::int64_t>("some_stall_us");
  psi.full_stall_us = members->get<std::int64_t>("full_stall_us");
  return psi;
}

ProcessRecord parse_process(const RecordMembers& m) {
  ProcessRecord p;
  p.started = m.get<bool>("started").value_or(false);
  p.elapsed_s = m.get<double>("elapsed_s").value_or(0);
  p.user_s = m.get_or_null<double>("user_s");
  p.sys_s = m.get_or_null<double>("sys_s");
  p.max_rss_kb = m.get_or_null<std::int64_t>("max_rss_kb");
  p.timed_out = m.get<bool>("timed_out").value_or(false);
  p.stopped = m.get<bool>("stopped").value_or(false);
  p.usage_lost = m.get<std::string>("usage_lost");
  p.exit_status = m.get_or_null<int>("exit_status");
  p.term_signal = m.get_or_null<int>("term_signal");
  return p;
}

constexpr const char* kHigherIsBetter = "higher_is_better";
constexpr const char* kLowerIsBetter = "lower_is_better";

MetricDeclaration parse_declaration(const RecordMembers& m) {
  MetricDeclaration d;
  d.unit = m.get<std::string>("unit").value_or("");
  auto direction = m.get<std::string>("direction").value_or(kLowerIsBetter);
  if (direction != kHigherIsBetter && direction != kLowerIsBetter)
    m.fail("direction", "\"higher_is_better\" or \"lower_is_better\"");
  d.higher_is_better = direction == kHigherIsBetter;
  d.gates = m.get<bool>("gates").value_or(false);
  d.harmonic_mean = m.get<bool>("harmonic_mean").value_or(false);
  return d;
}

std::optional<std::map<std::string, MetricDeclaration>> parse_declarations(const RecordMembers& m) {
  auto declarations = m.object("metric_declarations");  // an error when not an object
  if (!declarations) return std::nullopt;
  std::map<std::string, MetricDeclaration> out;
  for (const auto& member : m.find("metric_declarations")->items())
    out[member.key()] = parse_declaration(*declarations->object(member.key()));
  return out;
}

WorkloadRecord parse_workload(const RecordMembers& m) {
  WorkloadRecord w;
  w.instance = m.get<std::string>("instance").value_or("");
  w.type = m.get<std::string>("type").value_or("");
  w.succeeded = m.get<bool>("succeeded").value_or(false);
  w.failure = m.get<std::string>("failure");
  w.preparation = m.json_object("preparation");
  if (auto process = m.object("process")) w.process = parse_process(*process);
  w.metrics = m.json_object("metrics").value_or(json::object());
  w.metric_declarations = parse_declarations(m);
  w.details = m.any("details");
  return w;
}

PhaseRecord parse_phase(const RecordMembers& m) {
  PhaseRecord p;
  p.name = m.get<std::string>("name").value_or("");
  p.elapsed_s = m.get<double>("elapsed_s");
  for (const auto& w : m.objects("workloads").value_or(std::vector<RecordMembers>{}))
    p.workloads.push_back(parse_workload(w));
  p.succeeded = m.get<bool>("succeeded");
  return p;
}

MemcgRecord parse_memcg(const RecordMembers& m) {
  MemcgRecord memcg;
  memcg.stat_start = m.counters("stat_start");
  memcg.stat_end = m.counters("stat_end");
  memcg.stat_delta = m.counters("stat_delta");
  memcg.events_delta = m.counters("events_delta");
  memcg.peak_bytes = m.get_or_null<std::int64_t>("peak_bytes");
  memcg.psi_memory = parse_psi(m, "psi_memory");
  return memcg;
}

TracepointSummary parse_summary(const RecordMembers& m) {
  TracepointSummary s;
  s.direct_reclaims = m.get_or_null<std::uint64_t>("direct_reclaims");
  s.direct_reclaim_stall_ms = m.get_or_null<double>("direct_reclaim_stall_ms");
  s.memcg_reclaims = m.get_or_null<std::uint64_t>("memcg_reclaims");
  s.memcg_reclaim_stall_ms = m.get_or_null<double>("memcg_reclaim_stall_ms");
  s.kswapd_wakeups = m.get_or_null<std::uint64_t>("kswapd_wakeups");
  s.kswapd_awake_ms = m.get_or_null<double>("kswapd_awake_ms");
  s.direct_reclaim_write_file = m.get_or_null<std::uint64_t>("direct_reclaim_write_file");
  s.direct_reclaim_write_anon = m.get_or_null<std::uint64_t>("direct_reclaim_write_anon");
  s.kswapd_reclaim_write_file = m.get_or_null<std::uint64_t>("kswapd_reclaim_write_file");
  s.kswapd_reclaim_write_anon = m.get_or_null<std::uint64_t>("kswapd_reclaim_write_anon");
  return s;
}

}  // namespace

std::optional<double> WorkloadRecord::metric(const std::string& name) const {
  auto it = metrics.find(name);
  if (it == metrics.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

const MetricDeclaration* WorkloadRecord::declaration(const std::string& name) const {
  if (!metric_declarations) return nullptr;
  auto it = metric_declarations->find(name);
  return it == metric_declarations->end() ? nullptr : &it->second;
}

std::optional<double> IterationRecord::workload_metric(const std::string& instance, const std::string& name) const {
  for (const auto& phase : phases)
    for (const auto& w : phase.workloads)
      if (w.instance == instance)
        if (auto value = w.metric(name)) return value;
  return std::nullopt;
}

std::optional<double> counter(const std::optional<CounterMap>& counters, const std::string& name) {
  if (!counters) return std::nullopt;
  auto it = counters->find(name);
  if (it == counters->end()) return std::nullopt;
  return static_cast<double>(it->second);
}

TracepointRecorderRecord parse_tracepoint_recorder(const RecordMembers& m) {
  TracepointRecorderRecord r;
  r.kind = m.get_or_null<std::string>("kind");
  r.timeseries_rows = m.get<std::int64_t>("timeseries_rows");
  r.reason = m.get<std::string>("reason");
  r.has_lost_events = m.has("lost_events");
  r.lost_events = m.get_or_null<std::uint64_t>("lost_events", "a number or null");
  r.lost_events_observable = m.get<bool>("lost_events_observable");
  return r;
}

IterationRecord parse_iteration_record(const json& j, const std::string& file) {
  RecordMembers m(j, file);
  IterationRecord r;
  r.iteration = m.get<int>("iteration");
  r.status = m.get<std::string>("status").value_or("");
  r.error = m.get<std::string>("error");
  if (auto cgroup = m.object("cgroup"))
    r.cgroup = IterationCgroup{.path = cgroup->get<std::string>("path").value_or(""),
                               .version = cgroup->get<std::string>("version").value_or("")};
  r.preparation_s = m.get<double>("preparation_s");
  r.elapsed_s = m.get<double>("elapsed_s");
  r.timeseries_samples = m.get<std::int64_t>("timeseries_samples");
  if (auto recorder = m.object("tracepoint_recorder")) r.tracepoint_recorder = parse_tracepoint_recorder(*recorder);
  if (auto summary = m.object("tracepoints")) r.tracepoints = parse_summary(*summary);
  for (const auto& phase : m.objects("phases").value_or(std::vector<RecordMembers>{}))
    r.phases.push_back(parse_phase(phase));
  r.vmstat_delta = m.counters("vmstat_delta");
  if (auto memcg = m.object("memcg")) r.memcg = parse_memcg(*memcg);
  if (auto oom = m.object("oom_kills"))
    r.oom_kills =
        OomKills{.memcg = oom->get_or_null<std::int64_t>("memcg"), .vmstat = oom->get_or_null<std::int64_t>("vmstat")};
  r.fragmentation = m.json_object("fragmentation");
  r.meminfo_start = m.counters("meminfo_start");
  r.meminfo_end = m.counters("meminfo_end");
  r.psi_memory = parse_psi(m, "psi_memory");
  r.cleanup_problem = m.get<std::string>("cleanup_problem");
  r.others = m.others({"iteration", "status", "error", "cgroup", "preparation_s", "elapsed_s", "timeseries_samples",
                       "tracepoint_recorder", "tracepoints", "phases", "vmstat_delta", "memcg", "oom_kills",
                       "fragmentation", "meminfo_start", "meminfo_end", "psi_memory", "cleanup_problem"});
  return r;
}

void to_json(json& j, const ProcessRecord& p) {
  j = {{"started", p.started},
       {"elapsed_s", p.elapsed_s},
       {"user_s", value_or_null(p.user_s)},
       {"sys_s", value_or_null(p.sys_s)},
       {"max_rss_kb", value_or_null(p.max_rss_kb)},
       {"timed_out", p.timed_out},
       {"stopped", p.stopped},
       {"exit_status", value_or_null(p.exit_status)},
       {"term_signal", value_or_null(p.term_signal)}};
  put_if(j, "usage_lost", p.usage_lost);
}

void to_json(json& j, const WorkloadRecord& w) {
  j = {{"instance", w.instance}, {"type", w.type}, {"succeeded", w.succeeded}, {"metrics", w.metrics}};
  put_if(j, "failure", w.failure);
  if (w.metric_declarations) {
    json declarations = json::object();
    for (const auto& [name, d] : *w.metric_declarations)
      declarations[name] = {{"unit", d.unit},
                            {"direction", d.higher_is_better ? kHigherIsBetter : kLowerIsBetter},
                            {"gates", d.gates},
                            {"harmonic_mean", d.harmonic_mean}};
    j["metric_declarations"] = std::move(declarations);
  }
  put_if(j, "preparation", w.preparation);
  put_if(j, "process", w.process);
  put_if(j, "details", w.details);
}

void to_json(json& j, const PhaseRecord& p) {
  j = {{"name", p.name}, {"workloads", p.workloads}};
  put_if(j, "elapsed_s", p.elapsed_s);
  put_if(j, "succeeded", p.succeeded);
}

void to_json(json& j, const TracepointRecorderRecord& r) {
  j = {{"kind", value_or_null(r.kind)}};
  put_if(j, "timeseries_rows", r.timeseries_rows);
  put_if(j, "reason", r.reason);
  if (r.has_lost_events) j["lost_events"] = value_or_null(r.lost_events);
  put_if(j, "lost_events_observable", r.lost_events_observable);
}

void to_json(json& j, const TracepointSummary& s) {
  j = {{"direct_reclaims", value_or_null(s.direct_reclaims)},
       {"direct_reclaim_stall_ms", value_or_null(s.direct_reclaim_stall_ms)},
       {"memcg_reclaims", value_or_null(s.memcg_reclaims)},
       {"memcg_reclaim_stall_ms", value_or_null(s.memcg_reclaim_stall_ms)},
       {"kswapd_wakeups", value_or_null(s.kswapd_wakeups)},
       {"kswapd_awake_ms", value_or_null(s.kswapd_awake_ms)},
       {"direct_reclaim_write_file", value_or_null(s.direct_reclaim_write_file)},
       {"direct_reclaim_write_anon", value_or_null(s.direct_reclaim_write_anon)},
       {"kswapd_reclaim_write_file", value_or_null(s.kswapd_reclaim_write_file)},
       {"kswapd_reclaim_write_anon", value_or_null(s.kswapd_reclaim_write_anon)}};
}

void to_json(json& j, const IterationRecord& r) {
  j = r.others;
  put_if(j, "iteration", r.iteration);
  j["status"] = r.status;
  put_if(j, "error", r.error);
  if (r.cgroup) j["cgroup"] = {{"path", r.cgroup->path}, {"version", r.cgroup->version}};
  put_if(j, "preparation_s", r.preparation_s);
  put_if(j, "elapsed_s", r.elapsed_s);
  put_if(j, "timeseries_samples", r.timeseries_samples);
  put_if(j, "tracepoint_recorder", r.tracepoint_recorder);
  put_if(j, "tracepoints", r.tracepoints);
  j["phases"] = r.phases;
  put_counters(j, "vmstat_delta", r.vmstat_delta);
  if (r.memcg) {
    json memcg = {{"peak_bytes", value_or_null(r.memcg->peak_bytes)}, {"psi_memory", psi_json(r.memcg->psi_memory)}};
    put_counters(memcg, "stat_start", r.memcg->stat_start);
    put_counters(memcg, "stat_end", r.memcg->stat_end);
    put_counters(memcg, "stat_delta", r.memcg->stat_delta);
    put_counters(memcg, "events_delta", r.memcg->events_delta);
    j["memcg"] = std::move(memcg);
  }
  if (r.oom_kills)
    j["oom_kills"] = {{"memcg", value_or_null(r.oom_kills->memcg)}, {"vmstat", value_or_null(r.oom_kills->vmstat)}};
  put_if(j, "fragmentation", r.fragmentation);
  put_counters(j, "meminfo_start", r.meminfo_start);
  put_counters(j, "meminfo_end", r.meminfo_end);
  j["psi_memory"] = psi_json(r.psi_memory);
  put_if(j, "cleanup_problem", r.cleanup_problem);
}

}  // namespace memharness::results
