#pragma once
// iterations/<n>/tracepoints.json: the tracepoint recorder's aggregates
// (schema in docs/run-records.md; the figures under "scopes" in
// docs/probes.md). The recorders build it (probes/tracepoints/aggregates.cpp),
// the runner writes it, run_reader reads it back. The members the harness
// reads are declared here; the tree of figures under "scopes" stays JSON
// (each figure is {"available": true, ...} or {"available": false,
// "reason": ...}) and is read through the accessors below.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace memharness::results {

inline constexpr int tracepoints_schema_version = 1;

// Events the recorder could not count ("lost_events").
struct LostEvents {
  std::optional<std::uint64_t> count;                // null: the kernel cannot count them
  std::optional<bool> observable;                    // written only as false, with the reason
  nlohmann::json others = nlohmann::json::object();  // "source", "reason", "by_tracepoint"
};

// Stall begin/end pairs the recorder could not match ("pairing" of a scope).
struct Pairing {
  std::uint64_t unpaired_ends = 0;
  std::uint64_t open_stall_overflow = 0;
};

struct TracepointsDocument {
  int schema_version = tracepoints_schema_version;
  std::optional<std::string> recorder;  // "bpf", "tracefs", "import"
  std::optional<double> recorded_s;
  std::optional<nlohmann::json> attribution;               // {"method", "root_tgid", "cgroup_id"}
  std::optional<std::map<std::string, bool>> tracepoints;  // "subsystem/event" -> present on the kernel
  nlohmann::json scopes = nlohmann::json::object();        // {"system": ..., "workload": ...}: the figures
  std::optional<LostEvents> lost_events;
  nlohmann::json others = nlohmann::json::object();  // recorder-specific: "capture", "program_stats"

  // The value at a JSON pointer into the document ("/scopes/system/kswapd/
  // wakeups/count") when it is a number; nullopt when absent, unavailable or
  // not a number.
  std::optional<double> number_at(std::string_view pointer) const;
  // The "reason" of the nearest {"available": false} object on a pointer's path, or "".
  std::string unavailable_reason(std::string_view pointer) const;
  // The pairing counts of a scope ("system", "workload"); nullopt when not recorded.
  std::optional<Pairing> pairing(const std::string& scope) const;
};

// Parses tracepoints.json; `file` names it in errors. A schema_version other
// than 1 is refused; a document without one (written before it existed) is 1.
TracepointsDocument parse_tracepoints_document(const nlohmann::json& j, const std::string& file);
void to_json(nlohmann::json& j, const TracepointsDocument& document);

}  // namespace memharness::results
