// Against consoles saved by real guests under TCG (tests/fixtures/vm): a 6.12
// guest that ran anon-dirty-quick to the end, and the same kernel booted with
// rdinit=/no-such-init, which panics; and against consoles of ~12 MiB made
// here, read as vm_target reads them (follower, scanner) in bounded memory.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "harness/common/line_splitter.h"
#include "harness/targets/console_follower.h"
#include "harness/targets/console_verdict.h"

namespace memharness::targets {
namespace {

std::filesystem::path fixture_path(const std::string& name) {
  return std::filesystem::path(MEMHARNESS_FIXTURE_DIR) / "vm" / name;
}

std::string fixture(const std::string& name) {
  std::ifstream in(fixture_path(name));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConsoleVerdict, AFinishedGuest) {
  auto console = fixture("console-6.12-complete.log");
  ASSERT_FALSE(console.empty());
  auto verdict = read_console(console);
  EXPECT_TRUE(verdict.began);
  EXPECT_TRUE(verdict.finished);
  EXPECT_FALSE(verdict.panic);
  EXPECT_FALSE(verdict.oops);
  EXPECT_FALSE(verdict.boot_to_workload_s);  // captured before the init printed its uptime
  EXPECT_TRUE(read_console("memharness-guest: begin 6.1 uptime=4.21 console=ttyS0\n").boot_to_workload_s == 4.21);
  GuestOutputFilter filter;
  std::string output;
  for_each_line(fixture_path("console-6.12-complete.log"), [&](std::string_view line) {
    if (auto passed = filter.pass(line)) output.append(*passed).push_back('\n');
  });
  EXPECT_NE(output.find("anon-dirty-quick on 6.12.111+deb12-cloud-amd64 (host)"), std::string::npos) << output;
  EXPECT_EQ(output.find("Power down"), std::string::npos);
  // Its first "memharness: " line, here the summary's (vm_target quotes it only
  // when the guest's harness made no run directory: then it is its error).
  EXPECT_EQ(verdict.guest_harness_message,
            "anon-dirty-quick on 6.12.111+deb12-cloud-amd64 (host), label "
            "6.12.111+deb12-cloud-amd64: complete, 1/1 iterations complete");
}

TEST(ConsoleVerdict, APanicNamesItsLineAndKeepsTheTrace) {
  auto verdict = read_console(fixture("console-6.12-panic.log"));
  EXPECT_TRUE(verdict.panic);
  EXPECT_FALSE(verdict.began);
  EXPECT_FALSE(verdict.finished);
  EXPECT_NE(verdict.first_problem_line.find("Kernel panic - not syncing: VFS: Unable to mount root fs"),
            std::string::npos);
  EXPECT_NE(verdict.excerpt.find("mount_root_generic"), std::string::npos) << verdict.excerpt;
}

TEST(ConsoleVerdict, OopsAndInitErrors) {
  auto verdict = read_console(
      "[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
      "[ 1.1] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
      "memharness-guest: error: no scratch disk (/dev/vda)\n");
  EXPECT_TRUE(verdict.oops);
  EXPECT_FALSE(verdict.panic);
  EXPECT_EQ(verdict.first_problem_line, "[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008");
  EXPECT_EQ(verdict.guest_error, "no scratch disk (/dev/vda)");
}

TEST(ConsoleVerdict, AHungConsoleKeepsItsTail) {
  std::string console;
  for (int i = 0; i < 100; ++i) console += "line " + std::to_string(i) + "\n";
  auto verdict = read_console(console);
  EXPECT_FALSE(verdict.finished);
  EXPECT_NE(verdict.excerpt.find("line 99\n"), std::string::npos);
  EXPECT_EQ(verdict.excerpt.find("line 1\n"), std::string::npos);
}

TEST(ConsoleVerdict, TheGuestHarnessesOwnMessage) {
  auto verdict = read_console(
      "memharness: not in the output yet (before the begin marker)\n"
      "memharness-guest: begin 6.1 uptime=4.21 console=ttyS0\r\n"
      "[    5.0] random: crng init done\r\n"
      "memharness: configs/x.toml:3:1: error: unknown key \"foo\"\r\n"
      "memharness: a second message\r\n"
      "memharness-guest: end status=2\r\n");
  EXPECT_EQ(verdict.guest_harness_message, "configs/x.toml:3:1: error: unknown key \"foo\"");
}

// The verdict as it was computed before consoles were scanned line by line:
// the whole console split at once. The oracle the streamed verdict must match.
ConsoleVerdict whole_console_verdict(std::string_view console) {
  std::vector<std::string_view> lines;
  while (!console.empty()) {
    auto end = console.find('\n');
    auto line = console.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    console.remove_prefix(end + 1);
  }
  auto has = [](std::string_view line, std::string_view what) { return line.find(what) != std::string_view::npos; };
  ConsoleVerdict verdict;
  std::optional<std::size_t> problem;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    verdict.began = verdict.began || has(lines[i], "memharness-guest: begin");
    verdict.finished = verdict.finished || has(lines[i], "memharness-guest: end");
    bool panic = has(lines[i], "Kernel panic - not syncing");
    bool oops = has(lines[i], "Oops:") || has(lines[i], "BUG:") || has(lines[i], "general protection fault");
    verdict.panic = verdict.panic || panic;
    verdict.oops = verdict.oops || oops;
    if ((panic || oops) && !problem) problem = i;
  }
  std::size_t from = problem ? (*problem > 5 ? *problem - 5 : 0) : (lines.size() > 30 ? lines.size() - 30 : 0);
  std::size_t to = problem ? std::min(*problem + 25, lines.size()) : lines.size();
  if (problem) verdict.first_problem_line = std::string(lines[*problem]);
  for (std::size_t i = from; i < to; ++i) verdict.excerpt.append(lines[i]).push_back('\n');
  return verdict;
}

class LargeConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("large-console-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  // ~12 MiB of console: far more than the 64 KiB the follower reads at once,
  // the 64 KiB a line may hold and the 30 lines an excerpt keeps; with a line
  // of 200 KiB and no newline for a while, and `problem` after `problem_at` lines.
  std::string write_console(const std::string& problem, int problem_at) {
    std::string text = "[    0.000000] Linux version 6.12.111\r\nmemharness-guest: begin 6.12 uptime=3.25\r\n";
    for (int i = 0; i < 200000; ++i) {
      if (i == 1000) text += std::string(200 * 1024, '#') + "\r\n";
      if (i == problem_at) text += problem + "\r\n";
      text += "[ " + std::to_string(10 + i) + ".000] Iteration 1/1 phase fill: page allocation line " +
              std::to_string(i) + "\r\n";
    }
    text += "memharness-guest: end status=0\r\nreboot: Power down";
    std::ofstream(dir / "console.log", std::ios::binary) << text;
    return text;
  }

  // As vm_target reads it: the follower hands the lines to the scanner and the filter.
  ConsoleVerdict followed_verdict(std::size_t& guest_lines) {
    ConsoleScanner scanner;
    GuestOutputFilter filter;
    ConsoleFollower follower(dir / "console.log", [&](std::string_view line) {
      scanner.add_line(line);
      if (filter.pass(line)) ++guest_lines;
    });
    follower.finish();
    return scanner.verdict();
  }

  std::filesystem::path dir;
};

void expect_same_verdict(const ConsoleVerdict& streamed, const ConsoleVerdict& whole) {
  EXPECT_EQ(streamed.began, whole.began);
  EXPECT_EQ(streamed.finished, whole.finished);
  EXPECT_EQ(streamed.panic, whole.panic);
  EXPECT_EQ(streamed.oops, whole.oops);
  EXPECT_EQ(streamed.first_problem_line, whole.first_problem_line);
  EXPECT_EQ(streamed.excerpt, whole.excerpt);
}

TEST_F(LargeConsoleTest, AnOopsDeepInALargeConsoleKeepsItsExcerpt) {
  auto text = write_console("[ 95000.1] BUG: unable to handle page fault for address: ffff8880deadbeef", 150000);
  ASSERT_GT(text.size(), 12u << 20);
  std::size_t guest_lines = 0;
  auto verdict = followed_verdict(guest_lines);
  EXPECT_TRUE(verdict.began);
  EXPECT_TRUE(verdict.finished);
  EXPECT_TRUE(verdict.oops);
  EXPECT_TRUE(verdict.boot_to_workload_s == 3.25);
  EXPECT_EQ(verdict.first_problem_line, "[ 95000.1] BUG: unable to handle page fault for address: ffff8880deadbeef");
  EXPECT_EQ(std::count(verdict.excerpt.begin(), verdict.excerpt.end(), '\n'), 30);
  EXPECT_NE(verdict.excerpt.find("page allocation line 149995\n"), std::string::npos) << verdict.excerpt;
  EXPECT_NE(verdict.excerpt.find("page allocation line 150023\n"), std::string::npos) << verdict.excerpt;
  EXPECT_EQ(verdict.excerpt.find("page allocation line 150024\n"), std::string::npos) << verdict.excerpt;
  expect_same_verdict(verdict, whole_console_verdict(text));
  // Every line between the markers, the 200 KiB one in its four pieces.
  EXPECT_EQ(guest_lines, 200000u + 1 + 4);
}

TEST_F(LargeConsoleTest, ALargeConsoleWithoutAProblemKeepsItsTail) {
  auto text = write_console("[ 10.0] nothing wrong here", 5);
  std::size_t guest_lines = 0;
  auto verdict = followed_verdict(guest_lines);
  EXPECT_FALSE(verdict.oops);
  EXPECT_FALSE(verdict.panic);
  EXPECT_EQ(std::count(verdict.excerpt.begin(), verdict.excerpt.end(), '\n'), 30);
  EXPECT_NE(verdict.excerpt.find("reboot: Power down\n"), std::string::npos);
  expect_same_verdict(verdict, whole_console_verdict(text));
}

}  // namespace
}  // namespace memharness::targets
