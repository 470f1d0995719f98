#include "probes/tracepoints/text_aggregator.h"

#include <algorithm>
#include <bit>
#include <charconv>

#include "harness/common/utf8.h"

namespace memharness::probes {

// Declared in the header so that TextAggregator::handle can take one.
enum class TextEvent : std::uint8_t {
  direct_reclaim_begin,
  direct_reclaim_end,
  memcg_reclaim_begin,
  memcg_reclaim_end,
  wakeup_kswapd,
  kswapd_wake,
  kswapd_sleep,
  lru_shrink_inactive,
  lru_isolate,
  write_folio,  // and mm_vmscan_writepage: same fields
  throttled,
  try_to_compact_pages,
  compaction_begin,
  compaction_end,
  compaction_migratepages,
  compaction_deferred,
  compaction_defer,
  compaction_defer_reset,
  kcompactd_wake,
  wakeup_kcompactd,
  balance_dirty_pages,
  process_fork,
  process_exit,
};

namespace {

using Event = TextEvent;

struct EventName {
  std::string_view name;
  Event event;
};
constexpr std::array<EventName, kTextEventNames> kTextEvents = {{
    {"mm_vmscan_direct_reclaim_begin", Event::direct_reclaim_begin},
    {"mm_vmscan_direct_reclaim_end", Event::direct_reclaim_end},
    {"mm_vmscan_memcg_reclaim_begin", Event::memcg_reclaim_begin},
    {"mm_vmscan_memcg_reclaim_end", Event::memcg_reclaim_end},
    {"mm_vmscan_wakeup_kswapd", Event::wakeup_kswapd},
    {"mm_vmscan_kswapd_wake", Event::kswapd_wake},
    {"mm_vmscan_kswapd_sleep", Event::kswapd_sleep},
    {"mm_vmscan_lru_shrink_inactive", Event::lru_shrink_inactive},
    {"mm_vmscan_lru_isolate", Event::lru_isolate},
    {"mm_vmscan_write_folio", Event::write_folio},
    {"mm_vmscan_writepage", Event::write_folio},
    {"mm_vmscan_throttled", Event::throttled},
    {"mm_compaction_try_to_compact_pages", Event::try_to_compact_pages},
    {"mm_compaction_begin", Event::compaction_begin},
    {"mm_compaction_end", Event::compaction_end},
    {"mm_compaction_migratepages", Event::compaction_migratepages},
    {"mm_compaction_deferred", Event::compaction_deferred},
    {"mm_compaction_defer_compaction", Event::compaction_defer},
    {"mm_compaction_defer_reset", Event::compaction_defer_reset},
    {"mm_compaction_kcompactd_wake", Event::kcompactd_wake},
    {"mm_compaction_wakeup_kcompactd", Event::wakeup_kcompactd},
    {"balance_dirty_pages", Event::balance_dirty_pages},
    {"sched_process_fork", Event::process_fork},
    {"sched_process_exit", Event::process_exit},
}};

// The event name is looked up on every line of a capture: hashing it with
// std::hash and a std::unordered_map measured ~13% of import time. This hash of
// the name's length and two of its characters puts each of kTextEvents in a
// slot of its own (the constants were found by search; kSlotToEvent is built
// at compile time and its throw fails the build if a new name collides), so a
// lookup is one string compare.
constexpr std::size_t kNameSlots = 64;
constexpr std::size_t kNoSlot = kNameSlots;
constexpr std::size_t name_slot(std::string_view name) {
  if (name.size() < 11) return kNoSlot;  // shorter than any name we use
  auto c = [&](std::size_t from_end) {
    return static_cast<std::size_t>(static_cast<unsigned char>(name[name.size() - from_end]));
  };
  return (name.size() * 10 + c(1) + 3 * c(11)) % kNameSlots;
}
constexpr std::array<std::int8_t, kNameSlots> kSlotToEvent = [] {
  std::array<std::int8_t, kNameSlots> slots{};
  slots.fill(-1);
  for (std::size_t i = 0; i < kTextEvents.size(); ++i) {
    auto slot = name_slot(kTextEvents[i].name);
    if (slot == kNoSlot || slots[slot] != -1) throw "two event names share a slot: choose other name_slot() constants";
    slots[slot] = static_cast<std::int8_t>(i);
  }
  return slots;
}();

// The index in kTextEvents of an event the aggregates use.
std::optional<std::size_t> text_event_index(std::string_view name) {
  auto slot = name_slot(name);
  if (slot == kNoSlot || kSlotToEvent[slot] < 0) return std::nullopt;
  auto index = static_cast<std::size_t>(kSlotToEvent[slot]);
  if (kTextEvents[index].name != name) return std::nullopt;
  return index;
}

// As log2_bucket() in reclaim.bpf.c: floor(log2(ns)), 0 and 1 in bucket 0.
int log2_bucket(std::uint64_t ns) {
  int bucket = ns == 0 ? 0 : std::bit_width(ns) - 1;
  return std::min(bucket, MH_HIST_BUCKETS - 1);
}

std::uint64_t non_negative(std::int64_t v) { return v > 0 ? static_cast<std::uint64_t>(v) : 0; }

// mm_vmscan_throttled prints its reason (1 << enum vmscan_throttle_state) by name.
std::optional<int> throttle_reason(std::string_view name) {
  for (int r = 0; r < MH_THROTTLE_REASONS; ++r)
    if (name.size() == 16 + throttle_reason_name(r).size() && name.rfind("VMSCAN_THROTTLE_", 0) == 0 &&
        name.substr(16) == throttle_reason_name(r))
      return r;
  return std::nullopt;
}

}  // namespace

const CompactionStatusValues& default_compaction_statuses() {
  // enum compact_result, unchanged from 5.x to 6.18 (the 6.1, 6.12 and 6.18
  // format files in tests/fixtures/tracepoints/ print these pairs).
  static const CompactionStatusValues values = {
      {"not_suitable_zone", 0}, {"skipped", 1},         {"deferred", 2},  {"no_suitable_page", 3}, {"continue", 4},
      {"complete", 5},          {"partial_skipped", 6}, {"contended", 7}, {"success", 8},
  };
  return values;
}

CompactionStatusValues compaction_statuses_from_format(std::string_view format) {
  CompactionStatusValues values;
  auto at = format.find("__print_symbolic(REC->status");
  if (at == std::string_view::npos) return values;
  auto end = format.find(')', at);
  std::string_view list = format.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
  // {5, "complete"}
  for (auto open = list.find('{'); open != std::string_view::npos; open = list.find('{', open + 1)) {
    auto comma = list.find(',', open);
    auto q1 = list.find('"', comma);
    auto q2 = q1 == std::string_view::npos ? q1 : list.find('"', q1 + 1);
    if (comma == std::string_view::npos || q2 == std::string_view::npos) break;
    std::string_view number = list.substr(open + 1, comma - open - 1);
    while (!number.empty() && number.front() == ' ') number.remove_prefix(1);
    int value = 0;
    auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec == std::errc()) values[std::string(list.substr(q1 + 1, q2 - q1 - 1))] = value;
  }
  return values;
}

std::map<std::string, std::uint64_t> TextCaptureStats::per_event() const {
  std::map<std::string, std::uint64_t> counts;
  for (std::size_t i = 0; i < kTextEvents.size(); ++i)
    if (per_event_index[i] > 0) counts[std::string(kTextEvents[i].name)] = per_event_index[i];
  return counts;
}

std::uint64_t TextCaptureStats::unparsable_lines() const {
  std::uint64_t n = 0;
  for (const auto& [what, p] : unparsable) n += p.count;
  return n;
}

TextAggregator::TextAggregator(std::int64_t root_tgid, CompactionStatusValues statuses)
    : root_tgid_(root_tgid), statuses_(std::move(statuses)) {}

void TextAggregator::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    auto newline = chunk.find('\n');
    bool complete = newline != std::string_view::npos;
    std::string_view piece = chunk.substr(0, newline);
    if (skipping_overlong_) {
      // The rest of a line already reported as too long: dropped, not kept.
    } else if (partial_.size() + piece.size() > kMaxLineBytes) {
      partial_.append(piece.substr(0, kMaxLineBytes - partial_.size()));
      overlong_line();
      partial_.clear();
      skipping_overlong_ = true;
    } else if (complete && partial_.empty()) {
      add_line(piece);
    } else if (complete) {
      partial_.append(piece);
      std::string line = std::move(partial_);
      partial_.clear();
      add_line(line);
    } else {
      partial_.append(piece);
    }
    std::size_t consumed = complete ? newline + 1 : chunk.size();
    stats_.bytes += consumed;
    if (complete) {
      skipping_overlong_ = false;
      line_start_offset_ = stats_.bytes;
    }
    chunk.remove_prefix(consumed);
  }
}

void TextAggregator::flush() {
  skipping_overlong_ = false;
  if (partial_.empty()) return;
  std::string line = std::move(partial_);
  partial_.clear();
  add_line(line);
}

void TextAggregator::overlong_line() {
  ++line_number_;
  ++stats_.lines;
  problem(kOverlongLine, partial_);
  if (!stats_.first_overlong_line) stats_.first_overlong_line = {line_number_, line_start_offset_};
}

void TextAggregator::problem(std::string_view what, std::string_view line) {
  auto& p = stats_.unparsable[std::string(what)];
  if (p.count++ == 0) {
    p.first_line = line_number_;
    // Valid UTF-8, since it goes into tracepoints.json: a comm may hold any
    // bytes, and the cut at 200 may split a character.
    p.example = valid_utf8(line.substr(0, 200));
  }
}

void TextAggregator::add_line(std::string_view line) {
  ++line_number_;
  ++stats_.lines;
  auto parsed = parse_ftrace_line(line);
  switch (parsed.kind) {
    case FtraceLineKind::ignorable: return;
    case FtraceLineKind::lost: stats_.lost_events += parsed.lost_events; return;
    case FtraceLineKind::malformed: problem(parsed.problem, line); return;
    case FtraceLineKind::event: break;
  }
  const auto& ev = parsed.event;
  auto index = text_event_index(ev.name);
  if (!index) {
    ++stats_.other_events;
    return;
  }
  if (!stats_.first_ns) stats_.first_ns = ev.timestamp_ns;
  stats_.last_ns = std::max(stats_.last_ns.value_or(0), ev.timestamp_ns);
  if (ev.tgid) stats_.saw_tgid = true;
  current_line_ = line;
  ++stats_.per_event_index[*index];
  ++stats_.events;
  handle(ev, kTextEvents[*index].event);
}

template <typename F>
void TextAggregator::for_scopes(bool workload, F&& f) {
  f(MH_SCOPE_SYSTEM);
  if (workload) f(MH_SCOPE_WORKLOAD);
}

bool TextAggregator::is_workload(const FtraceEvent& ev) const {
  std::int64_t tgid = ev.tgid.value_or(ev.pid);
  return tgid != root_tgid_ && tracked_.contains(tgid);
}

int TextAggregator::reclaim_context(const FtraceEvent& ev) const {
  auto pid = static_cast<std::uint64_t>(ev.pid);
  if (open_stalls_.contains(pid << 8 | static_cast<std::uint64_t>(Stall::memcg))) return MH_CTX_MEMCG_RECLAIM;
  if (open_stalls_.contains(pid << 8 | static_cast<std::uint64_t>(Stall::direct))) return MH_CTX_DIRECT_RECLAIM;
  if (ev.comm.rfind("kswapd", 0) == 0 || kswapd_pids_.contains(ev.pid)) return MH_CTX_KSWAPD;
  return MH_CTX_OTHER;
}

void TextAggregator::stall_begin(const FtraceEvent& ev, Stall kind, int context) {
  open_stalls_[static_cast<std::uint64_t>(ev.pid) << 8 | static_cast<std::uint64_t>(kind)] = ev.timestamp_ns;
  for_scopes(is_workload(ev), [&](int scope) { ++raw_.contexts[scope][context].begins; });
}

void TextAggregator::stall_end(const FtraceEvent& ev, Stall kind, int context) {
  bool workload = is_workload(ev);
  auto it = open_stalls_.find(static_cast<std::uint64_t>(ev.pid) << 8 | static_cast<std::uint64_t>(kind));
  if (it == open_stalls_.end()) {
    for_scopes(workload, [&](int scope) { ++raw_.scopes[scope].unpaired_ends; });
    return;
  }
  std::uint64_t ns = ev.timestamp_ns >= it->second ? ev.timestamp_ns - it->second : 0;
  open_stalls_.erase(it);
  int bucket = log2_bucket(ns);
  for_scopes(workload, [&](int scope) {
    auto& cell = raw_.contexts[scope][context];
    ++cell.stalls;
    cell.stall_ns_total += ns;
    cell.stall_ns_max = std::max<__u64>(cell.stall_ns_max, ns);
    ++cell.stall_hist[bucket];
  });
}

void TextAggregator::handle(const FtraceEvent& ev, TextEvent event) {
  const std::string_view f = ev.fields;
  auto need = [&](std::string_view key) -> std::optional<std::int64_t> {
    auto v = field_integer(f, key);
    if (!v) problem(std::string(ev.name) + ": no integer " + std::string(key) + "=", current_line_);
    return v;
  };
  auto scope_count = [&](__u64 mh_scope_stats::*member) {
    for_scopes(is_workload(ev), [&](int scope) { ++(raw_.scopes[scope].*member); });
  };
  const bool kcompactd = ev.comm.rfind("kcompactd", 0) == 0;
  switch (event) {
    case Event::direct_reclaim_begin: stall_begin(ev, Stall::direct, MH_CTX_DIRECT_RECLAIM); break;
    case Event::direct_reclaim_end: stall_end(ev, Stall::direct, MH_CTX_DIRECT_RECLAIM); break;
    case Event::memcg_reclaim_begin: stall_begin(ev, Stall::memcg, MH_CTX_MEMCG_RECLAIM); break;
    case Event::memcg_reclaim_end: stall_end(ev, Stall::memcg, MH_CTX_MEMCG_RECLAIM); break;
    case Event::wakeup_kswapd: scope_count(&mh_scope_stats::kswapd_wake_requests); break;
    case Event::kswapd_wake:
    case Event::kswapd_sleep: {
      kswapd_pids_.insert(ev.pid);
      auto nid = need("nid");
      if (!nid) break;
      if (event == Event::kswapd_wake) ++raw_.scopes[MH_SCOPE_SYSTEM].kswapd_wakeups;
      if (*nid < 0 || *nid >= MH_MAX_NODES) break;
      auto& since = kswapd_awake_since_[static_cast<std::size_t>(*nid)];
      if (event == Event::kswapd_wake) {
        if (since == 0) since = ev.timestamp_ns;
      } else if (since != 0) {  // asleep when the capture began: the first interval is unknown
        raw_.scopes[MH_SCOPE_SYSTEM].kswapd_awake_ns += ev.timestamp_ns >= since ? ev.timestamp_ns - since : 0;
        since = 0;
      }
      break;
    }
    case Event::lru_shrink_inactive: {
      auto scanned = need("nr_scanned");
      auto reclaimed = scanned ? need("nr_reclaimed") : std::nullopt;  // one problem per line
      if (!reclaimed) break;
      int context = reclaim_context(ev);
      for_scopes(is_workload(ev), [&](int scope) {
        auto& cell = raw_.contexts[scope][context];
        ++cell.shrink_inactive_calls;
        cell.pages_scanned += non_negative(*scanned);
        cell.pages_reclaimed += non_negative(*reclaimed);
      });
      break;
    }
    case Event::lru_isolate: {
      // "isolate_mode=0 classzone=2 order=0 nr_requested=32 nr_scanned=32 nr_skipped=0
      // nr_taken=32 lru=inactive_file" (6.1; isolate_mode is gone from 6.12 on).
      auto scanned = need("nr_scanned");
      auto skipped = scanned ? need("nr_skipped") : std::nullopt;
      auto taken = skipped ? need("nr_taken") : std::nullopt;
      if (!taken) break;
      auto lru = field_text(f, "lru");
      if (!lru) {
        problem("mm_vmscan_lru_isolate: no lru=", current_line_);
        break;
      }
      bool active = lru->starts_with("active_");
      int context = reclaim_context(ev);
      for_scopes(is_workload(ev), [&](int scope) {
        auto& cell = raw_.contexts[scope][context];
        ++cell.isolate_calls;
        cell.isolate_scanned += non_negative(*scanned);
        if (active) cell.isolate_scanned_active += non_negative(*scanned);
        cell.isolate_taken += non_negative(*taken);
        cell.isolate_skipped += non_negative(*skipped);
      });
      break;
    }
    case Event::write_folio: {
      auto flags = field_text(f, "flags");
      if (!flags) {
        problem(std::string(ev.name) + ": no flags=", current_line_);
        break;
      }
      bool file = flags->find("RECLAIM_WB_FILE") != std::string_view::npos;
      int context = reclaim_context(ev);
      for_scopes(is_workload(ev), [&](int scope) {
        auto& cell = raw_.contexts[scope][context];
        ++(file ? cell.write_file : cell.write_anon);
      });
      break;
    }
    case Event::throttled: {
      // The kernel prints "usect_delayed" (sic) since the event's introduction in 5.16.
      auto delayed = field_integer(f, "usect_delayed");
      if (!delayed) delayed = field_integer(f, "usec_delayed");
      auto reason_text = field_text(f, "reason");
      if (!delayed || !reason_text) {
        problem("mm_vmscan_throttled: no usect_delayed= or reason=", current_line_);
        break;
      }
      auto reason = throttle_reason(*reason_text);
      if (!reason) break;  // VMSCAN_THROTTLE_NONE, or combined flags: BPF drops them too
      for_scopes(is_workload(ev), [&](int scope) {
        ++raw_.scopes[scope].throttled[*reason];
        raw_.scopes[scope].throttled_delay_us[*reason] += non_negative(*delayed);
      });
      break;
    }
    case Event::try_to_compact_pages: scope_count(&mh_scope_stats::direct_compactions); break;
    case Event::compaction_begin:
      stall_begin(ev, Stall::compaction, kcompactd ? MH_CTX_KCOMPACTD : MH_CTX_DIRECT_COMPACTION);
      break;
    case Event::compaction_end: {
      auto status = field_text(f, "status");
      stall_end(ev, Stall::compaction, kcompactd ? MH_CTX_KCOMPACTD : MH_CTX_DIRECT_COMPACTION);
      if (!status) {
        problem("mm_compaction_end: no status=", current_line_);
        break;
      }
      auto it = statuses_.find(*status);
      if (it == statuses_.end()) {
        problem("mm_compaction_end: unknown status name", current_line_);
        break;
      }
      if (it->second >= 0 && it->second < MH_COMPACT_STATUSES)
        for_scopes(is_workload(ev), [&](int scope) { ++raw_.scopes[scope].compaction_ends[it->second]; });
      break;
    }
    case Event::compaction_migratepages: {
      auto migrated = need("nr_migrated");
      auto failed = migrated ? need("nr_failed") : std::nullopt;
      if (!failed) break;
      for_scopes(is_workload(ev), [&](int scope) {
        raw_.scopes[scope].compaction_migrated += non_negative(*migrated);
        raw_.scopes[scope].compaction_migrate_failed += non_negative(*failed);
      });
      break;
    }
    case Event::compaction_deferred: scope_count(&mh_scope_stats::compaction_deferred); break;
    case Event::compaction_defer: scope_count(&mh_scope_stats::compaction_defer); break;
    case Event::compaction_defer_reset: scope_count(&mh_scope_stats::compaction_defer_reset); break;
    case Event::kcompactd_wake: ++raw_.scopes[MH_SCOPE_SYSTEM].kcompactd_wakeups; break;
    case Event::wakeup_kcompactd: scope_count(&mh_scope_stats::kcompactd_wake_requests); break;
    case Event::balance_dirty_pages: {
      auto pause = need("pause");  // ms: the event converts jiffies
      if (!pause) break;
      for_scopes(is_workload(ev), [&](int scope) {
        ++raw_.scopes[scope].dirty_throttle_pauses;
        raw_.scopes[scope].dirty_throttle_pause_ms += non_negative(*pause);
      });
      break;
    }
    case Event::process_fork: {
      // The comm fields may hold spaces: child_pid is the last field.
      auto child = last_field_text(f, "child_pid");
      std::int64_t child_pid = 0;
      if (!child || std::from_chars(child->data(), child->data() + child->size(), child_pid).ec != std::errc()) {
        problem("sched_process_fork: no child_pid=", current_line_);
        break;
      }
      std::int64_t parent = ev.tgid.value_or(ev.pid);  // current is the parent
      if (parent == root_tgid_ || tracked_.contains(parent)) tracked_.insert(child_pid);
      break;
    }
    case Event::process_exit: {
      std::int64_t tgid = ev.tgid.value_or(ev.pid);
      if (ev.pid != tgid) {
        tracked_.erase(ev.pid);
        break;
      }
      // 6.16+: group_dead says whether the whole thread group is gone.
      if (auto dead = last_field_text(f, "group_dead"); dead && *dead == "false") break;
      tracked_.erase(tgid);
      break;
    }
  }
}

RawAggregates TextAggregator::aggregates(std::optional<std::uint64_t> end_ns) const {
  RawAggregates raw = raw_;
  std::uint64_t end = end_ns.value_or(stats_.last_ns.value_or(0));
  for (auto since : kswapd_awake_since_) {
    if (since == 0) continue;
    raw.scopes[MH_SCOPE_SYSTEM].kswapd_awake_ns += end > since ? end - since : 0;
    ++raw.kswapd_open_intervals;
  }
  return raw;
}

nlohmann::json capture_json(const TextCaptureStats& stats, std::string_view format) {
  nlohmann::json unparsable = nlohmann::json::object();
  for (const auto& [what, p] : stats.unparsable)
    unparsable[what] = {{"count", p.count}, {"first_line", p.first_line}, {"example", p.example}};
  nlohmann::json per_event = nlohmann::json::object();
  for (const auto& [name, n] : stats.per_event()) per_event[name] = n;
  return {
      {"format", format},
      {"lines", stats.lines},
      {"bytes", stats.bytes},
      {"events", stats.events},
      {"other_events", stats.other_events},
      {"per_event", std::move(per_event)},
      {"lost_event_markers", stats.lost_events},
      {"unparsable_lines", stats.unparsable_lines()},
      {"unparsable", std::move(unparsable)},
      {"tgid_recorded", stats.saw_tgid},
      {"span_s", stats.first_ns && stats.last_ns ? static_cast<double>(*stats.last_ns - *stats.first_ns) / 1e9 : 0.0},
  };
}

}  // namespace memharness::probes
