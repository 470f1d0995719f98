// The journal of global changes on fake trees: values written back, reverse
// order, crashed runs found and restored, failures reported, RAII.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fake_system.h"
#include "harness/common/error.h"
#include "harness/common/space_reserve.h"
#include "harness/system/journal.h"

namespace memharness::system {
namespace {

using ::testing::ElementsAre;
using testing::FakeKiller;
using testing::FakeSwapControl;
using testing::FakeSystem;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr const char* kSwappiness = "/proc/sys/vm/swappiness";
constexpr const char* kThpEnabled = "/sys/kernel/mm/transparent_hugepage/enabled";
constexpr pid_t kDeadPid = 999999;  // above the default pid_max: never a real process

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake.write(kSwappiness, "60\n");
    fake.write("/proc/sys/vm/dirty_ratio", "20\n");
    fake.write(kThpEnabled, "always [madvise] never\n");
  }
  JournalSeams seams() { return {.killer = killer.killer(), .swap = swap}; }
  Journal begin() { return Journal::begin(fake.root(), fake.state_dir(), seams()); }
  std::filesystem::path journal_file(pid_t pid) const {
    return fake.state_dir() / ("journal-" + std::to_string(pid) + ".jsonl");
  }
  // What a harness that crashed after changing swappiness leaves behind.
  void leave_crashed_journal(pid_t pid, std::uint64_t start_ticks = 17) const {
    std::filesystem::create_directories(fake.state_dir());
    std::ofstream(journal_file(pid))
        << R"({"type":"header","format":1,"pid":)" << pid << R"(,"start_ticks":)" << start_ticks
        << R"(,"started_at":"2025-01-01T00:00:00Z","command_line":["memharness","run","kernbench"]})" << '\n'
        << R"({"type":"change","seq":1,"op":"write_value","path":"/proc/sys/vm/swappiness","old":"60","new":"1"})"
        << '\n';
    fake.write(kSwappiness, "1\n");
  }

  FakeSystem fake;
  FakeKiller killer;
  std::shared_ptr<FakeSwapControl> swap = std::make_shared<FakeSwapControl>();
};

TEST_F(JournalTest, WriteValueThenRestorePutsTheOldValueBack) {
  auto journal = begin();
  journal.write_value(kSwappiness, "10");
  EXPECT_EQ(fake.read(kSwappiness), "10");
  EXPECT_TRUE(std::filesystem::exists(journal.file()));
  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_EQ(fake.read(kSwappiness), "60");
  EXPECT_FALSE(std::filesystem::exists(journal.file()));  // all restored: deleted
  EXPECT_THAT(journal.restore(), ElementsAre());          // idempotent
  EXPECT_EQ(fake.read(kSwappiness), "60");
}

TEST_F(JournalTest, TheChangeIsJournaledBeforeItIsMade) {
  auto journal = begin();
  journal.write_value(kSwappiness, "10");
  std::string text = testing::read_text(journal.file());
  EXPECT_THAT(text, HasSubstr(R"("type":"header")"));
  EXPECT_THAT(text, HasSubstr(R"("start_ticks":4242)"));
  EXPECT_THAT(text, HasSubstr(R"("command_line":["memharness","run","unit-test"])"));
  EXPECT_THAT(text, HasSubstr(R"("op":"write_value","path":"/proc/sys/vm/swappiness","old":"60","new":"10")"));
  // A value that cannot be read is never changed, and never journaled.
  EXPECT_THROW(journal.write_value("/proc/sys/vm/nonexistent", "1"), Error);
  EXPECT_EQ(testing::read_text(journal.file()), text);
}

TEST_F(JournalTest, ChoiceListsRestoreTheChosenWord) {
  auto journal = begin();
  journal.write_value(kThpEnabled, "never");
  EXPECT_EQ(fake.read(kThpEnabled), "never");
  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_EQ(fake.read(kThpEnabled), "madvise");
}

TEST_F(JournalTest, CapturedThpKnobs) {
  auto captured = testing::kernel_fixture("6.1") / "sys/kernel/mm/transparent_hugepage";
  if (!std::filesystem::exists(captured)) GTEST_SKIP() << "no 6.1 capture";
  fake.copy(captured / "defrag", "/sys/kernel/mm/transparent_hugepage/defrag");  // "... [madvise] never"
  auto journal = begin();
  journal.write_value("/sys/kernel/mm/transparent_hugepage/defrag", "always");
  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_EQ(fake.read("/sys/kernel/mm/transparent_hugepage/defrag"), "madvise");
}

TEST_F(JournalTest, SysctlNamesMapToProcSys) {
  auto journal = begin();
  journal.set_sysctl("vm.swappiness", "5");
  EXPECT_EQ(fake.read(kSwappiness), "5");
  auto error = [&] {
    try {
      journal.set_sysctl("vm.no_such_knob", "1");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  }();
  EXPECT_EQ(error, "sysctl vm.no_such_knob does not exist on this kernel (no /proc/sys/vm/no_such_knob)");
  EXPECT_THROW(journal.set_sysctl("vm..swappiness", "1"), Error);
  EXPECT_THROW(journal.set_sysctl("../etc/passwd", "1"), Error);
  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_EQ(fake.read(kSwappiness), "60");
}

TEST_F(JournalTest, RestoreUndoesInReverseOrder) {
  auto journal = begin();
  journal.write_value(kSwappiness, "10");
  journal.write_value("/proc/sys/vm/dirty_ratio", "5");
  journal.write_value(kSwappiness, "1");  // a second change of the same file
  std::ostringstream log;
  EXPECT_THAT(journal.restore(&log), ElementsAre());
  EXPECT_EQ(fake.read(kSwappiness), "60");  // the oldest value wins
  EXPECT_EQ(fake.read("/proc/sys/vm/dirty_ratio"), "20");
  EXPECT_EQ(log.str(),
            "restored /proc/sys/vm/swappiness to \"10\"\n"
            "restored /proc/sys/vm/dirty_ratio to \"20\"\n"
            "restored /proc/sys/vm/swappiness to \"60\"\n");
}

// The kernel zeroes a dirty limit's partner on write and refuses dirty_bytes = 0:
// the member that was in effect is the one written back.
TEST_F(JournalTest, ExclusiveDirtyLimitsRestoreTheMemberThatWasInEffect) {
  fake.write("/proc/sys/vm/dirty_bytes", "0\n");
  fake.write("/proc/sys/vm/dirty_background_bytes", "16777216\n");
  fake.write("/proc/sys/vm/dirty_background_ratio", "0\n");
  auto journal = begin();
  journal.set_sysctl("vm.dirty_bytes", "67108864");
  fake.write("/proc/sys/vm/dirty_ratio", "0\n");  // as the kernel does
  journal.set_sysctl("vm.dirty_background_ratio", "5");
  fake.write("/proc/sys/vm/dirty_background_bytes", "0\n");
  std::ostringstream log;
  EXPECT_THAT(journal.restore(&log), ElementsAre());
  EXPECT_EQ(fake.read("/proc/sys/vm/dirty_ratio"), "20");
  EXPECT_EQ(fake.read("/proc/sys/vm/dirty_background_bytes"), "16777216");
  EXPECT_EQ(log.str(),
            "restored /proc/sys/vm/dirty_background_bytes to \"16777216\"\n"
            "restored /proc/sys/vm/dirty_ratio to \"20\"\n");
}

// A host variant's sysctls around one iteration: only the writes between the
// marks are undone (the member in effect for a dirty pair), the config's stay,
// and the final restore still ends at the original values.
TEST_F(JournalTest, RevertValuesUndoesOnlyTheWritesBetweenTheMarks) {
  fake.write("/proc/sys/vm/dirty_bytes", "0\n");
  auto journal = begin();
  journal.set_sysctl("vm.swappiness", "10");  // the config's, for the whole run
  auto begin_mark = journal.change_count();
  journal.set_sysctl("vm.dirty_bytes", "65536");  // the variant's
  fake.write("/proc/sys/vm/dirty_ratio", "0\n");  // as the kernel does
  journal.set_sysctl("vm.swappiness", "100");
  auto end_mark = journal.change_count();
  journal.record_cgroup("/sys/fs/cgroup/memory/memharness-test");  // the iteration's own changes after the marks

  journal.revert_values(begin_mark, end_mark);
  EXPECT_EQ(fake.read(kSwappiness), "10");
  EXPECT_EQ(fake.read("/proc/sys/vm/dirty_ratio"), "20");
  EXPECT_THROW(journal.revert_values(0, journal.change_count()), std::logic_error);  // a cgroup between the marks

  journal.set_sysctl("vm.swappiness", "100");  // the next iteration of the variant
  journal.restore();
  EXPECT_EQ(fake.read(kSwappiness), "60");
  EXPECT_EQ(fake.read("/proc/sys/vm/dirty_ratio"), "20");
}

// A long run: what each iteration journaled and undid itself (its cgroup, a
// tracefs instance, a scratch directory, a knob a workload set and put back)
// is forgotten between iterations, so the journal holds what is still in
// effect, not a change per iteration; the final restore still ends at the
// original values.
TEST_F(JournalTest, ForgetSettledKeepsOnlyWhatIsStillInEffect) {
  constexpr const char* kHugepages = "/proc/sys/vm/nr_hugepages";
  fake.write(kHugepages, "0\n");
  auto journal = begin();
  journal.set_sysctl("vm.swappiness", "10");  // the config's, for the whole run
  for (int iteration = 1; iteration <= 100; ++iteration) {
    auto mark = journal.change_count();
    std::string cgroup = "/sys/fs/cgroup/memory/own/memharness-1-" + std::to_string(iteration);
    journal.record_cgroup(cgroup);
    fake.mkdir(cgroup);
    std::string instance = "/sys/kernel/tracing/instances/memharness-" + std::to_string(iteration);
    journal.record_created_directory(instance);
    fake.mkdir(instance);
    auto scratch = fake.dir() / ("memharness-dd-1-dd-" + std::to_string(iteration));
    journal.record_scratch_directory(scratch);
    std::filesystem::create_directories(scratch);
    journal.write_value(kThpEnabled, "never");  // left set for the next iteration
    journal.write_value(kHugepages, "0");       // journaled, then put back by the workload itself
    fake.write(kHugepages, "64\n");
    fake.write(kHugepages, "0\n");
    std::filesystem::remove(fake.path(cgroup));
    std::filesystem::remove(fake.path(instance));
    std::filesystem::remove(scratch);
    journal.forget_settled(mark);
  }
  fake.write(kThpEnabled, "always madvise [never]\n");
  std::ostringstream log;
  EXPECT_THAT(journal.restore(&log), ElementsAre());
  // The first iteration's thp write is the one that restores it; the config's sysctl stays.
  EXPECT_EQ(log.str(),
            "restored /sys/kernel/mm/transparent_hugepage/enabled to \"madvise\"\n"
            "restored /proc/sys/vm/swappiness to \"60\"\n");
  EXPECT_EQ(fake.read(kSwappiness), "60");
  EXPECT_FALSE(std::filesystem::exists(journal.file()));
}

TEST_F(JournalTest, ForgetSettledKeepsWhatAnIterationLeftBehind) {
  auto journal = begin();
  auto mark = journal.change_count();
  journal.record_cgroup("/sys/fs/cgroup/memory/own/memharness-1-1");  // its cleanup failed: still there
  fake.write("/sys/fs/cgroup/memory/own/memharness-1-1/cgroup.procs", "31\n");
  auto scratch = fake.dir() / "memharness-dd-1-dd";
  journal.record_scratch_directory(scratch);
  std::filesystem::create_directories(scratch);
  journal.write_value(kSwappiness, "10");  // then 20: the oldest write is the one that restores
  journal.write_value(kSwappiness, "20");
  journal.set_sysctl("vm.dirty_ratio", "20");  // the value it had, but one of a pair: kept
  journal.forget_settled(mark);
  std::ostringstream log;
  EXPECT_THAT(journal.restore(&log), ElementsAre());
  EXPECT_EQ(log.str(),
            "restored /proc/sys/vm/dirty_ratio to \"20\"\n"
            "restored /proc/sys/vm/swappiness to \"60\"\n"
            "removed cgroup /sys/fs/cgroup/memory/own/memharness-1-1\n"
            "removed scratch directory " +
                scratch.string() + " (1 entries)\n");
  EXPECT_EQ(fake.read(kSwappiness), "60");
  EXPECT_FALSE(fake.exists("/sys/fs/cgroup/memory/own/memharness-1-1"));
}

// Two writes of one path in an iteration that ends at the first one's old
// value: nothing of that path needs restoring (forgetting only the first
// would leave the second to restore its old value, "10").
TEST_F(JournalTest, ForgetSettledDecidesAPathByItsOldestWrite) {
  auto journal = begin();
  auto mark = journal.change_count();
  journal.write_value(kSwappiness, "10");
  journal.write_value(kSwappiness, "60");
  journal.forget_settled(mark);
  fake.write(kSwappiness, "33\n");  // someone else's change afterwards: not the harness's to undo
  std::ostringstream log;
  EXPECT_THAT(journal.restore(&log), ElementsAre());
  EXPECT_EQ(log.str(), "");
  EXPECT_EQ(fake.read(kSwappiness), "33\n");
}

// What was forgotten is marked restored in the file too: a crash afterwards
// leaves `memharness restore` only what was still in effect.
TEST_F(JournalTest, ForgottenChangesAreRestoredInTheFile) {
  auto journal = begin();
  journal.set_sysctl("vm.swappiness", "10");
  auto mark = journal.change_count();
  journal.record_cgroup("/sys/fs/cgroup/memory/own/memharness-1-1");
  journal.forget_settled(mark);  // the cgroup was never made here: gone
  std::ifstream in(journal.file());
  std::vector<std::string> restored;
  for (std::string line; std::getline(in, line);)
    if (line.find(R"("type":"restored")") != std::string::npos) restored.push_back(line);
  EXPECT_THAT(restored, ElementsAre(R"({"type":"restored","seq":2})"));
}

TEST_F(JournalTest, RestoreCarriesOnPastAFailureAndReportsIt) {
  auto journal = begin();
  journal.write_value(kSwappiness, "10");
  fake.write("/sys/kernel/mm/knob", "3\n");
  journal.write_value("/sys/kernel/mm/knob", "4");
  journal.write_value("/proc/sys/vm/dirty_ratio", "5");
  // The knob becomes unwritable (here: a directory stands where the file was).
  std::filesystem::remove(fake.path("/sys/kernel/mm/knob"));
  fake.mkdir("/sys/kernel/mm/knob");

  auto failures = journal.restore();
  ASSERT_THAT(failures, SizeIs(1));
  EXPECT_THAT(failures[0], HasSubstr("could not restore /sys/kernel/mm/knob to \"3\""));
  EXPECT_EQ(fake.read(kSwappiness), "60");  // before and after the failure: restored
  EXPECT_EQ(fake.read("/proc/sys/vm/dirty_ratio"), "20");
  EXPECT_TRUE(std::filesystem::exists(journal.file()));  // kept for `memharness restore`

  // Fixed: a second restore retries only what failed, then deletes the journal.
  std::filesystem::remove(fake.path("/sys/kernel/mm/knob"));
  fake.write("/sys/kernel/mm/knob", "4\n");
  fake.write(kSwappiness, "33\n");
  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_EQ(fake.read("/sys/kernel/mm/knob"), "3");
  EXPECT_EQ(fake.read(kSwappiness), "33\n");  // not undone twice
  EXPECT_FALSE(std::filesystem::exists(journal.file()));
}

TEST_F(JournalTest, DestructorRestores) {
  std::filesystem::path file;
  {
    auto journal = begin();
    journal.write_value(kSwappiness, "10");
    file = journal.file();
  }
  EXPECT_EQ(fake.read(kSwappiness), "60");
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(JournalTest, MovedJournalRestoresOnce) {
  auto journal = begin();
  journal.write_value(kSwappiness, "10");
  {
    Journal moved(std::move(journal));
    fake.write(kSwappiness, "10\n");
  }
  EXPECT_EQ(fake.read(kSwappiness), "60");
}

TEST_F(JournalTest, JournalUsableAfterARestore) {
  auto journal = begin();
  journal.write_value(kSwappiness, "10");
  EXPECT_THAT(journal.restore(), ElementsAre());
  journal.write_value(kSwappiness, "20");
  EXPECT_TRUE(std::filesystem::exists(journal.file()));
  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_EQ(fake.read(kSwappiness), "60");
}

// ------------------------------------------------------------------ crashed runs

TEST_F(JournalTest, BeginRefusesWhileADeadProcessLeftChangesBehind) {
  leave_crashed_journal(kDeadPid);
  try {
    begin();
    FAIL() << "begin() accepted an unrestored journal";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::environment);
    EXPECT_THAT(e.what(), HasSubstr(journal_file(kDeadPid).string()));
    EXPECT_THAT(e.what(), HasSubstr("run `memharness restore` to undo its changes"));
    EXPECT_THAT(e.what(), HasSubstr("memharness run kernbench"));
  }
}

TEST_F(JournalTest, RestoreAllRestoresTheDeadProcessesJournalAndDeletesIt) {
  leave_crashed_journal(kDeadPid);
  std::ostringstream report;
  EXPECT_EQ(Journal::restore_all(fake.root(), fake.state_dir(), report, seams()), 0);
  EXPECT_EQ(fake.read(kSwappiness), "60");
  EXPECT_FALSE(std::filesystem::exists(journal_file(kDeadPid)));
  EXPECT_THAT(report.str(), HasSubstr("restored /proc/sys/vm/swappiness to \"60\""));
  EXPECT_THAT(report.str(), HasSubstr("memharness process 999999"));
  EXPECT_NO_THROW(begin());  // and the next run may start
}

TEST_F(JournalTest, JournalsOfRunningProcessesAreLeftAlone) {
  fake.add_process(4321, 17);
  leave_crashed_journal(4321, 17);
  EXPECT_NO_THROW(begin());  // a concurrent run is not an error
  std::ostringstream report;
  EXPECT_EQ(Journal::restore_all(fake.root(), fake.state_dir(), report, seams()), 0);
  EXPECT_THAT(report.str(), HasSubstr("left " + journal_file(4321).string() + " alone"));
  EXPECT_THAT(report.str(), HasSubstr("still running"));
  EXPECT_TRUE(std::filesystem::exists(journal_file(4321)));
  EXPECT_EQ(fake.read(kSwappiness), "1\n");
}

TEST_F(JournalTest, ReusedPidOrZombieCountsAsDead) {
  fake.add_process(4321, 99);  // same pid, started later: another process
  leave_crashed_journal(4321, 17);
  EXPECT_THROW(begin(), Error);
  fake.add_process(4321, 17, {"memharness"}, 'Z');  // the owner, but a zombie
  EXPECT_THROW(begin(), Error);
}

TEST_F(JournalTest, TornLastLineIsIgnored) {
  leave_crashed_journal(kDeadPid);
  std::ofstream(journal_file(kDeadPid), std::ios::app) << R"({"type":"change","seq":2,"op":"wri)";
  std::ostringstream report;
  EXPECT_EQ(Journal::restore_all(fake.root(), fake.state_dir(), report, seams()), 0) << report.str();
  EXPECT_EQ(fake.read(kSwappiness), "60");
}

TEST_F(JournalTest, RestoreAllCountsFailuresAndKeepsTheJournal) {
  leave_crashed_journal(kDeadPid);
  std::filesystem::remove(fake.path(kSwappiness));
  fake.mkdir(kSwappiness);  // unwritable
  std::ostringstream report;
  EXPECT_EQ(Journal::restore_all(fake.root(), fake.state_dir(), report, seams()), 1);
  EXPECT_THAT(report.str(), HasSubstr("FAILED: could not restore /proc/sys/vm/swappiness to \"60\""));
  EXPECT_TRUE(std::filesystem::exists(journal_file(kDeadPid)));
}

TEST_F(JournalTest, RestoreAllWithNothingToDo) {
  std::ostringstream report;
  EXPECT_EQ(Journal::restore_all(fake.root(), fake.state_dir(), report, seams()), 0);
  EXPECT_THAT(report.str(), HasSubstr("nothing to restore"));
}

// ------------------------------------------------------------------ other changes

TEST_F(JournalTest, CgroupRestoreKillsItsProcessesAndRemovesIt) {
  auto journal = begin();
  journal.record_cgroup("/sys/fs/cgroup/memory/own/memharness-1-1");
  fake.write("/sys/fs/cgroup/memory/own/memharness-1-1/cgroup.procs", "31\n32\n");
  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_THAT(killer.killed, ElementsAre(31, 32));
  EXPECT_FALSE(fake.exists("/sys/fs/cgroup/memory/own/memharness-1-1"));
  EXPECT_TRUE(fake.exists("/sys/fs/cgroup/memory/own"));
}

TEST_F(JournalTest, CreatedDirectoryIsRemoved) {
  auto journal = begin();
  journal.record_created_directory("/sys/kernel/tracing/instances/memharness-1");
  fake.mkdir("/sys/kernel/tracing/instances/memharness-1");
  std::ostringstream log;
  EXPECT_THAT(journal.restore(&log), ElementsAre());
  EXPECT_FALSE(fake.exists("/sys/kernel/tracing/instances/memharness-1"));
  EXPECT_EQ(log.str(), "removed directory /sys/kernel/tracing/instances/memharness-1\n");
}

TEST_F(JournalTest, ScratchDirectoryIsRemovedWithEverythingInIt) {
  auto scratch = fake.dir() / "var-tmp" / "memharness-dd-4242-dd";
  auto journal = begin();
  journal.record_cgroup("/sys/fs/cgroup/memory/own/memharness-1-1");
  fake.write("/sys/fs/cgroup/memory/own/memharness-1-1/cgroup.procs", "31\n");
  journal.record_scratch_directory(scratch);
  std::filesystem::create_directories(scratch / "8");
  std::ofstream(scratch / "8" / "dd-0") << "written";
  journal.set_sysctl("vm.swappiness", "10");
  std::ostringstream log;
  EXPECT_THAT(journal.restore(&log), ElementsAre());
  EXPECT_FALSE(std::filesystem::exists(scratch));
  EXPECT_TRUE(std::filesystem::exists(fake.dir() / "var-tmp"));
  // Last, once the cgroup's processes, which might still write there, are gone.
  EXPECT_EQ(log.str(),
            "restored /proc/sys/vm/swappiness to \"60\"\n"
            "removed cgroup /sys/fs/cgroup/memory/own/memharness-1-1\n"
            "removed scratch directory " +
                scratch.string() + " (3 entries)\n");
}

// After a crash, what sits at a scratch directory's path may not be what the
// harness made: a symlink someone put there is refused, not removed.
TEST_F(JournalTest, ASymlinkInPlaceOfAScratchDirectoryIsRefused) {
  auto precious = fake.dir() / "precious";
  std::filesystem::create_directories(precious);
  std::ofstream(precious / "data") << "kept";
  auto scratch = fake.dir() / "memharness-dd-4242-dd-abcdefgh";
  auto journal = begin();
  journal.record_scratch_directory(scratch);
  std::filesystem::create_directory_symlink(precious, scratch);
  auto failures = journal.restore();
  ASSERT_THAT(failures, ElementsAre(HasSubstr("refusing to remove " + scratch.string() +
                                              ": not a directory memharness created (a symbolic link")));
  EXPECT_TRUE(std::filesystem::exists(precious / "data"));
}

TEST_F(JournalTest, AScratchDirectoryTheWorkloadRemovedItselfIsFine) {
  auto journal = begin();
  journal.record_scratch_directory(fake.dir() / "memharness-kernbench-1-kernbench");
  std::ostringstream log;
  EXPECT_THAT(journal.restore(&log), ElementsAre());
  EXPECT_THAT(log.str(), HasSubstr("was gone already"));
}

TEST_F(JournalTest, ScratchDirectoriesMustBeNamedAsTheHarnessNamesThem) {
  auto journal = begin();
  EXPECT_THROW(journal.record_scratch_directory(fake.dir() / "results"), Error);
  EXPECT_THROW(journal.record_scratch_directory(fake.dir() / "memharness-"), Error);
  EXPECT_THROW(journal.record_scratch_directory("/"), Error);
  // What a damaged journal of a crashed run names is checked again at restore.
  std::filesystem::create_directories(fake.state_dir());
  auto precious = fake.dir() / "precious";
  std::filesystem::create_directories(precious);
  std::ofstream(journal_file(kDeadPid))
      << R"({"type":"header","format":1,"pid":)" << kDeadPid
      << R"(,"start_ticks":17,"started_at":"2025-01-01T00:00:00Z","command_line":["memharness"]})" << '\n'
      << R"({"type":"change","seq":1,"op":"scratch_directory","path":")" << precious.string() << R"("})" << '\n';
  std::ostringstream report;
  EXPECT_EQ(Journal::restore_all(fake.root(), fake.state_dir(), report, seams()), 1);
  EXPECT_THAT(report.str(), HasSubstr("not a memharness-* scratch directory"));
  EXPECT_TRUE(std::filesystem::exists(precious));
}

// A forged or damaged journal of a dead run: restore undoes only what each
// kind of entry may touch, says what it refused, and does not refuse forever.
TEST_F(JournalTest, RestoreRefusesEntriesOutsideWhatTheirKindMayTouch) {
  fake.write("/etc/shadow", "root:secret\n");
  auto precious = fake.dir() / "home" / "precious";
  std::filesystem::create_directories(precious.parent_path());
  std::ofstream(precious) << "kept";
  fake.write("/sys/fs/cgroup/memory/user.slice/cgroup.procs", "1\n");
  std::filesystem::create_directories(fake.state_dir());
  std::ofstream(journal_file(kDeadPid))
      << R"({"type":"header","format":1,"pid":)" << kDeadPid
      << R"(,"start_ticks":17,"started_at":"2025-01-01T00:00:00Z","command_line":["memharness"]})" << '\n'
      << R"({"type":"change","seq":1,"op":"write_value","path":"/etc/shadow","old":"root::\n","new":"x"})" << '\n'
      << R"({"type":"change","seq":2,"op":"write_value","path":"/proc/sys/../../etc/shadow","old":"","new":"x"})"
      << '\n'
      << R"({"type":"change","seq":3,"op":"swapfile","path":")" << precious.string() << R"("})" << '\n'
      << R"({"type":"change","seq":4,"op":"cgroup","path":"/sys/fs/cgroup/memory/user.slice"})" << '\n'
      << R"({"type":"change","seq":5,"op":"write_value","path":"/proc/sys/vm/swappiness","old":"60","new":"1"})"
      << '\n';
  fake.write(kSwappiness, "1\n");
  std::ostringstream report;
  EXPECT_EQ(Journal::restore_all(fake.root(), fake.state_dir(), report, seams()), 4);
  EXPECT_THAT(report.str(), HasSubstr("refusing to touch /etc/shadow: not a sysctl"));
  EXPECT_THAT(report.str(), HasSubstr("refusing to touch /proc/sys/../../etc/shadow"));
  EXPECT_THAT(report.str(), HasSubstr("refusing to touch " + precious.string() + ": not a memharness-swap-* file"));
  EXPECT_THAT(report.str(), HasSubstr("refusing to touch /sys/fs/cgroup/memory/user.slice: not a memharness-* cgroup"));
  EXPECT_EQ(fake.read("/etc/shadow"), "root:secret\n");
  EXPECT_TRUE(std::filesystem::exists(precious));
  EXPECT_TRUE(killer.killed.empty());
  EXPECT_EQ(fake.read(kSwappiness), "60");  // what it may touch is restored
  // Refused once, not forever: the journal is done with, later runs may start.
  EXPECT_FALSE(std::filesystem::exists(journal_file(kDeadPid)));
  EXPECT_NO_THROW(Journal::check_no_unrestored(fake.root(), fake.state_dir()));
}

// A swapfile restore would delete must be the harness's own plain file.
TEST_F(JournalTest, ASymlinkInPlaceOfTheSwapfileIsNotDeletedThrough) {
  auto file = fake.dir() / "memharness-swap-1";
  auto journal = begin();
  journal.enable_swapfile(file, 1 << 20);
  EXPECT_THAT(journal.restore(), ElementsAre());  // swapoff, delete: normal
  auto victim = fake.dir() / "victim";
  std::ofstream(victim) << "kept";
  auto second = begin();
  fake.write("/proc/swaps", "Filename Type Size Used Priority\n");
  second.enable_swapfile(fake.dir() / "memharness-swap-2", 1 << 20);
  std::filesystem::remove(fake.dir() / "memharness-swap-2");
  std::filesystem::create_symlink(victim, fake.dir() / "memharness-swap-2");
  auto failures = second.restore();
  EXPECT_THAT(failures, ElementsAre(HasSubstr("a symbolic link stands there")));
  EXPECT_TRUE(std::filesystem::exists(victim));
}

TEST_F(JournalTest, WritesOutsideTheKnobsAreRefusedUpFront) {
  fake.write("/etc/motd", "hello\n");
  auto journal = begin();
  EXPECT_THROW(journal.write_value("/etc/motd", "x"), Error);
  EXPECT_THROW(journal.enable_swapfile(fake.dir() / "swapfile", 1 << 20), Error);
  EXPECT_EQ(fake.read("/etc/motd"), "hello\n");
}

// A crash during the very first write leaves a torn header: no change had been
// made (changes wait for that write), so the journal is deleted, not a reason
// to refuse every later run and restore forever.
TEST_F(JournalTest, AJournalTornInItsFirstWriteIsDeletedNotBlocking) {
  std::filesystem::create_directories(fake.state_dir());
  std::ofstream(journal_file(kDeadPid)) << R"({"type":"head)";
  EXPECT_TRUE(Journal::any_left_by_ended_owners(fake.root(), fake.state_dir()));
  std::ostringstream report;
  EXPECT_EQ(Journal::restore_all(fake.root(), fake.state_dir(), report, seams()), 0);
  EXPECT_THAT(report.str(), HasSubstr("its first write was torn, so it had made no change"));
  EXPECT_FALSE(std::filesystem::exists(journal_file(kDeadPid)));
  std::ofstream(journal_file(kDeadPid)) << R"({"type":"head)";
  EXPECT_NO_THROW(Journal::check_no_unrestored(fake.root(), fake.state_dir()));
  EXPECT_FALSE(std::filesystem::exists(journal_file(kDeadPid)));
}

// The header's descriptive members (what the refusal and restore print about
// the owner) of another type: check_no_unrestored ended with a JSON
// type_error 302 instead of naming the journal and saying to restore it.
TEST_F(JournalTest, AHeaderWithOddDescriptiveMembersStillNamesTheJournal) {
  std::filesystem::create_directories(fake.state_dir());
  std::ofstream(journal_file(kDeadPid))
      << R"({"type":"header","format":1,"pid":)" << kDeadPid
      << R"(,"start_ticks":17,"started_at":5,"command_line":["memharness",7]})" << '\n'
      << R"({"type":"change","seq":1,"op":"write_value","path":"/proc/sys/vm/swappiness","old":"60","new":"1"})"
      << '\n';
  try {
    Journal::check_no_unrestored(fake.root(), fake.state_dir());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(journal_file(kDeadPid).string() + " holds 1 change(s)"));
    EXPECT_THAT(e.what(), HasSubstr("memharness process 999999 (`memharness ?`, started at an unknown time)"));
  }
  std::ostringstream report;
  EXPECT_EQ(Journal::restore_all(fake.root(), fake.state_dir(), report, seams()), 0);
}

// Lines of the wrong shape are named, not a JSON type_error.
TEST_F(JournalTest, AChangeWithoutSeqOrPathIsNamed) {
  std::filesystem::create_directories(fake.state_dir());
  std::ofstream(journal_file(kDeadPid))
      << R"({"type":"header","format":1,"pid":)" << kDeadPid
      << R"(,"start_ticks":17,"started_at":"2025-01-01T00:00:00Z","command_line":["memharness"]})" << '\n'
      << R"({"type":"change","seq":1,"op":"write_value"})" << '\n';
  std::ostringstream report;
  EXPECT_EQ(Journal::restore_all(fake.root(), fake.state_dir(), report, seams()), 1);
  EXPECT_THAT(report.str(), HasSubstr("a change without seq, op or path"));
}

TEST_F(JournalTest, SwapfileIsAllocatedSwitchedOnAndUndoneInReverse) {
  auto file = fake.dir() / "memharness-swap-1";
  auto journal = begin();
  journal.enable_swapfile(file, 8 << 20);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 8 << 20);
  EXPECT_GE(static_cast<std::int64_t>(st.st_blocks) * 512, 8 << 20);  // allocated, not sparse
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(swap->calls, ElementsAre("mkswap " + file.string(), "swapon " + file.string()));

  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_THAT(swap->calls,
              ElementsAre("mkswap " + file.string(), "swapon " + file.string(), "swapoff " + file.string()));
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(JournalTest, SwapfileStillInUseIsNotDeleted) {
  auto file = fake.dir() / "memharness-swap-1";
  auto journal = begin();
  journal.enable_swapfile(file, 1 << 20);
  fake.write("/proc/swaps", "Filename Type Size Used Priority\n" + file.string() + " file 1020 0 -2\n");
  swap->active.clear();  // swapoff "fails" to find it, yet the kernel lists it
  auto failures = journal.restore();
  ASSERT_THAT(failures, SizeIs(1));
  EXPECT_THAT(failures[0], HasSubstr("could not delete swapfile"));
  EXPECT_THAT(failures[0], HasSubstr("still in use as swap"));
  EXPECT_TRUE(std::filesystem::exists(file));
}

TEST_F(JournalTest, FailedSwaponStillCleansUp) {
  auto file = fake.dir() / "memharness-swap-1";
  swap->fail_swapon = true;
  auto journal = begin();
  EXPECT_THROW(journal.enable_swapfile(file, 1 << 20), std::runtime_error);
  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(JournalTest, FakeTreesNeverTouchTheHostsSwap) {
  auto journal = Journal::begin(fake.root(), fake.state_dir());  // no SwapControl given
  EXPECT_THROW(journal.enable_swapfile(fake.dir() / "memharness-swap-1", 1 << 20), std::logic_error);
  EXPECT_THAT(journal.restore(), ElementsAre());  // the file it had created is gone again
  EXPECT_FALSE(std::filesystem::exists(fake.dir() / "memharness-swap-1"));
}

TEST(JournalDirectory, FromTheEnvironment) {
  ::setenv("MEMHARNESS_STATE_DIR", "/tmp/somewhere", 1);
  EXPECT_EQ(Journal::default_directory(), "/tmp/somewhere");
  ::unsetenv("MEMHARNESS_STATE_DIR");
  EXPECT_EQ(Journal::default_directory(), "/var/lib/memharness");
}

// A run killed while it held the room for its final manifest
// (common/space_reserve.h): restore gives the room back first, so that marking
// the manifest fits on the disk the run filled.
TEST_F(JournalTest, RestoreReleasesAKilledRunsSpaceReserveAndMarksItIncomplete) {
  auto run_dir = fake.dir() / "results" / "label" / "test" / "2026-01-01T00-00-00Z";
  std::filesystem::create_directories(run_dir);
  std::ofstream(run_dir / "manifest.json") << R"({"status":"running"})" << '\n';
  std::ofstream(run_dir / std::string(kRunSpaceReserveName)) << std::string(4096, '\0');
  {
    auto journal = begin();
    journal.record_run_manifest(run_dir / "manifest.json");
    EXPECT_THAT(journal.restore(), SizeIs(0));
  }
  EXPECT_FALSE(std::filesystem::exists(run_dir / std::string(kRunSpaceReserveName)));
  EXPECT_THAT(testing::read_text(run_dir / "manifest.json"), HasSubstr(R"("status": "incomplete")"));
}

}  // namespace
}  // namespace memharness::system
