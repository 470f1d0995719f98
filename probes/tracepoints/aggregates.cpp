#include "probes/tracepoints/aggregates.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <vector>

namespace memharness::probes {

mh_context_stats sum_per_cpu(std::span<const mh_context_stats> per_cpu) {
  mh_context_stats total{};
  for (const auto& c : per_cpu) {
    total.stalls += c.stalls;
    total.stall_ns_total += c.stall_ns_total;
    total.stall_ns_max = std::max(total.stall_ns_max, c.stall_ns_max);
    for (int i = 0; i < MH_HIST_BUCKETS; ++i) total.stall_hist[i] += c.stall_hist[i];
    total.shrink_inactive_calls += c.shrink_inactive_calls;
    total.pages_scanned += c.pages_scanned;
    total.pages_reclaimed += c.pages_reclaimed;
    total.write_file += c.write_file;
    total.write_anon += c.write_anon;
    total.begins += c.begins;
    total.isolate_calls += c.isolate_calls;
    total.isolate_scanned += c.isolate_scanned;
    total.isolate_scanned_active += c.isolate_scanned_active;
    total.isolate_taken += c.isolate_taken;
    total.isolate_skipped += c.isolate_skipped;
  }
  return total;
}

mh_scope_stats sum_per_cpu(std::span<const mh_scope_stats> per_cpu) {
  // Every field is a counter: add them as an array of u64.
  static_assert(sizeof(mh_scope_stats) % sizeof(std::uint64_t) == 0);
  constexpr std::size_t n = sizeof(mh_scope_stats) / sizeof(std::uint64_t);
  std::array<std::uint64_t, n> total{};
  for (const auto& s : per_cpu) {
    std::array<std::uint64_t, n> words{};
    std::memcpy(words.data(), &s, sizeof s);
    for (std::size_t i = 0; i < n; ++i) total[i] += words[i];
  }
  mh_scope_stats out{};
  std::memcpy(&out, total.data(), sizeof out);
  return out;
}

std::string_view context_name(int context) {
  switch (context) {
    case MH_CTX_KSWAPD: return "kswapd";
    case MH_CTX_DIRECT_RECLAIM: return "direct_reclaim";
    case MH_CTX_MEMCG_RECLAIM: return "memcg_reclaim";
    case MH_CTX_DIRECT_COMPACTION: return "direct_compaction";
    case MH_CTX_KCOMPACTD: return "kcompactd";
    default: return "other";
  }
}

std::string_view throttle_reason_name(int reason) {
  static constexpr std::array<std::string_view, MH_THROTTLE_REASONS> names = {"WRITEBACK", "ISOLATED", "NOPROGRESS",
                                                                              "CONGESTED"};
  return reason >= 0 && reason < MH_THROTTLE_REASONS ? names[static_cast<std::size_t>(reason)] : "unknown";
}

namespace {

using json = nlohmann::json;

class Availability {
 public:
  explicit Availability(const std::map<std::string, bool>& available) : available_(available) {}

  // Missing events among `events` ("" when all are there).
  std::vector<std::string> missing(std::initializer_list<std::string_view> events) const {
    std::vector<std::string> out;
    for (auto e : events) {
      auto it = available_.find(std::string(e));
      if (it == available_.end() || !it->second) out.emplace_back(e);
    }
    return out;
  }
  bool any_of(std::initializer_list<std::string_view> events) const { return missing(events).size() < events.size(); }

  // `figure` with "available": true when every event is there, else the marker.
  json gate(std::initializer_list<std::string_view> events, json figure) const {
    auto gone = missing(events);
    if (!gone.empty()) return unavailable(gone);
    figure["available"] = true;
    return figure;
  }
  static json unavailable(const std::vector<std::string>& gone) {
    std::string list;
    for (const auto& g : gone) list += (list.empty() ? "" : ", ") + g;
    return {{"available", false}, {"reason", "not available on this kernel: " + list}};
  }

 private:
  const std::map<std::string, bool>& available_;
};

json histogram_json(const mh_context_stats& c) {
  json buckets = json::array();
  for (int i = 0; i < MH_HIST_BUCKETS; ++i) {
    if (c.stall_hist[i] == 0) continue;
    std::uint64_t low = i == 0 ? 0 : (std::uint64_t{1} << i);
    std::uint64_t high = (std::uint64_t{1} << (i + 1)) - 1;
    buckets.push_back({{"log2", i}, {"low_ns", low}, {"high_ns", high}, {"count", c.stall_hist[i]}});
  }
  return buckets;
}

json stalls_json(const mh_context_stats& c) {
  return {{"count", c.stalls},
          {"begins", c.begins},
          {"total_ns", c.stall_ns_total},
          {"max_ns", c.stall_ns_max},
          {"histogram", histogram_json(c)}};
}

// The begin/end events that delimit stalls in `context`, or none.
std::vector<std::string_view> stall_events(int context) {
  switch (context) {
    case MH_CTX_DIRECT_RECLAIM: return {"vmscan/mm_vmscan_direct_reclaim_begin", "vmscan/mm_vmscan_direct_reclaim_end"};
    case MH_CTX_MEMCG_RECLAIM: return {"vmscan/mm_vmscan_memcg_reclaim_begin", "vmscan/mm_vmscan_memcg_reclaim_end"};
    case MH_CTX_DIRECT_COMPACTION:
    case MH_CTX_KCOMPACTD: return {"compaction/mm_compaction_begin", "compaction/mm_compaction_end"};
    default: return {};
  }
}

json scope_json(const RawAggregates& raw, int scope, const Availability& av) {
  const bool system_scope = scope == MH_SCOPE_SYSTEM;
  const auto& s = raw.scopes[static_cast<std::size_t>(scope)];
  json contexts = json::object();
  const bool have_writes = av.any_of({"vmscan/mm_vmscan_write_folio", "vmscan/mm_vmscan_writepage"});
  for (int c = 0; c < MH_NR_CONTEXTS; ++c) {
    const auto& cell = raw.contexts[static_cast<std::size_t>(scope)][static_cast<std::size_t>(c)];
    json cj = json::object();
    auto events = stall_events(c);
    if (events.size() == 2) cj["stalls"] = av.gate({events[0], events[1]}, stalls_json(cell));
    cj["reclaim"] =
        av.gate({"vmscan/mm_vmscan_lru_shrink_inactive"}, {{"shrink_inactive_calls", cell.shrink_inactive_calls},
                                                           {"pages_scanned", cell.pages_scanned},
                                                           {"pages_reclaimed", cell.pages_reclaimed}});
    cj["isolate"] = av.gate({"vmscan/mm_vmscan_lru_isolate"}, {{"calls", cell.isolate_calls},
                                                               {"pages_scanned", cell.isolate_scanned},
                                                               {"pages_scanned_active", cell.isolate_scanned_active},
                                                               {"pages_taken", cell.isolate_taken},
                                                               {"pages_skipped", cell.isolate_skipped}});
    cj["writes"] = have_writes ? json{{"available", true}, {"file", cell.write_file}, {"anon", cell.write_anon}}
                               : Availability::unavailable({"vmscan/mm_vmscan_write_folio or mm_vmscan_writepage"});
    contexts[std::string(context_name(c))] = std::move(cj);
  }
  if (!system_scope) {
    // kswapd and kcompactd are kernel threads: none of their work is a workload's.
    contexts["kswapd"] = {{"available", false}, {"reason", "not attributable: kswapd is a kernel thread"}};
    contexts["kcompactd"] = {{"available", false}, {"reason", "not attributable: kcompactd is a kernel thread"}};
  }

  json out = {{"contexts", std::move(contexts)}};
  json kswapd = {{"wake_requests", av.gate({"vmscan/mm_vmscan_wakeup_kswapd"}, {{"count", s.kswapd_wake_requests}})}};
  if (system_scope) {
    kswapd["wakeups"] = av.gate({"vmscan/mm_vmscan_kswapd_wake"}, {{"count", s.kswapd_wakeups}});
    kswapd["awake"] = av.gate({"vmscan/mm_vmscan_kswapd_wake", "vmscan/mm_vmscan_kswapd_sleep"},
                              {{"total_ns", s.kswapd_awake_ns}, {"open_at_end", raw.kswapd_open_intervals}});
  }
  out["kswapd"] = std::move(kswapd);

  json reasons = json::object();
  for (int r = 0; r < MH_THROTTLE_REASONS; ++r)
    reasons[std::string(throttle_reason_name(r))] = {{"count", s.throttled[r]}, {"delay_us", s.throttled_delay_us[r]}};
  out["throttled"] = av.gate({"vmscan/mm_vmscan_throttled"}, {{"by_reason", std::move(reasons)}});

  json statuses = json::object();
  for (int i = 0; i < MH_COMPACT_STATUSES; ++i)
    if (s.compaction_ends[i] != 0) statuses[std::to_string(i)] = s.compaction_ends[i];
  json compaction = {
      {"direct_compactions",
       av.gate({"compaction/mm_compaction_try_to_compact_pages"}, {{"count", s.direct_compactions}})},
      {"ends_by_status", av.gate({"compaction/mm_compaction_end"}, {{"by_status", std::move(statuses)}})},
      {"migrate", av.gate({"compaction/mm_compaction_migratepages"},
                          {{"pages_migrated", s.compaction_migrated}, {"pages_failed", s.compaction_migrate_failed}})},
      {"deferred", av.gate({"compaction/mm_compaction_deferred"}, {{"count", s.compaction_deferred}})},
      {"defer_compaction", av.gate({"compaction/mm_compaction_defer_compaction"}, {{"count", s.compaction_defer}})},
      {"defer_reset", av.gate({"compaction/mm_compaction_defer_reset"}, {{"count", s.compaction_defer_reset}})},
      {"kcompactd_wake_requests",
       av.gate({"compaction/mm_compaction_wakeup_kcompactd"}, {{"count", s.kcompactd_wake_requests}})},
  };
  if (system_scope)
    compaction["kcompactd_wakeups"] =
        av.gate({"compaction/mm_compaction_kcompactd_wake"}, {{"count", s.kcompactd_wakeups}});
  out["compaction"] = std::move(compaction);
  out["dirty_throttle"] = av.gate({"writeback/balance_dirty_pages"},
                                  {{"pauses", s.dirty_throttle_pauses}, {"pause_ms", s.dirty_throttle_pause_ms}});
  out["pairing"] = {{"unpaired_ends", s.unpaired_ends}, {"open_stall_overflow", s.open_stall_overflow}};
  return out;
}

}  // namespace

nlohmann::json aggregates_json(const RawAggregates& raw, const std::map<std::string, bool>& available,
                               const RecorderDescription& description) {
  Availability av(available);
  json tracepoints = json::object();
  for (const auto& [name, present] : available) tracepoints[name] = present;
  json attribution = {{"method", description.attribution}, {"root_tgid", description.root_tgid}};
  if (description.workload_cgroup_id) attribution["cgroup_id"] = *description.workload_cgroup_id;
  return {
      {"schema_version", results::tracepoints_schema_version},
      {"recorder", description.recorder},
      {"recorded_s", description.recorded_s},
      {"attribution", std::move(attribution)},
      {"tracepoints", std::move(tracepoints)},
      {"scopes",
       {{"system", scope_json(raw, MH_SCOPE_SYSTEM, av)}, {"workload", scope_json(raw, MH_SCOPE_WORKLOAD, av)}}},
  };
}

results::TracepointSummary tracepoint_summary(const results::TracepointsDocument& document) {
  // The figure at a pointer into "scopes" when it is available and has `field`.
  auto figure = [&document](const std::string& pointer, const char* field) -> const json* {
    json::json_pointer p(pointer);
    if (!document.scopes.contains(p)) return nullptr;
    const auto& f = document.scopes.at(p);
    if (!f.value("available", false) || !f.contains(field)) return nullptr;
    return &f[field];
  };
  auto count = [&figure](const std::string& pointer, const char* field) -> std::optional<std::uint64_t> {
    const json* v = figure(pointer, field);
    return v ? std::optional(v->get<std::uint64_t>()) : std::nullopt;
  };
  auto ms = [&figure](const std::string& pointer) -> std::optional<double> {
    const json* v = figure(pointer, "total_ns");
    return v ? std::optional(v->get<double>() * 1e-6) : std::nullopt;
  };
  const std::string sys = "/system/contexts/", wl = "/workload/contexts/";
  return {
      .direct_reclaims = count(sys + "direct_reclaim/stalls", "count"),
      .direct_reclaim_stall_ms = ms(sys + "direct_reclaim/stalls"),
      .memcg_reclaims = count(wl + "memcg_reclaim/stalls", "count"),
      .memcg_reclaim_stall_ms = ms(wl + "memcg_reclaim/stalls"),
      .kswapd_wakeups = count("/system/kswapd/wakeups", "count"),
      .kswapd_awake_ms = ms("/system/kswapd/awake"),
      .direct_reclaim_write_file = count(sys + "direct_reclaim/writes", "file"),
      .direct_reclaim_write_anon = count(sys + "direct_reclaim/writes", "anon"),
      .kswapd_reclaim_write_file = count(sys + "kswapd/writes", "file"),
      .kswapd_reclaim_write_anon = count(sys + "kswapd/writes", "anon"),
  };
}

}  // namespace memharness::probes
