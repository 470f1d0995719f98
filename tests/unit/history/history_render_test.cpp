#include "harness/history/history_render.h"

#include <cstdio>
#include <sstream>

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace memharness::history {
namespace {

// Twenty nights at about 100 s, then ten at about 120 s: one iteration each,
// values fixed so the test needs no random numbers.
MetricSeries stepped_series() {
  MetricSeries series{.metric = "elapsed",
                      .title = "Elapsed",
                      .unit = "s",
                      .test = "t",
                      .harmonic_mean = false,
                      .decimals = 2,
                      .points = {}};
  const double wobble[] = {-1.5, 0.5, 1.0, -0.5, 1.5, -1.0, 0.0, 0.5, -0.5, 1.0};
  for (int night = 0; night < 30; ++night) {
    double level = night < 20 ? 100 : 120;
    series.points.push_back({.started_at = fmt::format("2026-11-{:02}T02:00:00Z", night + 1),
                             .label = "nightly",
                             .kernel_release = night < 20 ? "6.18.1" : "6.18.2",
                             .path = fmt::format("results/nightly/t/{}", night),
                             .values = {level + wobble[night % 10]}});
  }
  return series;
}

TEST(HistoryRender, AChangePointIsMarkedOnTheFirstRunAfterItWithItsSize) {
  std::ostringstream text;
  render_series(text, stepped_series(), HistoryFormat::text);
  std::printf("%s", text.str().c_str());  // docs/history.md shows this table
  std::istringstream lines(text.str());
  std::string line;
  std::vector<std::string> marked;
  while (std::getline(lines, line))
    if (line.find("step ") != std::string::npos) marked.push_back(line);
  ASSERT_EQ(marked.size(), 1u) << text.str();
  EXPECT_EQ(marked[0].rfind("2026-11-21T02:00:00Z  nightly  6.18.2", 0), 0u) << marked[0];
  EXPECT_NE(marked[0].find("step +20.0% ["), std::string::npos) << marked[0];
  EXPECT_NE(text.str().find("1 change point(s) (E-Divisive, alpha 0.01, 199 permutations, min segment 3)"),
            std::string::npos)
      << text.str();

  std::ostringstream json_text;
  render_series(json_text, stepped_series(), HistoryFormat::json);
  auto j = nlohmann::json::parse(json_text.str());
  ASSERT_EQ(j["change_points"].size(), 1u);
  const auto& c = j["change_points"][0];
  EXPECT_EQ(c["run"], 20);
  EXPECT_EQ(c["kernel_release"], "6.18.2");
  EXPECT_NEAR(c["step_pct"].get<double>(), 20.0, 0.1);
  EXPECT_LT(c["difference_low"].get<double>(), 20.0);
  EXPECT_GT(c["difference_high"].get<double>(), 20.0);
  EXPECT_LE(c["p_value"].get<double>(), 0.01);
  EXPECT_EQ(c["segment_before"]["runs"], 20);
  EXPECT_EQ(c["segment_after"]["runs"], 10);
  EXPECT_EQ(j["change_point_method"]["name"], "e-divisive");
}

TEST(HistoryRender, AFlatSeriesHasNoChangePointAndSaysSo) {
  auto series = stepped_series();
  for (auto& p : series.points) p.values = {100.0 + (p.values[0] - (p.values[0] > 110 ? 120 : 100))};
  std::ostringstream text;
  render_series(text, series, HistoryFormat::text);
  EXPECT_EQ(text.str().find("step "), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("0 change point(s)"), std::string::npos) << text.str();
}

TEST(HistoryRender, AStepFromZeroIsGivenInTheMetricsUnit) {
  auto series = stepped_series();
  series.unit = "pages";
  for (std::size_t i = 0; i < series.points.size(); ++i)
    series.points[i].values = {i < 20 ? 0.0 : 500.0 + static_cast<double>(i % 3)};
  std::ostringstream text;
  render_series(text, series, HistoryFormat::text);
  EXPECT_NE(text.str().find("step +501.10 pages ["), std::string::npos) << text.str();
}

}  // namespace
}  // namespace memharness::history
