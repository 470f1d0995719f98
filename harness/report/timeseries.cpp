#include "harness/report/timeseries.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

namespace memharness::report {

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

double to_number(const std::string& s) {
  constexpr double missing = std::numeric_limits<double>::quiet_NaN();
  if (s.empty()) return missing;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() ? v : missing;
}

// Per-second differences of a cumulative counter; a sample where the counter
// went backwards (it should not) or time did not advance is left out.
SeriesPoints rate(const std::vector<double>& t, const std::vector<double>& counter, double scale) {
  SeriesPoints p;
  for (size_t i = 1; i < t.size(); ++i) {
    double dt = t[i] - t[i - 1], dv = counter[i] - counter[i - 1];
    if (!(dt > 0) || std::isnan(dv) || dv < 0) continue;
    p.t.push_back(t[i]);
    p.v.push_back(dv / dt * scale);
  }
  return p;
}

}  // namespace

const std::vector<double>* TimeSeries::column(const std::string& name) const {
  auto it = columns.find(name);
  return it == columns.end() ? nullptr : &it->second;
}

std::optional<TimeSeries> read_timeseries(const std::filesystem::path& csv) {
  std::ifstream in(csv);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  auto header = split(line);
  if (header.empty() || header.front() != "time_s") return std::nullopt;
  TimeSeries ts;
  for (size_t i = 1; i < header.size(); ++i) ts.columns[header[i]];
  while (std::getline(in, line)) {
    auto fields = split(line);
    if (fields.size() != header.size()) continue;
    double t = to_number(fields[0]);
    if (std::isnan(t)) continue;
    ts.time_s.push_back(t);
    for (size_t i = 1; i < header.size(); ++i) ts.columns[header[i]].push_back(to_number(fields[i]));
  }
  return ts;
}

std::optional<SeriesPoints> free_memory_mib(const TimeSeries& ts) {
  const auto* free = ts.column("meminfo.MemFree_bytes");
  if (!free) return std::nullopt;
  SeriesPoints p;
  p.source = "meminfo.MemFree_bytes";
  for (size_t i = 0; i < ts.time_s.size(); ++i)
    if (!std::isnan((*free)[i])) {
      p.t.push_back(ts.time_s[i]);
      p.v.push_back((*free)[i] / (1 << 20));
    }
  return p;
}

std::optional<SeriesPoints> scan_rate_pages_s(const TimeSeries& ts) {
  // pgscan_anon + pgscan_file count every reclaimer (kswapd, direct, memcg limit,
  // proactive); pgscan_kswapd + pgscan_direct miss memcg limit reclaim, which is
  // what a memcg-limited test mostly does. The sampler may record either pair.
  for (auto [first, second] : {std::pair{"vmstat.pgscan_anon", "vmstat.pgscan_file"},
                               std::pair{"vmstat.pgscan_kswapd", "vmstat.pgscan_direct"}}) {
    const auto* a = ts.column(first);
    const auto* b = ts.column(second);
    if (!a || !b) continue;
    std::vector<double> total(ts.time_s.size());
    for (size_t i = 0; i < total.size(); ++i) total[i] = (*a)[i] + (*b)[i];
    auto p = rate(ts.time_s, total, 1.0);
    p.source = std::string(first) + " + " + second;
    return p;
  }
  return std::nullopt;
}

std::optional<SeriesPoints> stall_ms_per_s(const TimeSeries& ts) {
  const auto* some = ts.column("psi.some_total_us");
  if (!some) return std::nullopt;
  auto p = rate(ts.time_s, *some, 1e-3);
  p.source = "psi.some_total_us";
  return p;
}

std::optional<SeriesPoints> psi_avg10(const TimeSeries& ts, const std::string& which) {
  const auto* avg = ts.column("psi." + which + "_avg10");
  if (!avg) return std::nullopt;
  SeriesPoints p;
  p.source = "psi." + which + "_avg10";
  for (size_t i = 0; i < ts.time_s.size(); ++i)
    if (!std::isnan((*avg)[i])) {
      p.t.push_back(ts.time_s[i]);
      p.v.push_back((*avg)[i]);
    }
  return p;
}

}  // namespace memharness::report
