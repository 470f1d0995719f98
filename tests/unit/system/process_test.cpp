// run_process without a cgroup: exit statuses, whole-tree accounting, deadlines.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/wait.h>

#include "harness/system/process.h"

namespace memharness::system {
namespace {

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("memharness-process-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ProcessOutcome run(std::vector<std::string> argv, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
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
  EXPECT_EQ(run({"/nonexistent/x"}).failure_sentence(),
            "/nonexistent/x could not be executed: No such file or directory");
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
  auto outcome =
      run({"sh", "-c", "sleep 30 & sleep 30; touch \"$1\"", "sh", marker.string()}, std::chrono::milliseconds(300));
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_EQ(outcome.term_signal, SIGKILL);
  EXPECT_LT(outcome.elapsed_s, 10.0);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// Whether a process with this pid exists and is not a zombie (the processes
// tested here are not children of the test: init reaps them).
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z' && text[close + 2] != 'X';
}

// Waits (bounded) for `pid` to end; true when it did.
bool ends_within(pid_t pid, std::chrono::seconds limit) {
  for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;) {
    if (!alive(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !alive(pid);
}

pid_t read_pid(const std::filesystem::path& file) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream in(file);
    pid_t pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

// A process that left the tree's process group (setsid) survives the kill of
// the group; the supervisor, as the subreaper it was reparented to, kills it
// too, and reports the tree's CPU times.
TEST_F(ProcessTest, TheDeadlineAlsoKillsWhatLeftTheProcessGroup) {
  auto pid_file = dir_ / "escaped.pid";
  SpawnOptions options;
  options.argv = {"sh", "-c",
                  "setsid sh -c 'echo $$ > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; exec sleep 30' sh \"$1\" & sleep 30", "sh",
                  pid_file.string()};
  options.log_file = dir_ / "log";
  // Stopped once the escape happened (a deadline could come before it).
  std::stop_source stop;
  options.stop = stop.get_token();
  ProcessOutcome outcome;
  std::thread supervisor([&] { outcome = run_process(options); });
  pid_t escaped = read_pid(pid_file);
  stop.request_stop();
  supervisor.join();
  ASSERT_GT(escaped, 0) << "the escaping process never wrote its pid";
  bool killed = ends_within(escaped, std::chrono::seconds(5));
  if (!killed) ::kill(escaped, SIGKILL);  // ours: it escaped on purpose
  EXPECT_TRUE(killed) << "process " << escaped << " outside the worker's group outlived the stop";
  EXPECT_TRUE(outcome.stopped);
  EXPECT_FALSE(outcome.usage_lost) << outcome.failure;
}

// A supervisor that cannot act on the stop (here: stopped by its own worker)
// is killed after the grace period, and the outcome says the CPU times are
// lost instead of reporting zeros. The worker dies with it.
TEST_F(ProcessTest, ASupervisorStuckAfterTheDeadlineLosesTheUsageAndSaysSo) {
  auto pid_file = dir_ / "worker.pid";
  SpawnOptions options;
  options.argv = {"sh", "-c", "kill -STOP $PPID; echo $$ > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; exec sleep 30", "sh",
                  pid_file.string()};
  options.log_file = dir_ / "log";
  options.stop_grace = std::chrono::milliseconds(200);
  std::stop_source stop;
  options.stop = stop.get_token();
  ProcessOutcome outcome;
  std::thread supervisor([&] { outcome = run_process(options); });
  pid_t worker = read_pid(pid_file);  // written once the supervisor is stopped
  stop.request_stop();
  supervisor.join();
  EXPECT_TRUE(outcome.stopped);
  EXPECT_TRUE(outcome.usage_lost);
  EXPECT_EQ(outcome.failure, "the process supervisor died before reporting (killed?)");
  EXPECT_LT(outcome.elapsed_s, 10.0);
  ProcessOutcome total;
  total.accumulate(outcome);
  EXPECT_TRUE(total.usage_lost);
  ASSERT_GT(worker, 0);
  bool died = ends_within(worker, std::chrono::seconds(5));
  if (!died) ::kill(worker, SIGKILL);
  EXPECT_TRUE(died) << "the worker outlived its killed supervisor";
}

// The harness dies (SIGKILL: nothing of it runs any more): the supervisor
// ends the whole tree, including what left the process group, by itself.
TEST_F(ProcessTest, NothingOfTheTreeOutlivesTheHarness) {
  auto worker_file = dir_ / "worker.pid", escaped_file = dir_ / "escaped.pid";
  pid_t fake_harness = ::fork();
  ASSERT_GE(fake_harness, 0);
  if (fake_harness == 0) {
    SpawnOptions options;
    // One literal script (tests/unit/source/no_shell_with_data_test.sh): the paths are "$1" and "$2".
    // The check wants the script as one string literal: clang-format would split it.
    // clang-format off
    options.argv = {"sh", "-c", "setsid sh -c 'echo $$ > \"$2.tmp\"; mv \"$2.tmp\" \"$2\"; exec sleep 60' sh \"$1\" \"$2\" & echo $$ > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; exec sleep 60",
                    "sh",
                    worker_file.string(),
                    escaped_file.string()};
    // clang-format on
    options.log_file = dir_ / "log";
    run_process(options);
    ::_exit(0);
  }
  pid_t worker = read_pid(worker_file), escaped = read_pid(escaped_file);
  ::kill(fake_harness, SIGKILL);
  int status = 0;
  ::waitpid(fake_harness, &status, 0);
  ASSERT_GT(worker, 0);
  ASSERT_GT(escaped, 0);
  bool worker_died = ends_within(worker, std::chrono::seconds(5));
  bool escaped_died = ends_within(escaped, std::chrono::seconds(5));
  for (pid_t p : {worker, escaped})
    if (alive(p)) ::kill(p, SIGKILL);
  EXPECT_TRUE(worker_died) << "the worker outlived the harness";
  EXPECT_TRUE(escaped_died) << "a process outside the worker's group outlived the harness";
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
