#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "harness/runner/progress.h"

namespace memharness::runner {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

TEST(Progress, PlainLinesWhenNotOnATerminal) {
  std::ostringstream out;
  Progress progress(out, /*terminal=*/false, "anon-dirty", 3);
  progress.iteration_started(1);
  progress.phase_started("dirty");
  progress.tick();  // nothing: no status line in logs
  progress.iteration_finished(1);
  progress.note("workload \"x\" failed");
  progress.finish();
  std::string text = out.str();
  EXPECT_THAT(text, Not(HasSubstr("\r")));
  EXPECT_THAT(text, Not(HasSubstr("\033")));
  std::istringstream lines(text);
  std::vector<std::string> all;
  for (std::string line; std::getline(lines, line);) all.push_back(line);
  ASSERT_EQ(all.size(), 4u) << text;
  EXPECT_THAT(all[0], MatchesRegex("[0-9][0-9]:[0-9][0-9]:[0-9][0-9] \\[anon-dirty\\] iteration 1/3 started"));
  EXPECT_THAT(all[1], HasSubstr("[anon-dirty] iteration 1/3: phase dirty"));
  EXPECT_THAT(all[2], MatchesRegex(".*iteration 1/3 finished in [0-9]+\\.[0-9]s"));
  EXPECT_THAT(all[3], HasSubstr("workload \"x\" failed"));
}

// A guest booted for one iteration of a VM run knows its number, not the total.
TEST(Progress, AGuestsRoundShowsTheIterationsNumberWithoutATotal) {
  std::ostringstream out;
  Progress progress(out, /*terminal=*/false, "stress-highalloc", 1, /*first_iteration=*/4);
  progress.iteration_started(4);
  progress.phase_started("highalloc");
  progress.iteration_finished(4);
  std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("[stress-highalloc] iteration 4 started\n"));
  EXPECT_THAT(text, HasSubstr("[stress-highalloc] iteration 4: phase highalloc\n"));
  EXPECT_THAT(text, HasSubstr("[stress-highalloc] iteration 4 finished in "));
  EXPECT_THAT(text, Not(HasSubstr("4/1")));
}

TEST(Progress, OneRewrittenLineOnATerminal) {
  std::ostringstream out;
  Progress progress(out, /*terminal=*/true, "anon-dirty", 2);
  progress.iteration_started(1);
  progress.phase_started("dirty");
  std::string text = out.str();
  // Every redraw clears the line and starts at its beginning; no newline yet.
  EXPECT_THAT(text, HasSubstr("\r\033[K[anon-dirty] iteration 1/2  phase dirty  elapsed 0s  ETA --"));
  EXPECT_THAT(text, Not(HasSubstr("\n")));
  progress.iteration_finished(1);
  progress.iteration_started(2);
  // With one iteration done, the ETA is a time, not "--".
  EXPECT_THAT(out.str(), MatchesRegex("(.|\n)*iteration 2/2  phase dirty  elapsed 0s  ETA [0-9]+s$"));
  progress.finish();
  EXPECT_EQ(out.str().substr(out.str().size() - 4), "\r\033[K");  // the status line is cleared
}

}  // namespace
}  // namespace memharness::runner
