// The console path of a VM run on a console file of any size, for
// bench/harness-rss.sh: what harness/targets/vm_target.cpp does with a guest's
// console (followed line by line into the verdict and the guest's output, then
// copied into the run directory), and the peak RSS of doing it.
//
//   console-rss-bench stream CONSOLE COPY   the harness's path
//   console-rss-bench whole CONSOLE COPY    the console read whole, as before
//                                           (for comparison: needs RAM for it)
//
// Prints one line of figures; the copy is left for the caller to remove.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include <fmt/core.h>

#include "harness/common/atomic_file.h"
#include "harness/common/file_text.h"
#include "harness/targets/console_follower.h"
#include "harness/targets/console_verdict.h"

namespace {

// This process's peak resident set so far (VmHWM), in KiB.
long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace memharness;
  if (argc != 4 || (std::string(argv[1]) != "stream" && std::string(argv[1]) != "whole")) {
    std::cerr << "usage: console-rss-bench stream|whole CONSOLE COPY\n";
    return 2;
  }
  const std::string mode = argv[1];
  const std::filesystem::path console = argv[2], copy = argv[3];
  const long before_kib = peak_rss_kib();
  const auto started = std::chrono::steady_clock::now();
  std::size_t guest_lines = 0;
  targets::ConsoleVerdict verdict;
  if (mode == "stream") {
    targets::ConsoleScanner scanner;
    targets::GuestOutputFilter guest_output;
    targets::ConsoleFollower follower(console, [&](std::string_view line) {
      scanner.add_line(line);
      if (guest_output.pass(line)) ++guest_lines;  // vm_target prints these
    });
    follower.finish();  // the writer (here: nobody) has exited
    verdict = scanner.verdict();
    copy_file_atomically(console, copy);
  } else {
    std::string text = read_file_text(console);
    verdict = targets::read_console(text);
    write_file_atomically(copy, text);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << fmt::format(
      "mode={} console_bytes={} seconds={:.1f} guest_lines={} began={} finished={} oops={} excerpt_bytes={} "
      "vmhwm_start_kib={} vmhwm_kib={}\n",
      mode, std::filesystem::file_size(console), seconds, guest_lines, verdict.began, verdict.finished, verdict.oops,
      verdict.excerpt.size(), before_kib, peak_rss_kib());
  return verdict.began && verdict.finished && verdict.oops ? 0 : 1;
}
