#include "harness/system/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>

#include <fmt/core.h>

#include "harness/common/write_all.h"

namespace memharness::system {

// How a command is run: the harness forks a "shepherd" which makes itself a child
// subreaper, forks the worker and reaps every process of the tree, orphans
// included, until none is left. Its RUSAGE_CHILDREN then covers the whole tree,
// which wait4 on the worker alone would not (daemonised or orphaned descendants).
// The worker joins the test cgroup and a new process group before exec; on a
// deadline or a stop the harness signals the shepherd (SIGTERM), which SIGKILLs
// that group and then every process of the tree still left: as a subreaper it
// is the parent of every orphan, so its children (listed in
// /proc/<pid>/task/<pid>/children, pids it alone can release) are the tree.
//
// Nothing of the tree may outlive the harness (a SIGKILLed harness left
// stress-ng --timeout 0 running): the shepherd gets SIGTERM when the harness
// dies (PR_SET_PDEATHSIG) and ends the tree as on a stop, and the worker gets
// SIGKILL when the shepherd dies. Anything that escaped even that is still in
// the test cgroup, which the runner empties at the end of every iteration and
// restore empties after a crash.

namespace {

struct ShepherdReport {
  int worker_status = 0;  // wait status of the worker
  int setup_stage = 0;    // 0: exec succeeded; else which step failed (SetupStage)
  int setup_errno = 0;
  struct rusage tree_usage {};
};

enum SetupStage : int { exec_ok = 0, join_cgroup = 1, open_log = 2, change_directory = 3, exec_failed = 4 };

const char* stage_description(int stage) {
  switch (stage) {
    case join_cgroup: return "could not join the test cgroup";
    case open_log: return "could not open its log file";
    case change_directory: return "could not change to its working directory";
    case exec_failed: return "could not be executed";
    default: return "failed to start";
  }
}

volatile sig_atomic_t worker_group = 0;
volatile sig_atomic_t ending_tree = 0;  // SIGTERM came: the stop, deadline or the harness's death

bool kill_own_children();

void shepherd_on_term(int) {
  int saved_errno = errno;
  ending_tree = 1;
  if (worker_group > 0) ::kill(-worker_group, SIGKILL);
  // Also here, not only in the reaping loop: when only processes outside the
  // group are left, nothing would wake its waitpid.
  kill_own_children();
  errno = saved_errno;
}

// SIGKILLs every child of the calling (single-threaded) process. A child's pid
// cannot be reused before its parent reaps it, so no unrelated process is hit.
// Async-signal-safe: open/read/kill only, no allocation. Returns whether the
// children could be listed (no /proc, or a kernel without CONFIG_PROC_CHILDREN).
bool kill_own_children() {
  char path[64] = "/proc/self/task/";
  // The shepherd's only thread is its main one: its tid is its pid.
  pid_t self = ::getpid();
  char digits[16];
  int n = 0;
  for (pid_t v = self; v > 0 && n < 15; v /= 10) digits[n++] = static_cast<char>('0' + v % 10);
  std::size_t at = std::strlen(path);
  while (n > 0) path[at++] = digits[--n];
  const char suffix[] = "/children";
  for (char c : suffix) path[at++] = c;  // copies the terminating NUL too
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[4096];
  pid_t pid = 0;
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) != 0;) {
    if (got < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (ssize_t i = 0; i < got; ++i) {
      if (buffer[i] >= '0' && buffer[i] <= '9') {
        pid = pid * 10 + (buffer[i] - '0');
      } else {
        if (pid > 0) ::kill(pid, SIGKILL);
        pid = 0;
      }
    }
  }
  if (pid > 0) ::kill(pid, SIGKILL);
  ::close(fd);
  return true;
}

bool read_all(int fd, void* data, std::size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    ssize_t n = ::read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Default dispositions for what the harness handles; `blocked` stays blocked.
void reset_signals(const sigset_t& blocked) {
  for (int sig : {SIGINT, SIGPIPE, SIGCHLD, SIGHUP}) ::signal(sig, SIG_DFL);
  ::sigprocmask(SIG_SETMASK, &blocked, nullptr);
}

[[noreturn]] void worker_fail(int error_fd, int stage) {
  int payload[2] = {stage, errno};
  write_all(error_fd, payload, sizeof payload);
  ::_exit(127);
}

// In the worker: everything between fork and exec. Only async-signal-safe calls.
[[noreturn]] void become_worker(const SpawnOptions& options, char* const* argv, int error_fd, pid_t shepherd) {
  // Dies with the shepherd (also when the harness SIGKILLs a stuck one); kept
  // across exec, so the command itself goes too. A shepherd already gone
  // before the prctl would never send it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != shepherd) ::_exit(127);
  // The shepherd blocked SIGTERM around this fork; exec keeps the mask.
  ::signal(SIGTERM, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::setpgid(0, 0);
  if (!options.cgroup_procs_file.empty()) {
    int fd = ::open(options.cgroup_procs_file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) worker_fail(error_fd, join_cgroup);
    // "0" means the writing process itself, in both cgroup v1 and v2.
    if (::write(fd, "0", 1) != 1) worker_fail(error_fd, join_cgroup);
    ::close(fd);
  }
  // The harness protects itself with a negative oom_score_adj; the workload must
  // not inherit that protection.
  if (int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC); fd >= 0) {
    [[maybe_unused]] auto ignored = ::write(fd, "0", 1);
    ::close(fd);
  }
  int log_fd = options.log_file.empty()
                   ? ::open("/dev/null", O_WRONLY | O_CLOEXEC)
                   : ::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) worker_fail(error_fd, open_log);
  // The shepherd put the given pipes at 0 and 1 already.
  if (options.stdin_fd < 0) {
    int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  }
  if (options.stdout_fd < 0) ::dup2(log_fd, STDOUT_FILENO);
  ::dup2(log_fd, STDERR_FILENO);
  if (options.working_directory && ::chdir(options.working_directory->c_str()) != 0)
    worker_fail(error_fd, change_directory);
  ::execvp(argv[0], argv);
  worker_fail(error_fd, exec_failed);
}

[[noreturn]] void become_shepherd(const SpawnOptions& options, char* const* argv, int report_fd, pid_t harness) {
  // SIGTERM ends the tree; blocked until the handler is in place and the
  // worker's group is known, so that none is lost in between.
  sigset_t term_only;
  sigemptyset(&term_only);
  sigaddset(&term_only, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &term_only, nullptr);
  struct sigaction term {};
  term.sa_handler = shepherd_on_term;
  sigemptyset(&term.sa_mask);
  ::sigaction(SIGTERM, &term, nullptr);
  reset_signals(term_only);
  // The command's pipes, when given, go to 0 and 1 (the shepherd itself reads
  // and writes neither); then the rest is closed.
  if (options.stdin_fd >= 0) ::dup2(options.stdin_fd, STDIN_FILENO);
  if (options.stdout_fd >= 0) ::dup2(options.stdout_fd, STDOUT_FILENO);
  // A fork of the harness holds copies of all its descriptors: the journal
  // (whose lock then outlives a crashed harness), BPF maps and links, other
  // shepherds' pipes. Keep only the report pipe.
  if (report_fd > 3) ::close_range(3, static_cast<unsigned>(report_fd) - 1, 0);
  ::close_range(static_cast<unsigned>(report_fd) + 1, ~0U, 0);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  // If the harness dies (the thread that forked this one, strictly), the tree
  // is ended as on a stop. A harness gone before the prctl: nothing to start.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != harness) ::_exit(126);

  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) != 0) ::_exit(126);

  pid_t shepherd = ::getpid();
  pid_t worker = ::fork();
  if (worker < 0) ::_exit(126);
  if (worker == 0) {
    ::close(error_pipe[0]);
    ::close(report_fd);
    become_worker(options, argv, error_pipe[1], shepherd);
  }
  // Set the group from both sides so a kill right after fork cannot miss it.
  ::setpgid(worker, worker);
  worker_group = worker;
  ::sigprocmask(SIG_UNBLOCK, &term_only, nullptr);  // a pending SIGTERM is handled here
  ::close(error_pipe[1]);

  ShepherdReport report;
  int payload[2] = {0, 0};
  if (read_all(error_pipe[0], payload, sizeof payload)) {
    report.setup_stage = payload[0];
    report.setup_errno = payload[1];
  }
  ::close(error_pipe[0]);

  // Reap the worker and every orphan reparented to us until nothing is left.
  // Once the tree is being ended, whatever left the worker's process group
  // (setsid) is killed too, round after round: a killed process's own
  // children are reparented here and show up in the next listing.
  for (;;) {
    if (ending_tree && !kill_own_children() && worker_group > 0) ::kill(-worker_group, SIGKILL);
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: the tree is gone
    }
    if (pid == worker) report.worker_status = status;
  }
  ::getrusage(RUSAGE_CHILDREN, &report.tree_usage);
  write_all(report_fd, &report, sizeof report);
  ::_exit(0);
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

}  // namespace

std::string ProcessOutcome::failure_sentence() const {
  if (exited_zero()) return "";
  if (!started) return failure;
  std::string program = argv.empty() ? "the command" : argv.front();
  if (timed_out) return fmt::format("{} was killed at the phase timeout", program);
  if (stopped) return fmt::format("{} was stopped (interrupted)", program);
  if (term_signal != 0) return fmt::format("{} was killed by signal {}", program, term_signal);
  return fmt::format("{} exited with status {} (see its log)", program, exit_status);
}

void ProcessOutcome::accumulate(const ProcessOutcome& other) {
  elapsed_s += other.elapsed_s;
  user_s += other.user_s;
  sys_s += other.sys_s;
  max_rss_kb = std::max(max_rss_kb, other.max_rss_kb);
  usage_lost = usage_lost || other.usage_lost;
}

ProcessOutcome run_process(const SpawnOptions& options) {
  ProcessOutcome outcome;
  outcome.argv = options.argv;
  if (options.argv.empty()) {
    outcome.failure = "no command given";
    return outcome;
  }
  // argv is built before fork: the child may not allocate.
  std::vector<char*> argv;
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  int report_pipe[2];
  if (::pipe2(report_pipe, O_CLOEXEC) != 0) {
    outcome.failure = fmt::format("pipe failed: {}", std::strerror(errno));
    return outcome;
  }
  auto started = std::chrono::steady_clock::now();
  const pid_t harness = ::getpid();
  pid_t shepherd = ::fork();
  if (shepherd < 0) {
    outcome.failure = fmt::format("fork failed: {}", std::strerror(errno));
    ::close(report_pipe[0]);
    ::close(report_pipe[1]);
    return outcome;
  }
  if (shepherd == 0) {
    ::close(report_pipe[0]);
    become_shepherd(options, argv.data(), report_pipe[1], harness);
  }
  ::close(report_pipe[1]);

  // Wait for the report, watching the deadline and the stop token. EOF on the pipe
  // cannot be relied on: shepherds forked concurrently by other threads hold copies
  // of its write end, so a dead shepherd is noticed with waitpid instead.
  bool kill_sent = false;
  bool shepherd_reaped = false;
  int shepherd_status = 0;
  auto kill_sent_at = std::chrono::steady_clock::time_point{};
  for (;;) {
    pollfd pfd{report_pipe[0], POLLIN, 0};
    int ready = ::poll(&pfd, 1, 100);
    if (ready > 0) break;
    if (ready < 0 && errno != EINTR) break;
    if (::waitpid(shepherd, &shepherd_status, WNOHANG) == shepherd) {
      shepherd_reaped = true;
      break;
    }
    auto now = std::chrono::steady_clock::now();
    if (!kill_sent && (now >= options.deadline || options.stop.stop_requested())) {
      (now >= options.deadline ? outcome.timed_out : outcome.stopped) = true;
      ::kill(shepherd, SIGTERM);
      kill_sent = true;
      kill_sent_at = now;
    } else if (kill_sent && now - kill_sent_at > options.stop_grace) {
      ::kill(shepherd, SIGKILL);  // a stuck shepherd: give up on its accounting
    }
  }
  ShepherdReport report;
  bool have_report = false;
  if (pollfd pfd{report_pipe[0], POLLIN, 0}; ::poll(&pfd, 1, 0) > 0)
    have_report = read_all(report_pipe[0], &report, sizeof report);
  ::close(report_pipe[0]);
  while (!shepherd_reaped && ::waitpid(shepherd, &shepherd_status, 0) < 0 && errno == EINTR) {
  }
  outcome.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (!have_report) {
    outcome.failure = "the process supervisor died before reporting (killed?)";
    outcome.started = true;
    outcome.term_signal = SIGKILL;
    outcome.usage_lost = true;
    return outcome;
  }
  if (report.setup_stage != exec_ok) {
    outcome.failure = fmt::format("{} {}: {}", options.argv[0], stage_description(report.setup_stage),
                                  std::strerror(report.setup_errno));
    return outcome;
  }
  outcome.started = true;
  if (WIFEXITED(report.worker_status)) outcome.exit_status = WEXITSTATUS(report.worker_status);
  if (WIFSIGNALED(report.worker_status)) outcome.term_signal = WTERMSIG(report.worker_status);
  outcome.user_s = seconds(report.tree_usage.ru_utime);
  outcome.sys_s = seconds(report.tree_usage.ru_stime);
  outcome.max_rss_kb = report.tree_usage.ru_maxrss;
  return outcome;
}

std::optional<std::filesystem::path> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return std::filesystem::path(name);
    return std::nullopt;
  }
  const char* path_env = std::getenv("PATH");
  std::string_view path = path_env ? path_env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (!path.empty()) {
    auto colon = path.find(':');
    std::string_view dir = path.substr(0, colon);
    path = colon == std::string_view::npos ? std::string_view{} : path.substr(colon + 1);
    if (dir.empty()) continue;
    auto candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

}  // namespace memharness::system
