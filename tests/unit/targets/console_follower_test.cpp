// The follower hands over each console line while the file is still being
// written, and the rest (an unterminated last line too) at finish().
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "harness/targets/console_follower.h"
#include "harness/targets/console_verdict.h"

namespace memharness::targets {
namespace {

namespace fs = std::filesystem;

class Lines {
 public:
  void add(std::string_view line) {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
    changed_.notify_all();
  }
  // Waits for the count (the follower polls); false if it never comes.
  bool wait_for_count(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30), [&] { return lines_.size() >= count; });
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

class ConsoleFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("console-follower-" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  void append(const std::string& text) { std::ofstream(dir / "console.log", std::ios::app | std::ios::binary) << text; }
  fs::path dir;
};

TEST_F(ConsoleFollowerTest, HandsOverLinesAsTheyAreWritten) {
  Lines lines;
  ConsoleFollower follower(
      dir / "console.log", [&](std::string_view line) { lines.add(line); }, std::chrono::milliseconds(10));
  append("[    0.000000] Linux version 6.12\nmemharness-guest: beg");  // qemu writes in pieces
  ASSERT_TRUE(lines.wait_for_count(1));
  append("in 6.12 uptime=3.1\nIteration 1/1 ");
  ASSERT_TRUE(lines.wait_for_count(2));
  EXPECT_EQ(lines.snapshot(),
            (std::vector<std::string>{"[    0.000000] Linux version 6.12", "memharness-guest: begin 6.12 uptime=3.1"}));
  append("started\nreboot: Power down");  // the guest powers off mid-line
  follower.finish();
  auto all = lines.snapshot();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[2], "Iteration 1/1 started");
  EXPECT_EQ(all[3], "reboot: Power down");
  follower.finish();  // a second finish hands over nothing twice
  EXPECT_EQ(lines.snapshot().size(), 4u);
}

TEST_F(ConsoleFollowerTest, AConsoleThatNeverAppearsGivesNoLines) {
  Lines lines;
  {
    ConsoleFollower follower(
        dir / "never-written.log", [&](std::string_view line) { lines.add(line); }, std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(lines.snapshot().empty());
}

TEST(GuestOutputFilter, PassesOnlyWhatTheGuestHarnessPrintedBetweenTheMarkers) {
  GuestOutputFilter filter;
  std::vector<std::string> passed;
  for (std::string_view line : {"[    1.2] virtio_blk virtio1: [vda] 2097152 512-byte logical blocks\r",
                                "memharness-guest: begin 6.1 uptime=4.21 console=ttyS0\r", "Iteration 1/1: Pass 1\r",
                                "[   40.1] kworker: page allocation failure\r", "Run directory: /mnt/results/x\r",
                                "memharness-guest: end status=0\r", "Run directory: after the end marker\r"}) {
    if (auto line_passed = filter.pass(line)) passed.emplace_back(*line_passed);
  }
  // The kernel's own console lines in between are the guest's output too, as
  // guest_run_output has always shown them.
  EXPECT_EQ(passed, (std::vector<std::string>{"Iteration 1/1: Pass 1", "[   40.1] kworker: page allocation failure",
                                              "Run directory: /mnt/results/x"}));
}

}  // namespace
}  // namespace memharness::targets
