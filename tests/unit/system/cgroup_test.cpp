// Memory cgroups on fake v1 and v2 trees: creation (journaled), limits, counters
// under normalised names (hand-made and captured files), killing, removal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_system.h"
#include "harness/common/error.h"
#include "harness/system/cgroup.h"
#include "harness/system/journal.h"

namespace memharness::system {
namespace {

using ::testing::ElementsAre;
using testing::FakeKiller;
using testing::FakeSystem;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr const char* kV1Own = "/sys/fs/cgroup/memory/process_api/abc123";

template <typename F>
Error error_from(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no memharness::Error thrown";
  return Error(ExitCode::success, "");
}

class CgroupTest : public ::testing::Test {
 protected:
  Journal begin_journal() { return Journal::begin(fake.root(), fake.state_dir(), {.killer = killer.killer()}); }
  std::string journal_text(const Journal& journal) { return testing::read_text(journal.file()); }

  FakeSystem fake;
  FakeKiller killer;
};

// ------------------------------------------------------------------ creation

TEST_F(CgroupTest, V1CreatesBelowTheOwnCgroupAndJournalsItFirst) {
  testing::make_hybrid_v1_host(fake);
  auto journal = begin_journal();
  auto cgroup = create_memory_cgroup(fake.root(), find_memory_controller(fake.root()), "memharness-1-1", journal,
                                     killer.killer());
  EXPECT_EQ(cgroup->path(), std::string(kV1Own) + "/memharness-1-1");
  EXPECT_EQ(cgroup->version(), CgroupVersion::v1);
  EXPECT_EQ(cgroup->procs_file(), std::string(kV1Own) + "/memharness-1-1/cgroup.procs");
  EXPECT_TRUE(std::filesystem::is_directory(fake.path(cgroup->path())));
  EXPECT_THAT(journal_text(journal), HasSubstr(R"("op":"cgroup","path":")" + cgroup->path() + "\""));
  // Restoring the journal removes it.
  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_FALSE(fake.exists(cgroup->path()));
}

TEST_F(CgroupTest, RefusesAnExistingCgroupWithoutJournalingIt) {
  testing::make_hybrid_v1_host(fake);
  fake.mkdir(std::string(kV1Own) + "/memharness-1-1");
  auto journal = begin_journal();
  auto error = error_from(
      [&] { create_memory_cgroup(fake.root(), find_memory_controller(fake.root()), "memharness-1-1", journal); });
  EXPECT_EQ(error.code(), ExitCode::environment);
  EXPECT_THAT(error.what(), HasSubstr("exists already"));
  EXPECT_FALSE(std::filesystem::exists(journal.file()));  // nothing journaled
}

TEST_F(CgroupTest, RejectsNamesThatAreNotOneComponent) {
  testing::make_hybrid_v1_host(fake);
  auto journal = begin_journal();
  auto controller = find_memory_controller(fake.root());
  for (const char* name : {"", ".", "..", "a/b"})
    EXPECT_THROW(create_memory_cgroup(fake.root(), controller, name, journal), std::invalid_argument) << name;
}

TEST_F(CgroupTest, V2EnablesTheMemoryControllerInTheRootAndRestoresIt) {
  testing::make_pure_v2_guest(fake);
  fake.write("/sys/fs/cgroup/cgroup.subtree_control", "cpu\n");
  auto journal = begin_journal();
  auto cgroup = create_memory_cgroup(fake.root(), find_memory_controller(fake.root()), "memharness-7-1", journal,
                                     killer.killer());
  EXPECT_EQ(cgroup->path(), "/sys/fs/cgroup/memharness-7-1");
  EXPECT_EQ(cgroup->version(), CgroupVersion::v2);
  EXPECT_EQ(fake.read("/sys/fs/cgroup/cgroup.subtree_control"), "+memory");
  std::string text = journal_text(journal);
  EXPECT_LT(text.find("cgroup.subtree_control"), text.find(R"("op":"cgroup")"));
  // The kernel shows the controller list; restoring turns memory off again.
  fake.write("/sys/fs/cgroup/cgroup.subtree_control", "cpu memory\n");
  EXPECT_THAT(journal.restore(), ElementsAre());
  EXPECT_EQ(fake.read("/sys/fs/cgroup/cgroup.subtree_control"), "-memory");
  EXPECT_FALSE(fake.exists("/sys/fs/cgroup/memharness-7-1"));
}

TEST_F(CgroupTest, V2LeavesAnEnabledMemoryControllerAlone) {
  testing::make_pure_v2_guest(fake);
  fake.write("/sys/fs/cgroup/cgroup.subtree_control", "cpu memory\n");
  auto journal = begin_journal();
  create_memory_cgroup(fake.root(), find_memory_controller(fake.root()), "memharness-7-1", journal, killer.killer());
  EXPECT_THAT(journal_text(journal), ::testing::Not(HasSubstr("subtree_control")));
}

TEST_F(CgroupTest, V2NestedCgroupWithProcessesExplainsTheNoInternalProcessesRule) {
  testing::make_pure_v2_guest(fake, "/user.slice/session-1.scope");
  fake.write("/sys/fs/cgroup/user.slice/session-1.scope/cgroup.procs", "812\n1234\n");
  auto journal = begin_journal();
  auto error = error_from(
      [&] { create_memory_cgroup(fake.root(), find_memory_controller(fake.root()), "memharness-7-1", journal); });
  EXPECT_EQ(error.code(), ExitCode::environment);
  EXPECT_THAT(error.what(), HasSubstr("no internal processes"));
  EXPECT_THAT(error.what(), HasSubstr("/sys/fs/cgroup/user.slice/session-1.scope"));
  EXPECT_FALSE(fake.exists("/sys/fs/cgroup/user.slice/session-1.scope/memharness-7-1"));
}

TEST_F(CgroupTest, V2DelegatedCgroupOfItsOwnMovesTheHarnessIntoALeafAndBack) {
  // `systemd-run --scope -p Delegate=yes memharness ...`: the scope holds only us.
  const std::string scope = "/sys/fs/cgroup/system.slice/run-r1.scope";
  const std::string self = std::to_string(::getpid());
  const std::string leaf = scope + "/memharness-" + self + "-harness";
  testing::make_pure_v2_guest(fake, "/system.slice/run-r1.scope");
  fake.write(scope + "/cgroup.procs", self + "\n");
  auto journal = begin_journal();
  auto cgroup = create_memory_cgroup(fake.root(), find_memory_controller(fake.root()), "memharness-7-1", journal,
                                     killer.killer());
  EXPECT_EQ(cgroup->path(), scope + "/memharness-7-1");  // beside the leaf, not below it
  EXPECT_EQ(fake.read(leaf + "/cgroup.procs"), self);
  EXPECT_EQ(fake.read(scope + "/cgroup.subtree_control"), "+memory");
  std::string text = journal_text(journal);
  EXPECT_LT(text.find(R"("op":"harness_cgroup")"), text.find("cgroup.subtree_control"));
  EXPECT_LT(text.find("cgroup.subtree_control"), text.find(R"("op":"cgroup")"));

  fake.write(scope + "/cgroup.subtree_control", "memory\n");
  fake.write(scope + "/cgroup.procs", "");  // as the kernel shows it now
  std::ostringstream log;
  EXPECT_THAT(journal.restore(&log), ElementsAre());
  EXPECT_EQ(fake.read(scope + "/cgroup.subtree_control"), "-memory");
  EXPECT_EQ(fake.read(scope + "/cgroup.procs"), self);  // moved back
  EXPECT_FALSE(fake.exists(leaf));
  EXPECT_FALSE(fake.exists(scope + "/memharness-7-1"));
  EXPECT_THAT(killer.killed, ElementsAre());  // the harness's leaf is never killed
  EXPECT_THAT(log.str(), HasSubstr("moved memharness back to " + scope));
}

TEST_F(CgroupTest, V2NestedCgroupWithoutMemoryAvailable) {
  testing::make_pure_v2_guest(fake, "/svc");
  fake.write("/sys/fs/cgroup/svc/cgroup.controllers", "cpu pids\n");
  auto journal = begin_journal();
  auto error = error_from(
      [&] { create_memory_cgroup(fake.root(), find_memory_controller(fake.root()), "memharness-7-1", journal); });
  EXPECT_THAT(error.what(), HasSubstr("memory controller is not available"));
}

// ------------------------------------------------------------------ limits

class LimitsTest : public CgroupTest {
 protected:
  std::unique_ptr<MemoryCgroup> make(CgroupVersion version) {
    std::string path = version == CgroupVersion::v1 ? std::string(kV1Own) + "/t" : "/sys/fs/cgroup/t";
    if (version == CgroupVersion::v1)
      testing::populate_v1_cgroup(fake, path);
    else
      testing::populate_v2_cgroup(fake, path);
    return open_memory_cgroup(fake.root(), version, path, killer.killer());
  }
  std::string file(const MemoryCgroup& cgroup, const char* name) { return fake.read(cgroup.path() + "/" + name); }
};

TEST_F(LimitsTest, V2WritesEveryLimitToItsFile) {
  auto cgroup = make(CgroupVersion::v2);
  cgroup->apply_limits({.max = 256 << 20, .high = 200 << 20, .low = 8 << 20, .min = 4 << 20, .swap_max = 0});
  EXPECT_EQ(file(*cgroup, "memory.max"), "268435456");
  EXPECT_EQ(file(*cgroup, "memory.high"), "209715200");
  EXPECT_EQ(file(*cgroup, "memory.low"), "8388608");
  EXPECT_EQ(file(*cgroup, "memory.min"), "4194304");
  EXPECT_EQ(file(*cgroup, "memory.swap.max"), "0");
}

TEST_F(LimitsTest, V2LeavesUnsetLimitsAlone) {
  auto cgroup = make(CgroupVersion::v2);
  cgroup->apply_limits({.max = 64 << 20});
  EXPECT_EQ(file(*cgroup, "memory.max"), "67108864");
  EXPECT_EQ(file(*cgroup, "memory.high"), "max\n");
  EXPECT_EQ(file(*cgroup, "memory.swap.max"), "max\n");
}

TEST_F(LimitsTest, V2SwapLimitWithoutSwapAccounting) {
  auto cgroup = make(CgroupVersion::v2);
  std::filesystem::remove(fake.path(cgroup->path() + "/memory.swap.max"));
  auto error = error_from([&] { cgroup->apply_limits({.max = 64 << 20, .swap_max = 0}); });
  EXPECT_THAT(error.what(), HasSubstr("memory.swap.max does not exist"));
  EXPECT_EQ(file(*cgroup, "memory.max"), "max\n");  // checked before anything was written
}

TEST_F(LimitsTest, V1WritesMemoryThenMemswAsMemoryPlusSwap) {
  auto cgroup = make(CgroupVersion::v1);
  cgroup->apply_limits({.max = 256 << 20, .low = 16 << 20, .swap_max = 64 << 20});
  EXPECT_EQ(file(*cgroup, "memory.limit_in_bytes"), "268435456");
  EXPECT_EQ(file(*cgroup, "memory.memsw.limit_in_bytes"), "335544320");
  EXPECT_EQ(file(*cgroup, "memory.soft_limit_in_bytes"), "16777216");
}

TEST_F(LimitsTest, V1WithoutSwapLimitLeavesMemswUnlimited) {
  auto cgroup = make(CgroupVersion::v1);
  cgroup->apply_limits({.max = 64 << 20});
  EXPECT_EQ(file(*cgroup, "memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(file(*cgroup, "memory.memsw.limit_in_bytes"), "9223372036854771712\n");
}

TEST_F(LimitsTest, V1HasNoHighOrMin) {
  auto cgroup = make(CgroupVersion::v1);
  auto high = error_from([&] { cgroup->apply_limits({.max = 64 << 20, .high = 32 << 20}); });
  EXPECT_EQ(high.code(), ExitCode::environment);
  EXPECT_THAT(high.what(), HasSubstr("memory.high is not available on cgroup v1"));
  EXPECT_THAT(high.what(), HasSubstr("[cgroup] memory-high"));
  auto min = error_from([&] { cgroup->apply_limits({.max = 64 << 20, .min = 32 << 20}); });
  EXPECT_THAT(min.what(), HasSubstr("memory.min is not available on cgroup v1"));
  EXPECT_THAT(min.what(), HasSubstr("[cgroup] memory-min"));
  EXPECT_EQ(file(*cgroup, "memory.limit_in_bytes"), "9223372036854771712\n");  // nothing half-applied
}

TEST_F(LimitsTest, V1SwapLimitNeedsSwapAccounting) {
  auto cgroup = make(CgroupVersion::v1);
  std::filesystem::remove(fake.path(cgroup->path() + "/memory.memsw.limit_in_bytes"));
  auto error = error_from([&] { cgroup->apply_limits({.max = 64 << 20, .swap_max = 0}); });
  EXPECT_EQ(error.code(), ExitCode::environment);
  EXPECT_THAT(error.what(), HasSubstr("swap accounting is off"));
  EXPECT_EQ(file(*cgroup, "memory.limit_in_bytes"), "9223372036854771712\n");
}

TEST_F(LimitsTest, V1SwapLimitNeedsAMemoryLimit) {
  auto cgroup = make(CgroupVersion::v1);
  auto error = error_from([&] { cgroup->apply_limits({.swap_max = 0}); });
  EXPECT_THAT(error.what(), HasSubstr("needs [cgroup] memory-max"));
}

// The run's precondition check: before any test cgroup exists, judged on the
// harness's own cgroup.
TEST_F(CgroupTest, LimitsAreCheckedAgainstTheControllerBeforeAnythingIsCreated) {
  testing::make_hybrid_v1_host(fake);
  testing::populate_v1_cgroup(fake, kV1Own);
  auto v1 = find_memory_controller(fake.root());
  EXPECT_NO_THROW(check_limits_supported(fake.root(), v1, {.max = 64 << 20, .swap_max = 0}));
  auto high = error_from([&] { check_limits_supported(fake.root(), v1, {.max = 64 << 20, .high = 32 << 20}); });
  EXPECT_EQ(high.code(), ExitCode::environment);
  EXPECT_THAT(high.what(), HasSubstr("memory.high is not available on cgroup v1"));
  std::filesystem::remove(fake.path(std::string(kV1Own) + "/memory.memsw.limit_in_bytes"));
  auto memsw = error_from([&] { check_limits_supported(fake.root(), v1, {.max = 64 << 20, .swap_max = 0}); });
  EXPECT_THAT(memsw.what(), HasSubstr("swap accounting is off"));
  EXPECT_NO_THROW(check_limits_supported(fake.root(), v1, {.max = 64 << 20}));
}

TEST_F(CgroupTest, V2ExpressesEveryLimit) {
  testing::make_pure_v2_guest(fake);
  auto v2 = find_memory_controller(fake.root());
  EXPECT_NO_THROW(check_limits_supported(
      fake.root(), v2, {.max = 256 << 20, .high = 200 << 20, .low = 8 << 20, .min = 4 << 20, .swap_max = 0}));
}

TEST_F(LimitsTest, V1TurnsOnUseHierarchyWhenItIsOff) {
  auto cgroup = make(CgroupVersion::v1);
  fake.write(cgroup->path() + "/memory.use_hierarchy", "0\n");
  cgroup->apply_limits({.max = 64 << 20});
  EXPECT_EQ(file(*cgroup, "memory.use_hierarchy"), "1");
}

// ------------------------------------------------------------------ counters

TEST(MemoryStatNormalisation, V1NamesBecomeV2NamesPreferringHierarchicalTotals) {
  auto stat = normalise_v1_memory_stat(
      "cache 100\nrss 200\nrss_huge 0\nshmem 3\nmapped_file 4\ndirty 5\nwriteback 6\nswap 7\n"
      "pgfault 8\npgpgin 9\nunevictable 0\nhierarchical_memory_limit 67108864\n"
      "hierarchical_memsw_limit 9223372036854771712\n"
      "total_cache 1100\ntotal_rss 1200\ntotal_rss_huge 0\ntotal_shmem 13\ntotal_mapped_file 14\n"
      "total_dirty 15\ntotal_writeback 16\ntotal_swap 17\ntotal_pgfault 18\ntotal_pgpgin 19\n"
      "total_unevictable 0\n");
  EXPECT_THAT(stat,
              UnorderedElementsAre(Pair("file", 1100), Pair("anon", 1200), Pair("anon_thp", 0), Pair("shmem", 13),
                                   Pair("file_mapped", 14), Pair("file_dirty", 15), Pair("file_writeback", 16),
                                   Pair("swap", 17), Pair("pgfault", 18), Pair("pgpgin", 19), Pair("unevictable", 0)));
}

TEST(MemoryStatNormalisation, V1WithoutTotalsUsesTheLocalValues) {
  auto stat = normalise_v1_memory_stat("cache 100\nrss 200\nsome_new_counter 3\n");
  EXPECT_THAT(stat, UnorderedElementsAre(Pair("file", 100), Pair("anon", 200), Pair("some_new_counter", 3)));
}

TEST(MemoryStatNormalisation, MalformedLineNamesTheFileAndLine) {
  auto error = error_from([] { normalise_v1_memory_stat("cache 100\nrss lots\n", "/x/memory.stat"); });
  EXPECT_THAT(error.what(), HasSubstr("/x/memory.stat:2"));
}

// Captured on the development host (Linux 6.18, cgroup v1): see the README there.
TEST_F(CgroupTest, V1CountersFromTheCapturedHost) {
  auto captured = testing::kernel_fixture("6.18") / "cgroup-v1/test";
  ASSERT_TRUE(std::filesystem::exists(captured)) << captured;
  fake.copy(captured, std::string(kV1Own) + "/t");
  auto cgroup = open_memory_cgroup(fake.root(), CgroupVersion::v1, std::string(kV1Own) + "/t");
  auto stat = cgroup->memory_stat();
  auto raw = parse_flat_keyed(testing::read_text(captured / "memory.stat"), "memory.stat");
  EXPECT_EQ(stat.at("anon"), raw.at("total_rss"));
  EXPECT_EQ(stat.at("file"), raw.at("total_cache"));
  EXPECT_EQ(stat.at("file_mapped"), raw.at("total_mapped_file"));
  EXPECT_EQ(stat.at("file_dirty"), raw.at("total_dirty"));
  EXPECT_EQ(stat.at("swap"), raw.at("total_swap"));
  EXPECT_EQ(stat.at("pgfault"), raw.at("total_pgfault"));
  EXPECT_EQ(stat.at("workingset_refault_file"), raw.at("total_workingset_refault_file"));
  for (const char* gone : {"rss", "cache", "mapped_file", "total_rss", "hierarchical_memory_limit"})
    EXPECT_FALSE(stat.contains(gone)) << gone;
  EXPECT_GT(stat.at("anon"), 0);

  EXPECT_THAT(cgroup->memory_events(),
              UnorderedElementsAre(Pair("max", 2239), Pair("oom_kill", 1), Pair("under_oom", 0), Pair("memsw_max", 0)));
  EXPECT_EQ(cgroup->peak_bytes(), 64 << 20);
  EXPECT_GT(cgroup->usage_bytes().value(), 0);
  EXPECT_EQ(cgroup->pressure(), std::nullopt);
}

TEST_F(CgroupTest, V1EventsWithoutMemswAccounting) {
  std::string path = std::string(kV1Own) + "/t";
  fake.write(path + "/memory.failcnt", "3\n");
  fake.write(path + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 1\n");  // before 4.13: no oom_kill
  auto cgroup = open_memory_cgroup(fake.root(), CgroupVersion::v1, path);
  EXPECT_THAT(cgroup->memory_events(), UnorderedElementsAre(Pair("max", 3), Pair("under_oom", 1)));
}

class CapturedGuestCgroup : public CgroupTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(CapturedGuestCgroup, V2CountersKeepTheirNames) {
  auto captured = testing::kernel_fixture(GetParam()) / "cgroup-v2/test";
  if (!std::filesystem::exists(captured)) GTEST_SKIP() << "no capture of " << GetParam();
  fake.copy(captured, "/sys/fs/cgroup/test");
  auto cgroup = open_memory_cgroup(fake.root(), CgroupVersion::v2, "/sys/fs/cgroup/test");
  auto stat = cgroup->memory_stat();
  auto raw = parse_flat_keyed(testing::read_text(captured / "memory.stat"), "memory.stat");
  for (const auto& [name, value] : raw) EXPECT_EQ(stat.at(name), value) << name;
  for (const char* name : {"anon", "file", "file_mapped", "file_dirty", "pgscan", "pgsteal", "pgfault"})
    EXPECT_TRUE(stat.contains(name)) << name;
  EXPECT_EQ(stat.at("swap"), std::stoll(testing::read_text(captured / "memory.swap.current")));

  auto events = cgroup->memory_events();
  EXPECT_EQ(events, parse_flat_keyed(testing::read_text(captured / "memory.events"), "memory.events"));
  EXPECT_GT(events.at("max"), 0);  // the capture drove the cgroup into its 64M limit
  EXPECT_GE(events.at("oom_kill"), 1);
  EXPECT_EQ(cgroup->peak_bytes(), std::stoll(testing::read_text(captured / "memory.peak")));
  EXPECT_EQ(cgroup->usage_bytes(), std::stoll(testing::read_text(captured / "memory.current")));
  EXPECT_THAT(cgroup->pressure().value(), HasSubstr("some avg10="));
}

INSTANTIATE_TEST_SUITE_P(Kernels, CapturedGuestCgroup, ::testing::Values("6.1", "6.12"), testing::kernel_test_name);

TEST_F(CgroupTest, V2WithoutPeakOrSwapFiles) {
  fake.write("/sys/fs/cgroup/t/memory.stat", "anon 1\nfile 2\n");
  fake.write("/sys/fs/cgroup/t/memory.current", "3\n");
  auto cgroup = open_memory_cgroup(fake.root(), CgroupVersion::v2, "/sys/fs/cgroup/t");
  EXPECT_THAT(cgroup->memory_stat(), UnorderedElementsAre(Pair("anon", 1), Pair("file", 2)));
  EXPECT_EQ(cgroup->peak_bytes(), std::nullopt);  // before 5.19
  EXPECT_EQ(cgroup->usage_bytes(), 3);
  EXPECT_EQ(cgroup->pressure(), std::nullopt);
}

// ------------------------------------------------------------------ killing and removal

TEST_F(CgroupTest, KillAllSignalsEveryMemberThroughTheSeamUntilEmpty) {
  fake.write("/sys/fs/cgroup/t/cgroup.procs", "11\n12\n13\n");
  auto cgroup = open_memory_cgroup(fake.root(), CgroupVersion::v2, "/sys/fs/cgroup/t", killer.killer());
  EXPECT_THAT(cgroup->pids(), ElementsAre(11, 12, 13));
  cgroup->kill_all();
  EXPECT_THAT(killer.killed, ElementsAre(11, 12, 13));
  EXPECT_THAT(cgroup->pids(), ElementsAre());
}

TEST_F(CgroupTest, KillAllUsesCgroupKillWhereItExists) {
  fake.write("/sys/fs/cgroup/t/cgroup.procs", "");
  fake.write("/sys/fs/cgroup/t/cgroup.kill", "");
  auto cgroup = open_memory_cgroup(fake.root(), CgroupVersion::v2, "/sys/fs/cgroup/t", killer.killer());
  cgroup->kill_all();
  EXPECT_EQ(fake.read("/sys/fs/cgroup/t/cgroup.kill"), "1");
}

TEST_F(CgroupTest, KillingGivesUpOnSurvivorsAndNamesThem) {
  fake.write("/sys/fs/cgroup/t/cgroup.procs", "11\n12\n");
  killer.immortal = {12};
  auto error = error_from(
      [&] { kill_cgroup_processes(fake.root(), "/sys/fs/cgroup/t", killer.killer(), std::chrono::milliseconds(100)); });
  EXPECT_EQ(error.code(), ExitCode::run_failed);
  EXPECT_THAT(error.what(), HasSubstr("processes 12 of cgroup /sys/fs/cgroup/t are still alive"));
}

TEST_F(CgroupTest, FakeTreesNeverSignalRealProcessesByDefault) {
  fake.write("/sys/fs/cgroup/t/cgroup.procs", std::to_string(::getpid()) + "\n");
  auto cgroup = open_memory_cgroup(fake.root(), CgroupVersion::v2, "/sys/fs/cgroup/t");
  EXPECT_THROW(cgroup->kill_all(), std::logic_error);
}

TEST_F(CgroupTest, RemoveTakesTheFakeTreeAndItsChildren) {
  fake.write("/sys/fs/cgroup/t/memory.max", "max\n");
  fake.write("/sys/fs/cgroup/t/child/memory.max", "max\n");
  auto cgroup = open_memory_cgroup(fake.root(), CgroupVersion::v2, "/sys/fs/cgroup/t");
  cgroup->remove();
  EXPECT_FALSE(fake.exists("/sys/fs/cgroup/t"));
  EXPECT_NO_THROW(cgroup->remove());  // gone already: nothing to do
}

TEST_F(CgroupTest, CreatedCgroupsAreRemovedByTheirDestructorOpenedOnesAreNot) {
  testing::make_hybrid_v1_host(fake);
  auto journal = begin_journal();
  std::string created_path;
  {
    auto created = create_memory_cgroup(fake.root(), find_memory_controller(fake.root()), "memharness-1-1", journal,
                                        killer.killer());
    created_path = created->path();
    fake.write(created_path + "/cgroup.procs", "77\n");
  }
  EXPECT_FALSE(fake.exists(created_path));
  EXPECT_THAT(killer.killed, ElementsAre(77));
  { auto opened = open_memory_cgroup(fake.root(), CgroupVersion::v1, kV1Own, killer.killer()); }
  EXPECT_TRUE(fake.exists(kV1Own));
}

}  // namespace
}  // namespace memharness::system
