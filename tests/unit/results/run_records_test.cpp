// The typed run records (manifest.json, result.json, tracepoints.json): what
// the harness writes reads back as itself, real captured records parse, and a
// member of the wrong type or a newer schema is refused naming the file and
// the member.
#include <gtest/gtest.h>

#include <set>

#include "harness/common/error.h"
#include "harness/results/record_members.h"
#include "harness/results/run_reader.h"

namespace memharness::results {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
const fs::path results_root = fs::path(MEMHARNESS_FIXTURE_DIR) / "runs" / "results";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return e.what();
  }
  return "(no error)";
}

std::vector<fs::path> fixture_files(const std::string& name) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(results_root))
    if (entry.path().filename() == name) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Real runs (tests/fixtures/runs/README.md): each record parses and is
// written again member for member, so promotion and VM runs, which read a
// manifest and write it back, change only what they mean to.
TEST(RunRecords, CapturedManifestsRoundTrip) {
  auto files = fixture_files("manifest.json");
  ASSERT_GE(files.size(), 7u);
  for (const auto& file : files) {
    auto original = read_record_file(file);
    auto manifest = parse_run_manifest(original, file.string());
    EXPECT_EQ(json(manifest), original) << file;
  }
  auto a = read_run_manifest(results_root / "a" / "anon-dirty-quick" / "2026-11-22T04-54-45Z" / "manifest.json");
  EXPECT_EQ(a.status, RunStatus::complete);
  EXPECT_EQ(a.label, "a");
  EXPECT_EQ(a.kernel_release(), "6.18.44-fc-v669");
  EXPECT_EQ(a.mem_total_bytes(), 25276502016);
  EXPECT_EQ(a.cpus(), 2);
  ASSERT_TRUE(a.iterations);
  EXPECT_EQ(a.iterations->planned, 3);
  EXPECT_EQ(a.config->hash, "d09c767255256fbf");
  EXPECT_EQ(a.cgroup->version, "v1");
  EXPECT_EQ(a.sysctls_set->at("vm.swappiness"), "60");
}

TEST(RunRecords, CapturedIterationResultsRoundTrip) {
  auto files = fixture_files("result.json");
  ASSERT_GE(files.size(), 20u);
  for (const auto& file : files) {
    auto original = read_record_file(file);
    auto record = parse_iteration_record(original, file.string());
    EXPECT_EQ(json(record), original) << file;
    EXPECT_TRUE(record.others.empty()) << file << ": " << record.others.dump();
  }
  auto record = parse_iteration_record(read_record_file(results_root / "tp" / "anon-dirty-quick" /
                                                        "2026-12-01T20-01-22Z" / "iterations" / "1" / "result.json"),
                                       "result.json");
  EXPECT_EQ(record.status, "complete");
  EXPECT_EQ(record.iteration, 1);
  ASSERT_EQ(record.phases.size(), 1u);
  ASSERT_EQ(record.phases[0].workloads.size(), 1u);
  EXPECT_EQ(record.phases[0].workloads[0].instance, "anon-dirty");
  EXPECT_EQ(record.phases[0].workloads[0].process->max_rss_kb, 261888);
  EXPECT_FALSE(record.phases[0].workloads[0].process->term_signal);
  EXPECT_EQ(counter(record.memcg->events_delta, "oom_kill"), 4.0);
  EXPECT_EQ(record.memcg->peak_bytes, 268435456);
  EXPECT_FALSE(record.memcg->psi_memory);  // cgroup v1: null
  EXPECT_EQ(record.psi_memory->some_stall_us, 6416080);
  EXPECT_EQ(record.tracepoint_recorder->kind, "bpf");
  EXPECT_EQ(record.tracepoints->memcg_reclaims, 13502u);
}

TEST(RunRecords, CapturedTracepointDocumentsRoundTrip) {
  auto files = fixture_files("tracepoints.json");
  ASSERT_GE(files.size(), 6u);
  for (const auto& file : files) {
    auto original = read_record_file(file);
    EXPECT_EQ(json(parse_tracepoints_document(original, file.string())), original) << file;
  }
  auto document =
      parse_tracepoints_document(read_record_file(results_root / "tp-no-write-event" / "anon-dirty-quick" /
                                                  "2026-12-01T20-01-22Z" / "iterations" / "1" / "tracepoints.json"),
                                 "tracepoints.json");
  EXPECT_EQ(document.recorder, "bpf");
  EXPECT_TRUE(document.pairing("system"));
  EXPECT_FALSE(document.number_at("/scopes/system/contexts/direct_reclaim/writes/file"));
  EXPECT_EQ(document.unavailable_reason("/scopes/system/contexts/direct_reclaim/writes/file"),
            "not available on this kernel: vmscan/mm_vmscan_write_folio, vmscan/mm_vmscan_writepage");
}

// Every optional and nullable member set as the runner sets it: written and
// read back, the record is the same.
TEST(RunRecords, ARecordBuiltInCodeRoundTrips) {
  IterationRecord r;
  r.iteration = 2;
  r.status = "failed";
  r.error = "the sampler failed";
  r.cgroup = IterationCgroup{.path = "/sys/fs/cgroup/memharness-1-2", .version = "v2"};
  r.preparation_s = 0.25;
  r.elapsed_s = 12.5;
  r.timeseries_samples = 25;
  auto& recorder = r.tracepoint_recorder.emplace();
  recorder.kind = "bpf";
  recorder.timeseries_rows = 24;
  recorder.has_lost_events = true;  // null: the kernel cannot count them
  recorder.lost_events_observable = false;
  r.tracepoints.emplace().direct_reclaims = 3;
  r.tracepoints->kswapd_awake_ms = 1.5;
  PhaseRecord phase;
  phase.name = "dirty";
  phase.elapsed_s = 12.0;
  phase.succeeded = false;
  WorkloadRecord w;
  w.instance = "anon-dirty";
  w.type = "anon-dirty";
  w.failure = "it was killed";
  ProcessRecord p;
  p.started = true;
  p.elapsed_s = 11.0;
  p.usage_lost = "the process supervisor was killed";
  p.term_signal = 9;
  w.process = p;
  w.metrics = {{"dirty-rate-mib-per-s", 64.0}};
  w.details = json{{"command", {"stress-ng"}}};
  phase.workloads.push_back(w);
  r.phases.push_back(phase);
  r.vmstat_delta = CounterMap{{"pgscan_kswapd", 10}, {"nr_free_pages", -500}};
  r.memcg = MemcgRecord{.stat_start = CounterMap{{"anon", 1}},
                        .stat_end = CounterMap{{"anon", 2}},
                        .stat_delta = CounterMap{{"anon", 1}},
                        .events_delta = CounterMap{{"max", 7}},
                        .peak_bytes = std::nullopt,
                        .psi_memory = PsiDelta{.some_stall_us = 100, .full_stall_us = std::nullopt}};
  r.oom_kills = OomKills{.memcg = 0, .vmstat = std::nullopt};
  r.psi_memory = std::nullopt;
  r.cleanup_problem = "memory.events still shows a process";
  json written = r;
  EXPECT_TRUE(written["memcg"]["peak_bytes"].is_null());
  EXPECT_TRUE(written["psi_memory"].is_null());
  EXPECT_TRUE(written["tracepoint_recorder"]["lost_events"].is_null());
  EXPECT_TRUE(written["phases"][0]["workloads"][0]["process"]["user_s"].is_null());
  EXPECT_FALSE(written["tracepoint_recorder"].contains("reason"));
  EXPECT_EQ(json(parse_iteration_record(written, "result.json")), written);

  RunManifest m;
  m.status = RunStatus::incomplete;
  m.status_reason = "interrupted";
  m.test = "t";
  m.iterations.emplace().planned = 3;
  m.iterations->stopped_early = "enough";
  m.iterations->sequential = SequentialDesign{.alpha = 0.01, .alpha_per_look = 0.002, .looks = 5};
  m.interleaved = Interleaving{.with = {"b"}, .order = "alternating"};
  m.tracepoint_recorder.emplace().used = recorder;
  m.restore_problems = std::vector<std::string>{"a sysctl could not be restored"};
  m.harness_peak_rss_kb = 21800;
  m.others = {{"added_by_a_newer_harness", 1}};
  json manifest = m;
  EXPECT_EQ(manifest["schema_version"], 1);
  EXPECT_EQ(manifest["harness_peak_rss_kb"], 21800);
  EXPECT_EQ(json(parse_run_manifest(manifest, "manifest.json")), manifest);
}

TEST(RunRecords, AMistypedMemberIsNamedWithItsPath) {
  json manifest = {{"schema_version", 1}, {"iterations", {{"planned", "3"}}}};
  EXPECT_EQ(error_of([&] { parse_run_manifest(manifest, "m.json"); }),
            "m.json: \"iterations\".\"planned\" must be a whole number");
  manifest = {{"schema_version", 1}, {"status", "done"}};
  EXPECT_EQ(error_of([&] { parse_run_manifest(manifest, "m.json"); }),
            "m.json: \"status\" must be \"running\", \"complete\", \"incomplete\" or \"failed\"");
  manifest = {{"schema_version", 1}, {"machine", {{"kernel", {{"release", 6}}}}}};
  EXPECT_EQ(error_of([&] { parse_run_manifest(manifest, "m.json"); }),
            "m.json: \"machine\".\"kernel\".\"release\" must be a string");
  // The alpha a later compare tests at: one outside (0, 1) is refused.
  manifest = {{"schema_version", 1},
              {"iterations", {{"sequential", {{"alpha", 0.01}, {"alpha_per_look", 0.0}, {"looks", 5}}}}}};
  EXPECT_EQ(error_of([&] { parse_run_manifest(manifest, "m.json"); }),
            "m.json: \"iterations\".\"sequential\".\"alpha_per_look\" must be a probability above 0 and at most "
            "\"alpha\"");
  manifest["iterations"]["sequential"] = {{"alpha", 0.01}, {"alpha_per_look", 0.002}, {"looks", 0}};
  EXPECT_EQ(error_of([&] { parse_run_manifest(manifest, "m.json"); }),
            "m.json: \"iterations\".\"sequential\".\"looks\" must be a whole number of at least 1");
  manifest = {{"schema_version", 1}, {"sysctls_set", {{"vm.swappiness", 60}}}};
  EXPECT_EQ(error_of([&] { parse_run_manifest(manifest, "m.json"); }),
            "m.json: \"sysctls_set\".\"vm.swappiness\" must be a string");
  manifest = {{"schema_version", 1}, {"harness_peak_rss_kb", -1}};
  EXPECT_EQ(error_of([&] { parse_run_manifest(manifest, "m.json"); }),
            "m.json: \"harness_peak_rss_kb\" must be a size in KiB, not negative");

  json result = {{"status", "complete"}, {"memcg", {{"events_delta", {{"max", "many"}}}}}};
  EXPECT_EQ(error_of([&] { parse_iteration_record(result, "r.json"); }),
            "r.json: \"memcg\".\"events_delta\".\"max\" must be a whole number");
  result = {{"status", "complete"},
            {"phases", {{{"workloads", {{{"instance", "w"}, {"process", {{"user_s", "fast"}}}}}}}}}};
  EXPECT_EQ(error_of([&] { parse_iteration_record(result, "r.json"); }),
            "r.json: \"phases\"[0].\"workloads\"[0].\"process\".\"user_s\" must be a number or null");
  result = {{"status", 1}};
  EXPECT_EQ(error_of([&] { parse_iteration_record(result, "r.json"); }), "r.json: \"status\" must be a string");
  EXPECT_EQ(error_of([&] { parse_iteration_record(json::array(), "r.json"); }), "r.json: expected a JSON object");

  json tracepoints = {{"schema_version", 1}, {"lost_events", {{"count", -3}}}};
  EXPECT_EQ(error_of([&] { parse_tracepoints_document(tracepoints, "t.json"); }),
            "t.json: \"lost_events\".\"count\" must be a count or null");
}

// The runner writes what the workload declared of each metric it recorded;
// a record of an older harness has no declarations.
TEST(RunRecords, WorkloadMetricDeclarationsRoundTripAndAreChecked) {
  WorkloadRecord w;
  w.instance = "dd";
  w.type = "dd-writeback";
  w.metrics = {{"threads-4-mb-per-s", 1500.0}, {"threads-4-elapsed-s", 0.7}};
  w.metric_declarations = std::map<std::string, MetricDeclaration>{
      {"threads-4-mb-per-s", {.unit = "MB/s", .higher_is_better = true, .gates = false, .harmonic_mean = true}},
      {"threads-4-elapsed-s", {}}};
  PhaseRecord phase;
  phase.workloads.push_back(w);
  IterationRecord r;
  r.status = "complete";
  r.phases.push_back(phase);
  json written = r;
  EXPECT_EQ(written["phases"][0]["workloads"][0]["metric_declarations"]["threads-4-mb-per-s"],
            (json{{"unit", "MB/s"}, {"direction", "higher_is_better"}, {"gates", false}, {"harmonic_mean", true}}));
  auto read = parse_iteration_record(written, "result.json");
  EXPECT_EQ(json(read), written);
  const auto* rate = read.phases[0].workloads[0].declaration("threads-4-mb-per-s");
  ASSERT_NE(rate, nullptr);
  EXPECT_TRUE(rate->higher_is_better);
  EXPECT_EQ(read.phases[0].workloads[0].declaration("bytes-written-mib"), nullptr);

  json old = {{"status", "complete"}, {"phases", {{{"workloads", {{{"instance", "w"}, {"metrics", {{"x", 1}}}}}}}}}};
  EXPECT_FALSE(parse_iteration_record(old, "r.json").phases[0].workloads[0].metric_declarations);

  json bad = old;
  bad["phases"][0]["workloads"][0]["metric_declarations"] = {{"x", {{"direction", "up"}}}};
  EXPECT_EQ(error_of([&] { parse_iteration_record(bad, "r.json"); }),
            "r.json: \"phases\"[0].\"workloads\"[0].\"metric_declarations\".\"x\".\"direction\" must be "
            "\"higher_is_better\" or \"lower_is_better\"");
  bad["phases"][0]["workloads"][0]["metric_declarations"] = {{"x", 1}};
  EXPECT_EQ(error_of([&] { parse_iteration_record(bad, "r.json"); }),
            "r.json: \"phases\"[0].\"workloads\"[0].\"metric_declarations\".\"x\" must be an object");
}

TEST(RunRecords, AMissingOrNewerSchemaIsRefused) {
  EXPECT_EQ(error_of([] {
              parse_run_manifest(json{{"status", "complete"}}, "m.json");
            }),
            "m.json: not a memharness manifest (no \"schema_version\")");
  EXPECT_EQ(error_of([] {
              parse_run_manifest(json{{"schema_version", 2}}, "m.json");
            }),
            "m.json: schema_version 2 is not supported (this memharness reads 1)");
  EXPECT_EQ(error_of([] {
              parse_tracepoints_document(json{{"schema_version", 2}}, "t.json");
            }),
            "t.json: schema_version 2 is not supported (this memharness reads 1)");
  EXPECT_EQ(error_of([] {
              parse_tracepoints_document(json{{"schema_version", "1"}}, "t.json");
            }),
            "t.json: \"schema_version\" must be a whole number");
}

// What the history store needs: the runs of a test under a label, oldest
// first, with their manifests and iterations.
TEST(RunRecords, RunsOfATestUnderALabelAreListedOldestFirst) {
  auto labels = list_labels(results_root);
  EXPECT_EQ(std::set<std::string>(labels.begin(), labels.end()),
            (std::set<std::string>{"a", "ab", "b", "c-regressed", "tp", "tp-no-write-event"}));
  auto runs = list_runs(results_root, "a", "anon-dirty-quick");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].filename(), "2026-11-22T04-54-45Z");
  EXPECT_EQ(runs[1].filename(), "2026-11-22T05-20-00Z");
  auto stored = read_runs(results_root, "a", "anon-dirty-quick");
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].manifest.status, RunStatus::complete);
  EXPECT_EQ(stored[1].manifest.status, RunStatus::incomplete);
  EXPECT_EQ(stored[0].iterations.size(), 3u);
  EXPECT_TRUE(list_runs(results_root, "a", "no-such-test").empty());
}

}  // namespace
}  // namespace memharness::results
