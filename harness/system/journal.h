#pragma once
// The journal of global changes. Every change the harness makes to the machine
// (sysctls, sysfs knobs, cgroup.subtree_control, cgroups, directories, swap,
// workloads' scratch directories) is written to a journal file — one JSON
// object per line, fsync'd — BEFORE it is made, and undone in reverse order
// (scratch directories last) by restore(): on a normal exit, by the destructor
// when restore() was not called, and after a crash by `memharness restore`
// (restore_all).
//
// Files: <dir>/journal-<pid>.jsonl, one per running harness, created with its
// first entry and deleted once everything in it was restored. Lines:
//   {"type":"header","format":1,"pid":P,"start_ticks":T,"started_at":"...","command_line":[...]}
//   {"type":"change","seq":N,"op":"write_value","path":"/proc/sys/vm/swappiness","old":"60","new":"10"}
//   {"type":"change","seq":N,"op":"cgroup"|"directory"|"scratch_directory"|"swapfile"|"swapon"|"run_manifest","path":"..."}
//   {"type":"change","seq":N,"op":"mount","path":"/sys/kernel/tracing","fstype":"tracefs"}
//   {"type":"change","seq":N,"op":"harness_cgroup","path":"<own>/memharness-P-harness","return_to":"<own>"}
//   {"type":"restored","seq":N}        (appended as each change is undone, or
//                                       found undone already: forget_settled)
// start_ticks (field 22 of /proc/<pid>/stat) tells the owner apart from a later
// process that got the same pid. A new kind of change is a new "op" with its
// undo in journal.cpp.
//
// Paths of kernel files and cgroups are system paths resolved through the
// SystemRoot; the journal directory and swapfiles are ordinary files on a real
// filesystem and are used as given. Not thread-safe: one thread makes changes.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/system/cgroup.h"
#include "harness/system/system_root.h"

namespace memharness::system {

// The swap operations, a seam: unit tests on fake trees cannot (and must not)
// enable swap on the machine running them.
class SwapControl {
 public:
  virtual ~SwapControl() = default;
  // Runs mkswap(8) on `file`; throws Error(environment) with its output on failure.
  virtual void mkswap(const std::filesystem::path& file) = 0;
  virtual void swapon(const std::filesystem::path& file) = 0;
  // Returns false when `file` was not in use as swap (nothing to undo).
  virtual bool swapoff(const std::filesystem::path& file) = 0;
};

// mkswap(8), swapon(2), swapoff(2).
std::shared_ptr<SwapControl> real_swap_control();

// What the journal acts through; empty members mean the real thing on a live
// root and, on a fake tree, one that refuses (throws) rather than touch the host.
struct JournalSeams {
  ProcessKiller killer{};
  std::shared_ptr<SwapControl> swap{};
};

// "vm.swappiness" -> "/proc/sys/vm/swappiness"; Error(usage) when the name is
// not a sysctl name.
std::string sysctl_path(const std::string& dotted_name);

class Journal {
 public:
  // $MEMHARNESS_STATE_DIR, or /var/lib/memharness.
  static std::filesystem::path default_directory();

  // Throws Error(environment) when `dir` holds a journal with changes not yet
  // undone whose owner process has ended, naming the file and saying to run
  // `memharness restore`. Journals of running processes are fine (concurrent
  // runs); fully restored leftovers are deleted.
  static void check_no_unrestored(const SystemRoot& root, const std::filesystem::path& dir);

  // Whether `dir` holds a journal of a process that has ended (or one that
  // cannot be read): what restore_all() would act on.
  static bool any_left_by_ended_owners(const SystemRoot& root, const std::filesystem::path& dir);

  // check_no_unrestored(), then a journal for this process (the directory is
  // created when missing; the file with the first change).
  static Journal begin(const SystemRoot& root, std::filesystem::path dir, JournalSeams seams = {});

  // `memharness restore`: restores every journal in `dir` whose owner has ended,
  // says which it left alone because their owner is still running, and prints
  // what it undid to `report`. Returns the number of failures.
  static int restore_all(const SystemRoot& root, const std::filesystem::path& dir, std::ostream& report,
                         JournalSeams seams = {});

  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&&) = delete;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  // Restores when changes were made since the last restore(); failures go to stderr.
  ~Journal();

  // The journal file (exists only while it holds changes not yet restored).
  const std::filesystem::path& file() const noexcept { return file_; }

  // Writes `value` to a kernel file, journaling the value it had. A value read
  // as a choice list ("always [madvise] never") is recorded as the chosen word.
  // cgroup.subtree_control is restored by enabling/disabling the controllers
  // that differ ("+x -y"), since it is not written the way it reads.
  void write_value(const std::string& absolute_path, const std::string& value);
  // "vm.swappiness" -> /proc/sys/vm/swappiness; Error(environment) naming the
  // sysctl when this kernel has no such file.
  void set_sysctl(const std::string& dotted_name, const std::string& value);
  // A cgroup about to be created: restore kills its processes and removes it.
  void record_cgroup(const std::string& absolute_path);
  // A directory about to be created (tracefs instance ...): restore rmdirs it.
  void record_created_directory(const std::string& absolute_path);
  // The leaf cgroup the harness is about to create and move itself into, so that
  // its own (delegated, cgroup v2) cgroup can pass the memory controller on to
  // the test cgroups: restore moves this process back to `return_to` if it is
  // still in the leaf, and removes the leaf (op "harness_cgroup"); its
  // processes are never killed, since one of them is the harness.
  void record_harness_cgroup(const std::string& absolute_path, const std::string& return_to);
  // A scratch directory a workload is about to create on an ordinary
  // filesystem for its files (dd output, kernel builds, the load's files):
  // restore removes it with everything in it, so a SIGKILLed run leaves no
  // gigabytes behind. Only directories named memharness-* are taken (an
  // Error(usage) otherwise), and restore checks the name again, so a damaged
  // journal cannot make it delete anything else.
  void record_scratch_directory(const std::filesystem::path& directory);
  // Mounts a filesystem of `fstype` (no device, e.g. tracefs) at `absolute_path`
  // on a live root; restore unmounts it (op "mount"). Throws Error(environment)
  // when the mount fails.
  void mount_filesystem(const std::string& fstype, const std::string& absolute_path);
  // A run directory's manifest.json: if the run is still "running" when this is
  // restored (after a crash), restore marks it "incomplete" and says why.
  void record_run_manifest(const std::filesystem::path& manifest);
  // Creates a swapfile of `bytes` (allocated, not sparse; mode 0600), mkswap,
  // swapon. Restore: swapoff, then delete the file.
  void enable_swapfile(const std::filesystem::path& file, std::int64_t bytes);

  // Undoes every change not yet undone, newest first (scratch directories
  // last, once the cgroups and their processes are gone), carrying on past
  // failures; returns one sentence per failure. What was undone is written to
  // `log` when given. Deletes the file once everything was restored. Calling it
  // again retries only what failed; new changes may be journaled afterwards.
  std::vector<std::string> restore(std::ostream* log = nullptr);

  // The number of changes journaled so far (the last one's seq): marks for
  // revert_values() and forget_settled(), which stay valid when changes are
  // dropped from memory.
  std::size_t change_count() const noexcept { return static_cast<std::size_t>(next_seq_ - 1); }
  // Undoes, newest first, the value writes journaled from mark `begin` up to
  // `end` (a variant's sysctls around one of its iterations), leaving every
  // other change in place and the journal open. Throws Error(environment)
  // naming the first value that could not be put back: the next iteration must
  // not run on a machine in an unknown state. Only write_value changes may lie
  // between the marks (a logic_error otherwise).
  void revert_values(std::size_t begin, std::size_t end);
  // Between iterations: the changes journaled after mark `since` that no
  // restore needs any more are marked restored in the file and dropped from
  // memory, with every change restored already, so that a run of 10,000
  // iterations holds what is still in effect rather than each iteration's
  // changes. Not needed any more: a cgroup, tracefs instance or scratch
  // directory that is gone (its owner removed it), and a value write of a path
  // that an older journaled write of the same path will restore, or that, as
  // the oldest, holds its old value again. Writes with a partner (the dirty
  // limits) and to cgroup.subtree_control are kept. Call it only when no
  // revert_values() range reaches past `since`.
  void forget_settled(std::size_t since);

 private:
  using Json = nlohmann::ordered_json;  // keys in the order written: readable journals

  Journal(const SystemRoot& root, std::filesystem::path file, Json header, JournalSeams seams);

  // Appends one line and fsyncs it; the first one creates the file.
  void append(const Json& line);
  void record(const Json& change);
  // Undoes one change; returns what was done, for the log.
  std::string undo(const Json& change);
  // Drops the changes restored already from memory (the file keeps them).
  void drop_restored();
  void close_file() noexcept;

  SystemRoot root_;
  std::filesystem::path file_;
  Json header_;
  ProcessKiller killer_;
  std::shared_ptr<SwapControl> swap_;
  int fd_ = -1;
  std::vector<Json> changes_;
  std::set<std::uint64_t> restored_;
  std::uint64_t next_seq_ = 1;
  bool restore_pending_ = false;
};

}  // namespace memharness::system
