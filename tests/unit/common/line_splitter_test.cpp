// Lines out of chunks: the same lines however the bytes arrive, an
// unterminated last line at finish(), and no line held longer than the bound.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/common/line_splitter.h"

namespace memharness {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> split_in_chunks(std::string_view text, std::size_t chunk) {
  std::vector<std::string> lines;
  LineSplitter splitter;
  auto add = [&lines](std::string_view line) { lines.emplace_back(line); };
  for (std::size_t at = 0; at < text.size(); at += chunk) splitter.feed(text.substr(at, chunk), add);
  splitter.finish(add);
  return lines;
}

TEST(LineSplitter, TheSameLinesWhateverTheChunks) {
  std::string text = "first\n\nthird\r\nlast, unterminated";
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 7u, 100u})
    EXPECT_THAT(split_in_chunks(text, chunk), ElementsAre("first", "", "third\r", "last, unterminated"))
        << "chunks of " << chunk;
  EXPECT_THAT(split_in_chunks("one\n", 2), ElementsAre("one"));  // no empty line after the last '\n'
  EXPECT_THAT(split_in_chunks("", 2), ElementsAre());
}

// A file without newlines cannot make the splitter hold more than one bound.
TEST(LineSplitter, AnOverlongLineComesInPiecesOfTheBound) {
  constexpr std::size_t max = LineSplitter::kMaxLineBytes;
  std::string text = std::string(2 * max + 10, 'x') + "\nshort\n" + std::string(max, 'y') + "\n";
  for (std::size_t chunk : {4096u, 65536u, 1u << 20}) {
    auto lines = split_in_chunks(text, chunk);
    ASSERT_EQ(lines.size(), 5u) << "chunks of " << chunk;
    EXPECT_EQ(lines[0], std::string(max, 'x'));
    EXPECT_EQ(lines[1], std::string(max, 'x'));
    EXPECT_EQ(lines[2], std::string(10, 'x'));
    EXPECT_EQ(lines[3], "short");
    EXPECT_EQ(lines[4], std::string(max, 'y'));  // exactly the bound: one line
  }
}

class FileLinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("line-splitter-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// More than one read's worth (64 KiB) of lines, one of them across the chunk
// boundary, and a file read on from where the last read stopped.
TEST_F(FileLinesTest, EveryLineOfAFileLargerThanAChunk) {
  auto file = dir_ / "console.log";
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
  ASSERT_GT(text.size(), 2u * 65536);
  std::ofstream(file, std::ios::binary) << text << "tail";
  std::vector<std::string> lines;
  ASSERT_TRUE(for_each_line(file, [&lines](std::string_view line) { lines.emplace_back(line); }));
  ASSERT_EQ(lines.size(), 20001u);
  EXPECT_EQ(lines[0], "line 0");
  EXPECT_EQ(lines[19999], "line 19999");
  EXPECT_EQ(lines[20000], "tail");

  LineSplitter splitter;
  std::vector<std::string> followed;
  auto add = [&followed](std::string_view line) { followed.emplace_back(line); };
  auto offset = feed_file(file, 0, splitter, add);
  EXPECT_EQ(offset, text.size() + 4);
  EXPECT_EQ(followed.size(), 20000u);  // "tail" waits for its newline
  std::ofstream(file, std::ios::binary | std::ios::app) << " continued\n";
  EXPECT_EQ(feed_file(file, offset, splitter, add), text.size() + 15);
  EXPECT_EQ(followed.back(), "tail continued");
  EXPECT_FALSE(for_each_line(dir_ / "missing", add));
  EXPECT_EQ(feed_file(dir_ / "missing", 7, splitter, add), 7u);
}

}  // namespace
}  // namespace memharness
