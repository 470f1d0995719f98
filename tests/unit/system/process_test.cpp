// run_process without a cgroup: exit statuses, whole-tree accounting, deadlines.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/system/process.h"

namespace memharness::system {
namespace {

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("memharness-process-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ProcessOutcome run(std::vector<std::string> argv,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    SpawnOptions options;
    options.argv = std::move(argv);
    options.log_file = dir_ / "log";
    options.deadline = std::chrono::steady_clock::now() + timeout;
    return run_process(options);
  }
  std::string log() const {
    std::ifstream in(dir_ / "log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::filesystem::path dir_;
};

TEST_F(ProcessTest, ReportsExitStatusAndCapturesOutput) {
  auto outcome = run({"sh", "-c", "echo hello; echo oops >&2; exit 3"});
  EXPECT_TRUE(outcome.started);
  EXPECT_EQ(outcome.exit_status, 3);
  EXPECT_EQ(outcome.term_signal, 0);
  EXPECT_FALSE(outcome.exited_zero());
  EXPECT_EQ(log(), "hello\noops\n");
}

TEST_F(ProcessTest, ReportsTheSignalThatKilledIt) {
  auto outcome = run({"sh", "-c", "kill -SEGV $$"});
  EXPECT_TRUE(outcome.started);
  EXPECT_EQ(outcome.term_signal, SIGSEGV);
  EXPECT_EQ(outcome.failure_sentence(), "sh was killed by signal 11");
}

TEST_F(ProcessTest, FailureSentenceSaysWhatHappened) {
  EXPECT_EQ(run({"true"}).failure_sentence(), "");
  EXPECT_EQ(run({"sh", "-c", "exit 3"}).failure_sentence(), "sh exited with status 3 (see its log)");
  EXPECT_EQ(run({"sleep", "30"}, std::chrono::milliseconds(200)).failure_sentence(),
            "sleep was killed at the phase timeout");
  EXPECT_EQ(run({"/nonexistent/x"}).failure_sentence(), "/nonexistent/x could not be executed: No such file or directory");
}

TEST_F(ProcessTest, ExecFailureIsReportedNotThrown) {
  auto outcome = run({"/nonexistent/program"});
  EXPECT_FALSE(outcome.started);
  EXPECT_EQ(outcome.failure, "/nonexistent/program could not be executed: No such file or directory");
}

TEST_F(ProcessTest, JoiningAMissingCgroupIsReported) {
  SpawnOptions options;
  options.argv = {"true"};
  options.cgroup_procs_file = dir_ / "no-such-cgroup" / "cgroup.procs";
  auto outcome = run_process(options);
  EXPECT_FALSE(outcome.started);
  EXPECT_NE(outcome.failure.find("could not join the test cgroup"), std::string::npos) << outcome.failure;
}

TEST_F(ProcessTest, CpuTimeIncludesOrphanedGrandchildren) {
  // The grandchild is orphaned (its parent exits at once) and does a fixed
  // amount of CPU work (~0.3 s of CPU here; a fixed count, not a wall-clock
  // bound, so a loaded machine cannot shrink it): a plain wait4 on the child
  // would not see its time.
  auto outcome = run({"sh", "-c", "(sh -c 'i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done' &) ; exit 0"});
  EXPECT_TRUE(outcome.exited_zero());
  EXPECT_GE(outcome.elapsed_s, outcome.user_s + outcome.sys_s - 0.05);  // the supervisor waited for the orphan
  EXPECT_GT(outcome.user_s + outcome.sys_s, 0.1);
  EXPECT_GT(outcome.max_rss_kb, 0);
}

TEST_F(ProcessTest, DeadlineKillsTheWholeTree) {
  auto marker = dir_ / "survivor";
  auto outcome = run({"sh", "-c", "sleep 30 & sleep 30; touch \"$1\"", "sh", marker.string()},
                     std::chrono::milliseconds(300));
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_EQ(outcome.term_signal, SIGKILL);
  EXPECT_LT(outcome.elapsed_s, 10.0);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// A process that left the tree's process group (setsid) survives the kill of
// the group, and the supervisor waits for it as a subreaper: after the grace
// period the supervisor is killed, and the outcome says the CPU times are lost
// instead of reporting zeros.
TEST_F(ProcessTest, ASupervisorStuckAfterTheDeadlineLosesTheUsageAndSaysSo) {
  auto pid_file = dir_ / "escaped.pid";
  SpawnOptions options;
  options.argv = {"sh", "-c", "setsid sh -c 'echo $$ > \"$1\"; exec sleep 30' sh \"$1\" & sleep 30", "sh",
                  pid_file.string()};
  options.log_file = dir_ / "log";
  options.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  options.stop_grace = std::chrono::milliseconds(200);
  auto outcome = run_process(options);
  if (std::ifstream in(pid_file); in) {
    pid_t escaped = 0;
    in >> escaped;
    if (escaped > 0) ::kill(escaped, SIGKILL);  // ours: it escaped the tree on purpose
  }
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_TRUE(outcome.usage_lost);
  EXPECT_EQ(outcome.failure, "the process supervisor died before reporting (killed?)");
  EXPECT_LT(outcome.elapsed_s, 10.0);
  ProcessOutcome total;
  total.accumulate(outcome);
  EXPECT_TRUE(total.usage_lost);
}

TEST_F(ProcessTest, StopTokenStopsIt) {
  std::stop_source source;
  SpawnOptions options;
  options.argv = {"sleep", "30"};
  options.stop = source.get_token();
  source.request_stop();
  auto outcome = run_process(options);
  EXPECT_TRUE(outcome.stopped);
  EXPECT_FALSE(outcome.timed_out);
  EXPECT_EQ(outcome.term_signal, SIGKILL);
}

TEST(FindProgram, FindsShellAndNotNonsense) {
  EXPECT_TRUE(find_program("sh").has_value());
  EXPECT_FALSE(find_program("memharness-no-such-program").has_value());
  EXPECT_TRUE(find_program("/bin/sh").has_value());
}

}  // namespace
}  // namespace memharness::system
