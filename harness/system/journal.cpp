#include "harness/system/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "harness/common/atomic_file.h"
#include "harness/common/error.h"
#include "harness/common/file_text.h"
#include "harness/common/owned_files.h"
#include "harness/common/space_reserve.h"
#include "harness/common/utc_time.h"
#include "harness/common/write_all.h"
#include "harness/system/process.h"
#include "harness/system/procfs/text.h"

namespace memharness::system {

namespace {

namespace fs = std::filesystem;
namespace text = procfs::text;
using json = nlohmann::ordered_json;

constexpr int kFormat = 1;
// How long restore waits for a dead run's killed processes to go before it
// gives up on their cgroup: a dd killed while throttled in reclaim sits in D
// state until its writeback is done (measured 5-16 s under a 128 MiB limit on
// cgroup v1, which has no cgroup.kill and no per-cgroup dirty throttling).
constexpr std::chrono::seconds kRestoreKillTimeout{30};
constexpr std::chrono::minutes kMkswapLimit{2};
constexpr std::string_view kFilePrefix = "journal-";
constexpr std::string_view kFileSuffix = ".jsonl";

// Scratch directories restore removes recursively: absolute, not the root, and
// named as the workloads name them.
bool is_scratch_directory_name(const fs::path& path) {
  auto name = path.filename().string();
  return path.is_absolute() && path == path.lexically_normal() && path.parent_path() != path &&
         name.starts_with("memharness-") && name.size() > std::string_view("memharness-").size();
}

// ------------------------------------------------------------------ what each kind may touch

// Restore acts on paths read from a file; a damaged or forged journal must not
// make it write, kill or delete anything else. Each kind of change touches
// only the places the harness makes that kind of change in.
bool is_clean_absolute(const std::string& path) {
  fs::path p(path);
  return p.is_absolute() && p == p.lexically_normal() && !path.ends_with('/') && p.has_filename();
}

bool is_below(const std::string& path, std::string_view directory) {
  return is_clean_absolute(path) && path.size() > directory.size() && path.starts_with(directory) &&
         path[directory.size()] == '/';
}

bool named_memharness(const std::string& path) {
  auto name = fs::path(path).filename().string();
  return name.starts_with("memharness-") && name.size() > std::string_view("memharness-").size();
}

// Kernel files a journaled write may change: sysctls, the memory-management
// knobs under /sys/kernel/mm, and the cgroup.subtree_control of a cgroup.
bool is_writable_knob(const std::string& path) {
  return is_below(path, "/proc/sys") || is_below(path, "/sys/kernel/mm") ||
         (is_below(path, "/sys/fs/cgroup") && fs::path(path).filename() == "cgroup.subtree_control");
}

bool is_tracefs_mount_point(const std::string& path) {
  return path == "/sys/kernel/tracing" || path == "/sys/kernel/debug/tracing";
}

bool is_swapfile_name(const std::string& path) {
  return is_clean_absolute(path) && fs::path(path).filename().string().starts_with("memharness-swap-");
}

// Why restore may not undo `change` ("" when it may).
std::string out_of_bounds(const json& change) {
  std::string op = change.value("op", ""), path = change.value("path", "");
  if (op == "write_value") {
    if (!is_writable_knob(path)) return "not a sysctl, /sys/kernel/mm knob or cgroup.subtree_control";
    if (change.contains("partner") && !is_writable_knob(change["partner"].value("path", "")))
      return "its partner is not a sysctl or /sys/kernel/mm knob";
    return "";
  }
  if (op == "cgroup" || op == "harness_cgroup") {
    if (!is_below(path, "/sys/fs/cgroup") || !named_memharness(path)) return "not a memharness-* cgroup";
    if (op == "harness_cgroup" && !is_below(change.value("return_to", ""), "/sys/fs/cgroup"))
      return "it would move memharness outside /sys/fs/cgroup";
    return "";
  }
  if (op == "directory") {
    bool instance =
        is_below(path, "/sys/kernel/tracing/instances") || is_below(path, "/sys/kernel/debug/tracing/instances");
    return instance && named_memharness(path) && fs::path(path).parent_path().filename() == "instances"
               ? ""
               : "not a memharness-* tracefs instance";
  }
  if (op == "mount")
    return is_tracefs_mount_point(path) && change.value("fstype", "") == "tracefs" ? "" : "not tracefs at its place";
  if (op == "swapon" || op == "swapfile") return is_swapfile_name(path) ? "" : "not a memharness-swap-* file";
  if (op == "scratch_directory") return is_scratch_directory_name(path) ? "" : "not a memharness-* scratch directory";
  if (op == "run_manifest")
    return is_clean_absolute(path) && fs::path(path).filename() == "manifest.json" ? "" : "not a run's manifest.json";
  return "";  // an unknown kind is refused by undo() itself
}

// A file restore deletes or rewrites must be a plain file of the harness's own
// user, not a symlink or another user's file put in its place.
std::string not_ours(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "";  // gone: nothing will be done to it
  if (S_ISLNK(st.st_mode)) return "a symbolic link stands there";
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  if (st.st_uid != ::geteuid()) return fmt::format("it belongs to uid {}", st.st_uid);
  return "";
}

// ------------------------------------------------------------------ owner identity

// Start time (clock ticks after boot, field 22 of /proc/<pid>/stat) of a running
// process; nullopt when there is no such process or it is a zombie.
std::optional<std::uint64_t> running_start_ticks(const SystemRoot& root, std::int64_t pid) {
  auto stat = root.try_read(fmt::format("/proc/{}/stat", pid));
  if (!stat) return std::nullopt;
  // comm (field 2) is in parentheses and may hold blanks or ')': fields are
  // counted from the last ')'. There, field 3 (state) is the first.
  std::size_t comm_end = stat->rfind(')');
  if (comm_end == std::string::npos) return std::nullopt;
  auto fields = text::fields(std::string_view(*stat).substr(comm_end + 1));
  constexpr std::size_t kState = 0, kStartTime = 22 - 3;
  if (fields.size() <= kStartTime || fields[kState] == "Z" || fields[kState] == "X") return std::nullopt;
  auto ticks = text::to_count(fields[kStartTime]);
  if (!ticks) return std::nullopt;
  return static_cast<std::uint64_t>(*ticks);
}

bool owner_running(const SystemRoot& root, const json& header) {
  auto ticks = running_start_ticks(root, header.at("pid").get<std::int64_t>());
  return ticks && *ticks == header.at("start_ticks").get<std::uint64_t>();
}

std::vector<std::string> command_line_of(const SystemRoot& root, pid_t pid) {
  std::vector<std::string> argv;
  auto cmdline = root.try_read(fmt::format("/proc/{}/cmdline", pid));
  if (!cmdline) return argv;
  std::string_view rest = *cmdline;
  while (!rest.empty()) {
    std::size_t end = rest.find('\0');
    argv.emplace_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return argv;
}

// Only pid and start_ticks are checked when a journal is loaded; the rest of
// the header is description, so members of another type (a damaged or forged
// file) print as unknown rather than throw.
std::string owner_description(const json& header) {
  std::vector<std::string> argv;
  if (auto it = header.find("command_line"); it != header.end() && it->is_array())
    for (const auto& arg : *it) argv.push_back(arg.is_string() ? arg.get<std::string>() : "?");
  auto started = header.find("started_at");
  return fmt::format("memharness process {} (`{}`, started {})", header.at("pid").get<std::int64_t>(),
                     fmt::join(argv, " "),
                     started != header.end() && started->is_string() ? started->get<std::string>()
                                                                     : std::string("at an unknown time"));
}

// ------------------------------------------------------------------ files

std::vector<fs::path> journal_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(kFilePrefix) && name.ends_with(kFileSuffix) && entry.is_regular_file(ec))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct LoadedJournal {
  // Its very first write (the header with the first change, one write) was
  // torn by a crash: no change had been made, since changes wait for it.
  bool torn_before_first_change = false;
  json header;
  std::vector<json> changes;
  std::set<std::uint64_t> restored;

  std::size_t unrestored() const {
    return static_cast<std::size_t>(std::count_if(changes.begin(), changes.end(), [this](const json& change) {
      return !restored.contains(change.at("seq").get<std::uint64_t>());
    }));
  }
};

// A torn last line (a crash during its write) is dropped: the change it
// announced had not been started, since changes wait for the fsync.
LoadedJournal load_journal(const fs::path& file) {
  auto read = read_file_if_opened(file);
  if (!read) throw environment_error("cannot read journal {}: {}", file.string(), std::strerror(errno));
  std::string content = std::move(*read);
  LoadedJournal loaded;
  for (const auto& line : text::lines(content)) {
    if (line.content.empty()) continue;
    bool last_and_torn =
        !content.ends_with('\n') && line.content.data() + line.content.size() == content.data() + content.size();
    json parsed = json::parse(line.content, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("type") || !parsed["type"].is_string() ||
        (parsed["type"] != "header" && (!parsed.contains("seq") || !parsed["seq"].is_number_unsigned()))) {
      if (last_and_torn) break;
      throw environment_error("{}:{}: not a journal line: {}", file.string(), line.number, line.content);
    }
    std::string type = parsed["type"];
    if (loaded.header.is_null() && type != "header")
      throw environment_error("{}:{}: the journal does not start with its header", file.string(), line.number);
    if (type == "header")
      loaded.header = std::move(parsed);
    else if (type == "change")
      loaded.changes.push_back(std::move(parsed));
    else if (type == "restored")
      loaded.restored.insert(parsed.at("seq").get<std::uint64_t>());
  }
  if (loaded.header.is_null() && content.find('\n') == std::string::npos) {
    loaded.torn_before_first_change = true;
    return loaded;
  }
  if (loaded.header.is_null() || !loaded.header.contains("pid") || !loaded.header.contains("start_ticks") ||
      !loaded.header["pid"].is_number_integer() || !loaded.header["start_ticks"].is_number_unsigned())
    throw environment_error("{} has no journal header", file.string());
  for (const auto& change : loaded.changes)
    if (!change.contains("seq") || !change["seq"].is_number_unsigned() || !change.contains("op") ||
        !change["op"].is_string() || !change.contains("path") || !change["path"].is_string())
      throw environment_error("{}: a change without seq, op or path: {}", file.string(), change.dump());
  return loaded;
}

// Deletes a journal torn before its first change when no live process holds
// it (its owner keeps it locked); returns whether it did.
bool remove_if_unheld(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  bool unheld = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  if (unheld) ::unlink(file.c_str());
  ::close(fd);
  return unheld;
}

// ------------------------------------------------------------------ undo helpers

// "always [madvise] never" -> "madvise": the word to write back.
std::string chosen_value(const std::string& value) {
  std::size_t open = value.find('[');
  std::size_t close = open == std::string::npos ? open : value.find(']', open);
  if (close == std::string::npos) return value;
  return value.substr(open + 1, close - open - 1);
}

// The dirty limits come in pairs of which only one is in effect: writing a
// member zeroes its partner, and the *_bytes members refuse 0 (EINVAL;
// dirty_bytes_handler and friends in mm/page-writeback.c). Restoring "0" to
// one of them therefore means writing back the partner's old value instead.
std::optional<std::string> exclusive_partner(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> pairs[] = {
      {"/proc/sys/vm/dirty_bytes", "/proc/sys/vm/dirty_ratio"},
      {"/proc/sys/vm/dirty_background_bytes", "/proc/sys/vm/dirty_background_ratio"},
  };
  for (auto [a, b] : pairs) {
    if (path == a) return std::string(b);
    if (path == b) return std::string(a);
  }
  return std::nullopt;
}

// The file a write_value change restores and the value written there: the
// partner's when this member was not the one in effect.
std::pair<std::string, std::string> restore_target(const json& change) {
  std::string path = change.at("path"), old = change.at("old");
  if (old == "0" && change.contains("partner")) {
    std::string partner_old = change.at("partner").at("old");
    if (partner_old != "0") return {change.at("partner").at("path"), partner_old};
  }
  return {path, old};
}

// cgroup.subtree_control reads "cpu memory" but takes "+io -memory".
std::string subtree_control_toggles(std::string_view current, std::string_view wanted) {
  auto now = text::fields(current), then = text::fields(wanted);
  auto has = [](const auto& list, std::string_view word) {
    return std::find(list.begin(), list.end(), word) != list.end();
  };
  std::vector<std::string> toggles;
  for (auto c : now)
    if (!has(then, c)) toggles.push_back(fmt::format("-{}", c));
  for (auto c : then)
    if (!has(now, c)) toggles.push_back(fmt::format("+{}", c));
  return fmt::format("{}", fmt::join(toggles, " "));
}

bool listed_as_swap(const SystemRoot& root, const std::string& file) {
  auto swaps = root.try_read("/proc/swaps");
  if (!swaps) return false;
  for (const auto& line : text::lines(*swaps)) {
    auto fields = text::fields(line.content);
    // /proc/swaps escapes blanks in paths like /proc/mounts; swapfile paths are ours, without blanks.
    if (!fields.empty() && fields[0] == file) return true;
  }
  return false;
}

void remove_directory(const SystemRoot& root, const std::string& path) {
  auto resolved = root.resolve(path);
  std::error_code ec;
  if (!root.is_live()) {
    fs::remove_all(resolved, ec);
    if (ec) throw run_error("cannot remove {}: {}", resolved.string(), ec.message());
  } else if (::rmdir(resolved.c_str()) != 0 && errno != ENOENT) {
    throw run_error("cannot remove {}: {}", path, std::strerror(errno));
  }
}

// What undoing a change does, for failure messages ("could not <this>: why").
std::string describe(const json& change) {
  std::string op = change.at("op"), path = change.at("path");
  if (op == "write_value") {
    auto [target, value] = restore_target(change);
    return fmt::format("restore {} to \"{}\"", target, value);
  }
  if (op == "cgroup") return fmt::format("remove cgroup {}", path);
  if (op == "directory") return fmt::format("remove directory {}", path);
  if (op == "scratch_directory") return fmt::format("remove scratch directory {}", path);
  if (op == "harness_cgroup") return fmt::format("move memharness out of cgroup {} and remove it", path);
  if (op == "swapon") return fmt::format("turn off swap on {}", path);
  if (op == "swapfile") return fmt::format("delete swapfile {}", path);
  if (op == "run_manifest") return fmt::format("mark the run {} as incomplete", path);
  if (op == "mount") return fmt::format("unmount {}", path);
  return fmt::format("undo \"{}\" of {}", op, path);
}

// ------------------------------------------------------------------ swap

void create_swapfile(const fs::path& file, std::int64_t bytes) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw environment_error("cannot create swapfile {}: {}", file.string(), std::strerror(errno));
  auto fail = [&](std::string_view what) {
    int saved_errno = errno;
    ::close(fd);
    return environment_error("cannot {} swapfile {}: {}", what, file.string(), std::strerror(saved_errno));
  };
  if (::fchmod(fd, 0600) != 0) throw fail("set the mode of");
  // The kernel refuses swapfiles with holes: allocate every block.
  if (::fallocate(fd, 0, 0, bytes) != 0) {
    if (errno != EOPNOTSUPP && errno != ENOSYS) throw fail("allocate");
    std::vector<char> zeros(1 << 20, 0);
    for (std::int64_t left = bytes; left > 0;) {
      auto chunk = static_cast<std::size_t>(std::min<std::int64_t>(left, static_cast<std::int64_t>(zeros.size())));
      ssize_t n = ::write(fd, zeros.data(), chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw fail("fill");
      left -= n;
    }
  }
  if (::fsync(fd) != 0) throw fail("sync");
  ::close(fd);
}

class RealSwapControl final : public SwapControl {
 public:
  void mkswap(const fs::path& file) override {
    // argv, a private log directory, and a bound: mkswap takes well under a
    // second; one that hangs must not hang the run holding the machine's lock.
    TemporaryDirectory scratch("memharness-mkswap-");
    SpawnOptions options;
    options.argv = {"mkswap", file.string()};
    options.log_file = scratch.path() / "mkswap.log";
    options.deadline = std::chrono::steady_clock::now() + kMkswapLimit;
    auto outcome = run_process(options);
    if (!outcome.started) throw environment_error("cannot run mkswap (package util-linux): {}", outcome.failure);
    if (!outcome.exited_zero()) {
      std::string output = read_file_text(options.log_file);
      throw environment_error("mkswap {} failed: {}{}", file.string(), outcome.failure_sentence(),
                              output.empty() ? "" : ": " + output);
    }
  }

  void swapon(const fs::path& file) override {
    if (::swapon(file.c_str(), 0) != 0)
      throw environment_error("swapon {} failed: {} (swapfiles need a filesystem that supports them, e.g. ext4)",
                              file.string(), std::strerror(errno));
  }

  bool swapoff(const fs::path& file) override {
    if (::swapoff(file.c_str()) == 0) return true;
    if (errno == EINVAL || errno == ENOENT) return false;  // not (or no longer) swap
    throw run_error("swapoff {} failed: {}", file.string(), std::strerror(errno));
  }
};

// For fake trees: swap is never switched on the host by a test.
class RefusingSwapControl final : public SwapControl {
 public:
  explicit RefusingSwapControl(std::string tree) : tree_(std::move(tree)) {}
  void mkswap(const fs::path&) override { refuse(); }
  void swapon(const fs::path&) override { refuse(); }
  bool swapoff(const fs::path&) override { refuse(); }

 private:
  [[noreturn]] void refuse() const {
    throw std::logic_error(
        fmt::format("refusing to change the host's swap for a fake tree ({}): give the journal "
                    "a SwapControl",
                    tree_));
  }
  std::string tree_;
};

}  // namespace

std::shared_ptr<SwapControl> real_swap_control() { return std::make_shared<RealSwapControl>(); }

// ------------------------------------------------------------------ Journal

fs::path Journal::default_directory() {
  const char* dir = std::getenv("MEMHARNESS_STATE_DIR");
  return dir && *dir ? fs::path(dir) : fs::path("/var/lib/memharness");
}

Journal::Journal(const SystemRoot& root, fs::path file, json header, JournalSeams seams)
    : root_(root),
      file_(std::move(file)),
      header_(std::move(header)),
      killer_(killer_for(root, std::move(seams.killer))),
      swap_(seams.swap       ? std::move(seams.swap)
            : root.is_live() ? real_swap_control()
                             : std::make_shared<RefusingSwapControl>(root.root().string())) {}

Journal::Journal(Journal&& other) noexcept
    : root_(std::move(other.root_)),
      file_(std::move(other.file_)),
      header_(std::move(other.header_)),
      killer_(std::move(other.killer_)),
      swap_(std::move(other.swap_)),
      fd_(std::exchange(other.fd_, -1)),
      changes_(std::move(other.changes_)),
      restored_(std::move(other.restored_)),
      next_seq_(other.next_seq_),
      restore_pending_(std::exchange(other.restore_pending_, false)) {
  other.changes_.clear();
}

Journal::~Journal() {
  if (restore_pending_) {
    try {
      for (const auto& problem : restore()) std::fprintf(stderr, "memharness: restore: %s\n", problem.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "memharness: restore: %s\n", e.what());
    }
  }
  close_file();
}

void Journal::close_file() noexcept {
  if (fd_ >= 0) ::close(fd_);  // also releases the lock
  fd_ = -1;
}

void Journal::check_no_unrestored(const SystemRoot& root, const fs::path& dir) {
  for (const auto& file : journal_files(dir)) {
    LoadedJournal loaded = load_journal(file);
    if (loaded.torn_before_first_change) {
      remove_if_unheld(file);
      continue;
    }
    if (owner_running(root, loaded.header)) continue;
    if (std::size_t pending = loaded.unrestored(); pending > 0)
      throw environment_error(
          "{} holds {} change(s) to this machine that {} did not undo before it ended: run `memharness restore` "
          "to undo its changes",
          file.string(), pending, owner_description(loaded.header));
    std::error_code ec;
    fs::remove(file, ec);  // everything in it was restored; only the deletion was missed
  }
}

bool Journal::any_left_by_ended_owners(const SystemRoot& root, const fs::path& dir) {
  for (const auto& file : journal_files(dir)) {
    try {
      LoadedJournal loaded = load_journal(file);
      if (loaded.torn_before_first_change || !owner_running(root, loaded.header)) return true;
    } catch (const std::exception&) {
      return true;  // unreadable: restore_all says what is wrong with it
    }
  }
  return false;
}

Journal Journal::begin(const SystemRoot& root, fs::path dir, JournalSeams seams) {
  check_no_unrestored(root, dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw environment_error("cannot create the journal directory {}: {}", dir.string(), ec.message());
  pid_t pid = ::getpid();
  auto start_ticks = running_start_ticks(root, pid);
  if (!start_ticks)
    throw environment_error("cannot read the start time of this process from /proc/{}/stat (under {})", pid,
                            root.root().string());
  json header = {
      {"type", "header"},
      {"format", kFormat},
      {"pid", pid},
      {"start_ticks", *start_ticks},
      {"started_at", timestamp_iso8601(std::chrono::system_clock::now())},
      {"command_line", command_line_of(root, pid)},
  };
  fs::path file = fs::absolute(dir) / fmt::format("{}{}{}", kFilePrefix, pid, kFileSuffix);
  if (fs::exists(file, ec))
    throw std::logic_error(fmt::format("this process has a journal already: {}", file.string()));
  return Journal(root, std::move(file), std::move(header), std::move(seams));
}

void Journal::append(const json& line) {
  std::string text = line.dump() + "\n";
  bool created = fd_ < 0;
  if (created) {
    fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw environment_error("cannot create journal {}: {}", file_.string(), std::strerror(errno));
    // Held while this process lives: `memharness restore` leaves locked journals alone.
    ::flock(fd_, LOCK_EX | LOCK_NB);
    text = header_.dump() + "\n" + text;
  }
  if (!write_all(fd_, text.data(), text.size()))
    throw environment_error("cannot write to {}: {}", file_.string(), std::strerror(errno));
  if (::fsync(fd_) != 0) throw environment_error("cannot sync journal {}: {}", file_.string(), std::strerror(errno));
  if (created) fsync_directory(file_.parent_path());  // the new file's name is durable too
}

void Journal::record(const json& change) {
  std::uint64_t seq = next_seq_++;
  json line = {{"type", "change"}, {"seq", seq}};
  line.update(change);
  append(line);  // before the change is made: a crash leaves it journaled
  changes_.push_back(std::move(line));
  restore_pending_ = true;
}

void Journal::write_value(const std::string& absolute_path, const std::string& value) {
  if (!is_writable_knob(absolute_path))
    throw usage_error("{}: memharness changes only sysctls, /sys/kernel/mm knobs and cgroup.subtree_control",
                      absolute_path);
  std::string old = chosen_value(root_.read_value(absolute_path));
  json change = {{"op", "write_value"}, {"path", absolute_path}, {"old", old}, {"new", value}};
  if (auto partner = exclusive_partner(absolute_path); partner && root_.exists(*partner))
    change["partner"] = {{"path", *partner}, {"old", root_.read_value(*partner)}};
  record(change);
  root_.write(absolute_path, value);
}

std::string sysctl_path(const std::string& dotted_name) {
  bool valid = !dotted_name.empty() && !dotted_name.starts_with('.') && !dotted_name.ends_with('.') &&
               dotted_name.find("..") == std::string::npos &&
               std::all_of(dotted_name.begin(), dotted_name.end(), [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
               });
  if (!valid) throw usage_error("\"{}\" is not a sysctl name (like vm.swappiness)", dotted_name);
  std::string path = "/proc/sys/" + dotted_name;
  std::replace(path.begin(), path.end(), '.', '/');
  return path;
}

void Journal::set_sysctl(const std::string& dotted_name, const std::string& value) {
  std::string path = sysctl_path(dotted_name);
  if (!root_.exists(path))
    throw environment_error("sysctl {} does not exist on this kernel (no {})", dotted_name, path);
  write_value(path, value);
}

void Journal::record_cgroup(const std::string& absolute_path) { record({{"op", "cgroup"}, {"path", absolute_path}}); }

void Journal::record_created_directory(const std::string& absolute_path) {
  record({{"op", "directory"}, {"path", absolute_path}});
}

void Journal::record_harness_cgroup(const std::string& absolute_path, const std::string& return_to) {
  record({{"op", "harness_cgroup"}, {"path", absolute_path}, {"return_to", return_to}});
}

void Journal::record_scratch_directory(const fs::path& directory) {
  fs::path absolute = fs::absolute(directory).lexically_normal();
  if (!is_scratch_directory_name(absolute))
    throw usage_error("scratch directory {} must be named memharness-*", absolute.string());
  record({{"op", "scratch_directory"}, {"path", absolute.string()}});
}

void Journal::mount_filesystem(const std::string& fstype, const std::string& absolute_path) {
  if (!root_.is_live()) throw std::logic_error("refusing to mount " + fstype + " for a fake tree");
  record({{"op", "mount"}, {"path", absolute_path}, {"fstype", fstype}});
  if (::mount("nodev", absolute_path.c_str(), fstype.c_str(), 0, nullptr) != 0)
    throw environment_error("cannot mount {} at {}: {}", fstype, absolute_path, std::strerror(errno));
}

void Journal::record_run_manifest(const fs::path& manifest) {
  record({{"op", "run_manifest"}, {"path", fs::absolute(manifest).string()}});
}

void Journal::enable_swapfile(const fs::path& file, std::int64_t bytes) {
  if (bytes <= 0) throw usage_error("a swapfile needs a positive size, not {} bytes", bytes);
  fs::path absolute = fs::absolute(file).lexically_normal();
  if (!is_swapfile_name(absolute.string()))
    throw usage_error("swapfile {} must be named memharness-swap-*", absolute.string());
  std::error_code ec;
  if (fs::exists(absolute, ec) || fs::is_symlink(absolute, ec))
    throw environment_error("{} exists already: memharness makes its own swapfile and never reuses a file",
                            absolute.string());
  record({{"op", "swapfile"}, {"path", absolute.string()}, {"bytes", bytes}});
  create_swapfile(absolute, bytes);
  swap_->mkswap(absolute);
  record({{"op", "swapon"}, {"path", absolute.string()}});
  swap_->swapon(absolute);
}

namespace {
// An entry restore will not act on, ever: reported, and marked done so that it
// does not block every later run.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace

std::string Journal::undo(const json& change) {
  std::string op = change.at("op"), path = change.at("path");
  if (auto why = out_of_bounds(change); !why.empty()) throw Refused(fmt::format("refusing to touch {}: {}", path, why));
  if (op == "write_value") {
    auto [target, old] = restore_target(change);
    if (!root_.exists(target)) return fmt::format("{} is gone: nothing to restore", target);
    if (fs::path(target).filename() == "cgroup.subtree_control") {
      std::string toggles = subtree_control_toggles(root_.read_value(target), old);
      if (!toggles.empty()) root_.write(target, toggles);
    } else {
      root_.write(target, old);
    }
    return fmt::format("restored {} to \"{}\"", target, old);
  }
  if (op == "cgroup") {
    if (!root_.exists(path)) return fmt::format("cgroup {} was gone already", path);
    kill_cgroup_processes(root_, path, killer_, kRestoreKillTimeout);
    remove_cgroup_directory(root_, path);
    return fmt::format("removed cgroup {}", path);
  }
  if (op == "directory") {
    if (!root_.exists(path)) return fmt::format("directory {} was gone already", path);
    remove_directory(root_, path);
    return fmt::format("removed directory {}", path);
  }
  if (op == "harness_cgroup") {
    if (!root_.exists(path)) return fmt::format("cgroup {} was gone already", path);
    std::string return_to = change.at("return_to");
    auto pids = cgroup_pids(root_, path);
    bool moved_back = std::find(pids.begin(), pids.end(), ::getpid()) != pids.end();
    if (moved_back) root_.write(return_to + "/cgroup.procs", std::to_string(::getpid()));
    remove_cgroup_directory(root_, path);
    return moved_back ? fmt::format("moved memharness back to {} and removed cgroup {}", return_to, path)
                      : fmt::format("removed cgroup {}", path);
  }
  if (op == "scratch_directory") {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return fmt::format("scratch directory {} was gone already", path);
      throw run_error("cannot inspect {}: {}", path, std::strerror(errno));
    }
    // What the harness made is a real directory of its own user; anything else
    // in its place (a symlink, another user's tree) was not made by it.
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid())
      throw Refused(fmt::format("refusing to remove {}: not a directory memharness created ({}, owner uid {})", path,
                                S_ISLNK(st.st_mode)   ? "a symbolic link"
                                : S_ISDIR(st.st_mode) ? "a directory"
                                                      : "not a directory",
                                st.st_uid));
    auto removed = remove_tree(path);
    if (removed == 0) return fmt::format("scratch directory {} was gone already", path);
    return fmt::format("removed scratch directory {} ({} entries)", path, removed);
  }
  if (op == "mount") {
    // Only what this journal mounted: a later mount by someone else on top is theirs.
    if (::umount2(path.c_str(), UMOUNT_NOFOLLOW) != 0) {
      if (errno == EINVAL) return fmt::format("{} was not mounted any more", path);
      // Someone else (another run, a trace tool) is using it: theirs now.
      if (errno == EBUSY) return fmt::format("left {} mounted: another process is using it", path);
      throw run_error("cannot unmount {}: {}", path, std::strerror(errno));
    }
    return fmt::format("unmounted {}", path);
  }
  if (op == "swapon") {
    return swap_->swapoff(path) ? fmt::format("turned off swap on {}", path)
                                : fmt::format("{} was not in use as swap", path);
  }
  if (op == "swapfile") {
    if (auto why = not_ours(path); !why.empty()) throw Refused(fmt::format("refusing to delete {}: {}", path, why));
    // Deleting a swapfile still in use would leave swap that no path can turn off.
    if (listed_as_swap(root_, path)) throw run_error("{} is still in use as swap", path);
    std::error_code ec;
    if (!fs::remove(path, ec) && !ec) return fmt::format("swapfile {} was gone already", path);
    if (ec) throw run_error("cannot delete {}: {}", path, ec.message());
    return fmt::format("deleted swapfile {}", path);
  }
  if (op == "run_manifest") {
    // A run still "running" when its journal is restored by someone else was cut
    // off (crash, SIGKILL, power loss): say so in its manifest. A run that ends
    // normally overwrites this with its final status right after restoring.
    if (auto why = not_ours(path); !why.empty()) throw Refused(fmt::format("refusing to rewrite {}: {}", path, why));
    // The space the run held for its last manifest (common/space_reserve.h):
    // given back first, so that the marking below fits on a disk it filled.
    release_space_reserve(fs::path(path).parent_path() / kRunSpaceReserveName);
    std::ifstream in(path);
    if (!in) return fmt::format("run manifest {} is gone", path);
    // As JSON, not results::RunManifest: system stands below results
    // (ci/check-layers.sh), and only the two members docs/run-records.md
    // declares for this change are touched.
    auto manifest = nlohmann::json::parse(in, nullptr, false);
    if (manifest.is_discarded()) throw run_error("{} is not valid JSON", path);
    if (!manifest.is_object() || manifest.value("status", "") != "running")
      return fmt::format("run {} had finished", path);
    manifest["status"] = "incomplete";
    manifest["status_reason"] =
        "the harness ended before the run finished (crashed or killed); marked by `memharness restore`";
    write_json_atomically(path, manifest);
    return fmt::format("marked the run {} as incomplete", path);
  }
  throw run_error("this memharness does not know how to undo \"{}\" (a journal of a newer version?)", op);
}

void Journal::revert_values(std::size_t begin, std::size_t end) {
  for (auto it = changes_.rbegin(); it != changes_.rend(); ++it) {
    const Json& change = *it;
    auto seq = change.at("seq").get<std::uint64_t>();
    if (seq > end) continue;
    if (seq <= begin) break;  // changes_ is in seq order
    if (change.at("op") != "write_value")
      throw std::logic_error("revert_values: a " + change.at("op").get<std::string>() + " change between the marks");
    if (restored_.contains(seq)) continue;
    try {
      undo(change);
    } catch (const std::exception& e) {
      throw environment_error("could not {}: {}", describe(change), e.what());
    }
    restored_.insert(seq);
    append({{"type", "restored"}, {"seq", seq}});
  }
  drop_restored();
}

void Journal::drop_restored() {
  std::erase_if(changes_,
                [this](const Json& change) { return restored_.contains(change.at("seq").get<std::uint64_t>()); });
  restored_.clear();
}

void Journal::forget_settled(std::size_t since) {
  // The oldest write still journaled for each path, before any is forgotten:
  // restore puts its old value back last, whatever newer writes said.
  std::map<std::string, std::uint64_t> oldest_write;
  for (const auto& change : changes_)
    if (change.at("op") == "write_value" && !restored_.contains(change.at("seq").get<std::uint64_t>()))
      oldest_write.emplace(change.at("path").get<std::string>(), change.at("seq").get<std::uint64_t>());
  for (const auto& change : changes_) {
    auto seq = change.at("seq").get<std::uint64_t>();
    if (seq <= since || restored_.contains(seq)) continue;
    std::string op = change.at("op"), path = change.at("path");
    bool settled = false;
    try {
      if (op == "cgroup" || op == "directory") {
        settled = !root_.exists(path);
      } else if (op == "scratch_directory") {
        struct stat st {};
        settled = ::lstat(path.c_str(), &st) != 0 && errno == ENOENT;
      } else if (op == "write_value" && !change.contains("partner") && !exclusive_partner(path) &&
                 fs::path(path).filename() != "cgroup.subtree_control") {
        settled = oldest_write.at(path) != seq ||
                  (root_.exists(path) && chosen_value(root_.read_value(path)) == change.at("old").get<std::string>());
      }
    } catch (const Error&) {
      settled = false;  // cannot tell (an unreadable knob): the final restore decides
    }
    if (!settled) continue;
    append({{"type", "restored"}, {"seq", seq}});
    restored_.insert(seq);
  }
  drop_restored();
}

std::vector<std::string> Journal::restore(std::ostream* log) {
  restore_pending_ = false;
  std::vector<std::string> failures;
  // Newest first, except that scratch directories go last: after a crash the
  // workloads' processes (a dd loop) live on in the test cgroup until its undo
  // kills them, and would write into a directory being removed.
  std::vector<const Json*> order;
  for (auto it = changes_.rbegin(); it != changes_.rend(); ++it)
    if (it->at("op") != "scratch_directory") order.push_back(&*it);
  for (auto it = changes_.rbegin(); it != changes_.rend(); ++it)
    if (it->at("op") == "scratch_directory") order.push_back(&*it);
  for (const Json* it : order) {
    auto seq = it->at("seq").get<std::uint64_t>();
    if (restored_.contains(seq)) continue;
    try {
      std::string done = undo(*it);
      restored_.insert(seq);
      if (log) *log << done << '\n';
    } catch (const Refused& e) {
      // Never retried (it would be refused again), but said, and it fails the restore.
      failures.push_back(e.what());
      restored_.insert(seq);
    } catch (const std::exception& e) {
      failures.push_back(fmt::format("could not {}: {}", describe(*it), e.what()));
      continue;
    }
    try {
      if (fd_ >= 0) append({{"type", "restored"}, {"seq", seq}});
    } catch (const std::exception&) {
      // Undone all the same; at worst a later restore undoes it once more.
    }
  }
  bool all_done = std::all_of(changes_.begin(), changes_.end(),
                              [this](const Json& c) { return restored_.contains(c.at("seq").get<std::uint64_t>()); });
  if (all_done && fd_ >= 0) {
    close_file();
    if (::unlink(file_.c_str()) != 0 && errno != ENOENT)
      failures.push_back(fmt::format("could not delete the journal {} after restoring everything in it: {}",
                                     file_.string(), std::strerror(errno)));
    fsync_directory(file_.parent_path());
  }
  if (all_done) {
    changes_.clear();
    restored_.clear();
  }
  return failures;
}

int Journal::restore_all(const SystemRoot& root, const fs::path& dir, std::ostream& report, JournalSeams seams) {
  auto files = journal_files(dir);
  if (files.empty()) {
    report << "no journals in " << dir.string() << ": nothing to restore\n";
    return 0;
  }
  int failures = 0;
  for (const auto& file : files) {
    try {
      LoadedJournal loaded = load_journal(file);
      if (loaded.torn_before_first_change) {
        if (remove_if_unheld(file))
          report << fmt::format("deleted {}: its first write was torn, so it had made no change\n", file.string());
        else
          report << fmt::format("left {} alone: a running process is writing it\n", file.string());
        continue;
      }
      if (owner_running(root, loaded.header)) {
        report << fmt::format("left {} alone: {} is still running\n", file.string(), owner_description(loaded.header));
        continue;
      }
      int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      if (fd < 0) throw environment_error("cannot open {}: {}", file.string(), std::strerror(errno));
      struct stat st {};
      // The owner has ended, but the processes it forked (workload supervisors,
      // which share its open journal) may still be exiting — slowly when they
      // hold the last references to BPF links: give them a few seconds.
      bool locked = false;
      for (int attempt = 0; attempt < 50 && !locked; ++attempt) {
        locked = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
        if (!locked) ::usleep(100'000);
      }
      if (!locked) {
        ::close(fd);
        report << fmt::format("left {} alone: another process holds it (a `memharness restore` running?)\n",
                              file.string());
        continue;
      }
      if (::fstat(fd, &st) != 0 || st.st_nlink == 0) {  // restored and deleted while we waited
        ::close(fd);
        continue;
      }
      loaded = load_journal(file);  // as it is now that we hold it
      report << fmt::format("restoring {}: {} change(s) by {}\n", file.string(), loaded.unrestored(),
                            owner_description(loaded.header));
      Journal journal(root, file, loaded.header, seams);
      journal.fd_ = fd;
      journal.changes_ = std::move(loaded.changes);
      journal.restored_ = std::move(loaded.restored);
      for (const auto& change : journal.changes_)
        journal.next_seq_ = std::max(journal.next_seq_, change.at("seq").get<std::uint64_t>() + 1);
      auto problems = journal.restore(&report);
      for (const auto& problem : problems) report << "FAILED: " << problem << '\n';
      failures += static_cast<int>(problems.size());
      if (problems.empty()) report << fmt::format("restored everything in {} and deleted it\n", file.string());
    } catch (const std::exception& e) {
      report << "FAILED: " << e.what() << '\n';
      ++failures;
    }
  }
  return failures;
}

}  // namespace memharness::system
