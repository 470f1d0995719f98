#pragma once
// Reads an iteration's timeseries.csv (probes/samplers/timeseries_sampler.h
// writes it: a header of column names, then one row per sample) and derives the
// series the HTML report plots.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace memharness::report {

struct TimeSeries {
  std::vector<double> time_s;
  std::map<std::string, std::vector<double>> columns;  // same length as time_s; NaN where a cell was empty

  // nullopt when the file had no such column.
  const std::vector<double>* column(const std::string& name) const;
};

// A row with a different number of fields than the header (the torn last line of
// an interrupted run) is skipped. nullopt when the file is missing or has no header.
std::optional<TimeSeries> read_timeseries(const std::filesystem::path& csv);

// One plotted line: (time, value) points.
struct SeriesPoints {
  std::vector<double> t, v;
  std::string source;  // the columns it came from, for the figure's caption
};

// The report's series, from the sampler's columns. Rates are differences of
// cumulative counters between samples, per second. nullopt when a needed column
// is missing.
std::optional<SeriesPoints> free_memory_mib(const TimeSeries& ts);  // meminfo.MemFree_bytes
std::optional<SeriesPoints> scan_rate_pages_s(
    const TimeSeries& ts);                                         // vmstat.pgscan_anon + _file, else _kswapd + _direct
std::optional<SeriesPoints> stall_ms_per_s(const TimeSeries& ts);  // psi.some_total_us
std::optional<SeriesPoints> psi_avg10(const TimeSeries& ts, const std::string& which);  // psi.{some,full}_avg10

}  // namespace memharness::report
