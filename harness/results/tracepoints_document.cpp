#include "harness/results/tracepoints_document.h"

#include "harness/common/error.h"
#include "harness/results/record_members.h"

namespace memharness::results {

namespace {

using json = nlohmann::json;

// A pointer into the document ("/scopes/system/...") as one into "scopes",
// or nullopt when it is not one or points elsewhere.
std::optional<json::json_pointer> into_scopes(std::string_view pointer) {
  constexpr std::string_view prefix = "/scopes/";
  if (!pointer.starts_with(prefix)) return std::nullopt;
  try {
    return json::json_pointer(std::string(pointer.substr(prefix.size() - 1)));
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<double> TracepointsDocument::number_at(std::string_view pointer) const {
  auto p = into_scopes(pointer);
  if (!p || !scopes.contains(*p)) return std::nullopt;
  const auto& v = scopes.at(*p);
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

std::string TracepointsDocument::unavailable_reason(std::string_view pointer) const {
  auto p = into_scopes(pointer);
  if (!p) return {};
  for (; !p->empty(); *p = p->parent_pointer()) {
    if (!scopes.contains(*p)) continue;
    const auto& v = scopes.at(*p);
    if (!v.is_object()) continue;
    // Of another type (a damaged or foreign file) the marker does not count.
    auto available = v.find("available"), reason = v.find("reason");
    if (available != v.end() && available->is_boolean() && !available->get<bool>())
      return reason != v.end() && reason->is_string() ? reason->get<std::string>() : "not available";
  }
  return {};
}

std::optional<Pairing> TracepointsDocument::pairing(const std::string& scope) const {
  auto s = scopes.find(scope);
  if (s == scopes.end() || !s->is_object()) return std::nullopt;
  auto p = s->find("pairing");
  if (p == s->end()) return std::nullopt;
  // Validated when parsed: an object of counts.
  return Pairing{.unpaired_ends = p->value("unpaired_ends", std::uint64_t{0}),
                 .open_stall_overflow = p->value("open_stall_overflow", std::uint64_t{0})};
}

TracepointsDocument parse_tracepoints_document(const json& j, const std::string& file) {
  RecordMembers m(j, file);
  TracepointsDocument d;
  d.schema_version = m.get<int>("schema_version").value_or(tracepoints_schema_version);
  if (d.schema_version != tracepoints_schema_version)
    throw usage_error("{}: schema_version {} is not supported (this memharness reads {})", file, d.schema_version,
                      tracepoints_schema_version);
  d.recorder = m.get<std::string>("recorder");
  d.recorded_s = m.get<double>("recorded_s");
  d.attribution = m.json_object("attribution");
  if (auto events = m.object("tracepoints")) {
    d.tracepoints.emplace();
    for (const auto& [name, present] : j.at("tracepoints").items()) (*d.tracepoints)[name] = *events->get<bool>(name);
  }
  if (auto scopes = m.object("scopes")) {
    d.scopes = j.at("scopes");
    for (const auto& [name, scope_json] : d.scopes.items()) {
      auto scope = scopes->object(name);
      // compare reads each scope's pairing counts by name.
      if (auto pairing = scope->object("pairing")) {
        pairing->get<std::uint64_t>("unpaired_ends");
        pairing->get<std::uint64_t>("open_stall_overflow");
      }
    }
  }
  if (auto lost = m.object("lost_events")) {
    d.lost_events = LostEvents{.count = lost->get_or_null<std::uint64_t>("count"),
                               .observable = lost->get<bool>("observable"),
                               .others = lost->others({"count", "observable"})};
  }
  d.others =
      m.others({"schema_version", "recorder", "recorded_s", "attribution", "tracepoints", "scopes", "lost_events"});
  return d;
}

void to_json(json& j, const TracepointsDocument& d) {
  j = d.others;
  j["schema_version"] = d.schema_version;
  put_if(j, "recorder", d.recorder);
  put_if(j, "recorded_s", d.recorded_s);
  put_if(j, "attribution", d.attribution);
  put_if(j, "tracepoints", d.tracepoints);
  j["scopes"] = d.scopes;
  if (d.lost_events) {
    json lost = d.lost_events->others;
    lost["count"] = value_or_null(d.lost_events->count);
    put_if(lost, "observable", d.lost_events->observable);
    j["lost_events"] = std::move(lost);
  }
}

}  // namespace memharness::results
