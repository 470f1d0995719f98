#include "workloads/highalloc/thp_child.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include <fmt/core.h>

#include "harness/common/error.h"

namespace memharness::workloads::highalloc {

namespace {
void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}
}  // namespace

ThpAttemptChild::ThpAttemptChild(std::filesystem::path binary, std::int64_t page_bytes, system::SpawnOptions options) {
  int requests[2], answers[2];
  if (::pipe2(requests, O_CLOEXEC) != 0) throw environment_error("highalloc: pipe failed: {}", std::strerror(errno));
  if (::pipe2(answers, O_CLOEXEC) != 0) {
    ::close(requests[0]);
    ::close(requests[1]);
    throw environment_error("highalloc: pipe failed: {}", std::strerror(errno));
  }
  child_stdin_ = requests[0];
  to_child_ = requests[1];
  from_child_ = answers[0];
  child_stdout_ = answers[1];
  options.argv = {binary.string(), "internal-thp-attempts", "--page-bytes", std::to_string(page_bytes)};
  options.stdin_fd = child_stdin_;
  options.stdout_fd = child_stdout_;
  supervisor_ = std::thread([this, options] {
    outcome_ = system::run_process(options);
    ended_ = true;
  });
}

ThpAttemptChild::~ThpAttemptChild() {
  try {
    finish();
  } catch (const std::exception&) {
  }
}

std::string ThpAttemptChild::read_line() {
  for (;;) {
    if (auto newline = buffered_.find('\n'); newline != std::string::npos) {
      std::string line = buffered_.substr(0, newline);
      buffered_.erase(0, newline + 1);
      return line;
    }
    // The harness holds the child's write end too (it cannot know when the
    // supervisor's fork has copied it), so an ended child shows as `ended_`,
    // not as EOF.
    pollfd pfd{from_child_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, 100);
    if (ready < 0 && errno != EINTR) throw environment_error("highalloc: poll failed: {}", std::strerror(errno));
    if (ready > 0) {
      char chunk[256];
      ssize_t n = ::read(from_child_, chunk, sizeof chunk);
      if (n > 0) {
        buffered_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
    }
    if (ended_ && ::poll(&pfd, 1, 0) <= 0)
      throw environment_error("highalloc: the THP attempt process ended: {}",
                              outcome_.failure_sentence().empty() ? "before answering" : outcome_.failure_sentence());
  }
}

ThpFaults::Attempt ThpAttemptChild::attempt() {
  if (to_child_ < 0) throw std::logic_error("ThpAttemptChild::attempt after finish");
  static constexpr char request[] = "attempt\n";
  if (::write(to_child_, request, sizeof request - 1) != static_cast<ssize_t>(sizeof request - 1))
    throw environment_error("highalloc: cannot reach the THP attempt process: {}", std::strerror(errno));
  std::string line = read_line();
  std::istringstream answer(line);
  std::string word;
  answer >> word;
  if (word == "ok") {
    ThpFaults::Attempt result;
    int huge = 0;
    if (answer >> result.fault_ms >> huge) {
      result.huge = huge != 0;
      return result;
    }
  }
  if (word == "error") throw environment_error("{}", line.substr(std::min<std::size_t>(line.size(), 6)));
  throw environment_error("highalloc: the THP attempt process answered \"{}\"", line);
}

system::ProcessOutcome ThpAttemptChild::finish() {
  close_fd(to_child_);  // end of its requests: it unmaps and exits
  if (supervisor_.joinable()) supervisor_.join();
  close_fd(child_stdin_);
  close_fd(child_stdout_);
  close_fd(from_child_);
  return outcome_;
}

int serve_thp_attempts(std::int64_t page_bytes, std::FILE* in, std::FILE* out) {
  ThpFaults faults(page_bytes);
  char line[64];
  while (std::fgets(line, sizeof line, in)) {
    if (std::strcmp(line, "attempt\n") != 0) {
      std::fprintf(out, "error unknown request\n");
    } else {
      try {
        auto attempt = faults.attempt();
        std::fprintf(out, "ok %.6f %d\n", attempt.fault_ms, attempt.huge ? 1 : 0);
      } catch (const std::exception& e) {
        std::string reason = e.what();
        for (char& c : reason)
          if (c == '\n') c = ' ';
        std::fprintf(out, "error %s\n", reason.c_str());
      }
    }
    std::fflush(out);
  }
  return 0;
}

}  // namespace memharness::workloads::highalloc
