// kernbench: build a Linux kernel tree with `make -jN` under the test cgroup,
// several times, recording elapsed/user/sys per build (the postings' "kernel
// compile"). The tree is Debian's linux-source tarball unpacked once into a
// cache, or a tree the user names; builds go to an out-of-tree directory (O=)
// so the source stays untouched, with `make clean` between builds.
#include <fcntl.h>
#include <glob.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <filesystem>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "workloads/registry.h"

namespace memharness::workloads {
namespace {

namespace fs = std::filesystem;

// An exclusive flock(2) on a file, held for the object's lifetime.
class UnpackLock {
 public:
  explicit UnpackLock(const fs::path& file) : fd_(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ >= 0)
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
  }
  ~UnpackLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  UnpackLock(const UnpackLock&) = delete;
  UnpackLock& operator=(const UnpackLock&) = delete;

 private:
  int fd_;
};

// The newest /usr/src/linux-source-*.tar.xz (package linux-source-X.Y).
std::optional<fs::path> debian_source_tarball() {
  glob_t matches{};
  std::optional<fs::path> newest;
  if (::glob("/usr/src/linux-source-*.tar.xz", 0, nullptr, &matches) == 0) {
    std::vector<std::string> paths(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
    std::sort(paths.begin(), paths.end());
    newest = paths.back();
  }
  ::globfree(&matches);
  return newest;
}

void check_source(const std::string& instance, const ResolvedParams& params) {
  const auto& source = params.text("source");
  if (source == "debian") {
    if (!debian_source_tarball())
      throw environment_error(
          "workload \"{}\": key \"source\": no /usr/src/linux-source-*.tar.xz; install Debian's "
          "linux-source-6.1 package (ci/setup.sh does) or set source to a kernel tree",
          instance);
    return;
  }
  if (!fs::exists(fs::path(source) / "Makefile") || !fs::is_directory(fs::path(source) / "kernel"))
    throw usage_error("workload \"{}\": key \"source\": expected \"debian\" or a Linux source tree, got \"{}\"",
                      instance, source);
}

class Kernbench final : public Workload {
 public:
  explicit Kernbench(const ResolvedParams& params) : params_(params) {}

  WorkloadResult run(const WorkloadContext& context) override {
    WorkloadResult result;
    auto tree = source_tree(context, result);
    if (!tree) return result;
    auto build_dir = context.make_scratch_directory(params_.text("build-directory"), "kernbench");
    std::error_code ec;
    auto make = [&](std::vector<std::string> args, const std::string& log) {
      std::vector<std::string> argv = {"make", "-C", tree->string(), "O=" + build_dir.string()};
      argv.insert(argv.end(), args.begin(), args.end());
      return context.spawn(argv, log);
    };
    result.details["build_directory"] = build_dir.string();
    result.succeeded = run_builds(context, make, result);
    fs::remove_all(build_dir, ec);
    return result;
  }

 private:
  template <typename Make>
  bool run_builds(const WorkloadContext& context, Make& make, WorkloadResult& result) {
    // builds = 0: build until stopped (in a mix such as pressure-oom, whose
    // duration ends the load); being stopped is then the normal end, and the
    // build it cut short is not counted.
    const std::int64_t builds = params_.integer("builds");
    const bool until_stopped = builds == 0;
    auto configured = make({params_.text("config-target")}, "make-config");
    if (until_stopped && configured.stopped) {
      result.metrics["builds-completed"] = 0;
      return true;
    }
    if (!configured.exited_zero()) {
      result.failure = fmt::format("make {} failed (see make-config.log)", params_.text("config-target"));
      return false;
    }
    long jobs = params_.integer("jobs");
    if (jobs == 0) jobs = std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
    result.details["jobs"] = jobs;
    std::int64_t completed = 0;
    for (std::int64_t build = 1; until_stopped || build <= builds; ++build) {
      if (context.stop.stop_requested()) {
        if (until_stopped) break;
        result.failure = "interrupted";
        return false;
      }
      if (build > 1 && !make({"clean"}, "make-clean").exited_zero()) {
        if (until_stopped && context.stop.stop_requested()) break;
        result.failure = "make clean failed (see make-clean.log)";
        return false;
      }
      auto outcome = make({fmt::format("-j{}", jobs), params_.text("target")}, fmt::format("make-build-{}", build));
      result.totals.accumulate(outcome);
      result.totals.started = true;
      if (until_stopped && outcome.stopped) {
        result.details["build_cut_short"] = {{"build", build},
                                             {"elapsed_s", outcome.elapsed_s},
                                             {"user_s", outcome.user_s},
                                             {"sys_s", outcome.sys_s},
                                             {"accounting", outcome.failure.empty() ? "complete" : outcome.failure}};
        break;
      }
      if (!outcome.exited_zero()) {
        result.failure = fmt::format("build {}: {} (make-build-{}.log)", build, outcome.failure_sentence(), build);
        return false;
      }
      result.metrics[fmt::format("build-{}-elapsed-s", build)] = outcome.elapsed_s;
      result.metrics[fmt::format("build-{}-user-s", build)] = outcome.user_s;
      result.metrics[fmt::format("build-{}-sys-s", build)] = outcome.sys_s;
      ++completed;
    }
    if (until_stopped) result.metrics["builds-completed"] = completed;
    return true;
  }

  // The tree to build: the user's, or Debian's tarball unpacked once into the
  // cache (unpacked beside it and renamed, so a half-unpacked tree is never used).
  std::optional<fs::path> source_tree(const WorkloadContext& context, WorkloadResult& result) const {
    const auto& source = params_.text("source");
    if (source != "debian") return fs::path(source);
    auto tarball = debian_source_tarball();
    if (!tarball) {
      result.failure = "no /usr/src/linux-source-*.tar.xz";
      return std::nullopt;
    }
    auto stem = tarball->filename().string();
    stem = stem.substr(0, stem.size() - std::string(".tar.xz").size());
    auto cache = fs::path(params_.text("cache-directory"));
    auto tree = cache / stem;
    if (fs::exists(tree / "Makefile")) return tree;
    // Several kernbench instances (a mix, or runs side by side) may find the
    // cache empty at once: one unpacks, the others wait and then use its tree.
    std::error_code ec;
    fs::create_directories(cache, ec);
    UnpackLock lock(cache / (stem + ".lock"));
    if (fs::exists(tree / "Makefile")) return tree;
    auto partial = cache / (stem + ".partial");
    fs::remove_all(partial, ec);
    fs::create_directories(partial, ec);
    auto unpacked = context.spawn({"tar", "-xJf", tarball->string(), "-C", partial.string()}, "unpack");
    if (!unpacked.exited_zero() || !fs::exists(partial / stem / "Makefile")) {
      result.failure = fmt::format("unpacking {} failed (see unpack.log)", tarball->string());
      fs::remove_all(partial, ec);
      return std::nullopt;
    }
    fs::rename(partial / stem, tree, ec);
    fs::remove_all(partial, ec);
    if (ec) {
      result.failure = fmt::format("cannot move the unpacked tree to {}: {}", tree.string(), ec.message());
      return std::nullopt;
    }
    result.details["unpacked_into_cache"] = tree.string();
    return tree;
  }

  ResolvedParams params_;
};

WorkloadSpec kernbench_spec() {
  WorkloadSpec spec;
  spec.name = "kernbench";
  spec.description = "build a Linux tree with make -jN several times (elapsed/user/sys per build)";
  spec.required_programs = {"make", "gcc", "flex", "bison", "bc", "tar", "xz"};
  spec.params = {
      text_param("source", "debian", "\"debian\" (/usr/src/linux-source-*.tar.xz, unpacked into the cache) or a tree"),
      text_param("config-target", "defconfig", "make target that writes .config (defconfig, tinyconfig ...)"),
      text_param("target", "vmlinux", "make target built and timed"),
      count_param("builds", "3", "builds per iteration, `make clean` between them; 0: until stopped (mixes)", 0, 100),
      count_param("jobs", "0", "make -j; 0: the number of CPUs", 0, 4096),
      text_param("cache-directory", "/var/cache/memharness/kernbench", "where Debian's tarball is unpacked once"),
      text_param("build-directory", "/var/tmp", "where the out-of-tree build (O=) goes; removed afterwards"),
  };
  spec.create = [](const ResolvedParams& params) { return std::make_unique<Kernbench>(params); };
  spec.check_environment = check_source;
  return spec;
}

MEMHARNESS_REGISTER_WORKLOAD(kernbench_spec());

}  // namespace
}  // namespace memharness::workloads
