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
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

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

void check_source(const system::SystemRoot&, const std::string& instance, const ResolvedParams& params) {
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

  // What every build needs and none measures: the tree (Debian's unpacked once
  // per machine), the out-of-tree build directory with its .config, and `make
  // prepare` (host tools, generated headers). On a loaded 2-core machine these
  // take longer than a mix's whole window, so they must not be inside it.
  Preparation prepare(const WorkloadContext& context) override {
    if (preparation_) return *preparation_;
    Preparation p;
    const auto started = std::chrono::steady_clock::now();
    auto step = [&](const std::string& name, const std::function<std::string()>& body) {
      if (!p.succeeded) return;
      const auto step_started = std::chrono::steady_clock::now();
      if (context.stop.stop_requested()) {
        p.failure = fmt::format("interrupted before {}", name);
      } else {
        p.failure = body();
      }
      p.succeeded = p.failure.empty();
      p.steps.push_back({{"step", name}, {"elapsed_s", seconds_since(step_started)}});
    };
    std::optional<fs::path> unpacked;
    step("source tree", [&] {
      std::string failure;
      tree_ = source_tree(context, failure, unpacked);
      return failure;
    });
    if (unpacked) p.steps.back()["unpacked_into_cache"] = unpacked->string();
    step("build directory", [&] {
      build_dir_ = context.make_scratch_directory(params_.text("build-directory"), "kernbench");
      return std::string();
    });
    step("make " + params_.text("config-target"), [&] {
      auto configured = make(context, {params_.text("config-target")}, "make-config");
      p.totals.accumulate(configured);
      return configured.exited_zero() ? std::string()
                                      : fmt::format("make {}: {} (see make-config.log)", params_.text("config-target"),
                                                    configured.failure_sentence());
    });
    step("make prepare", [&] {
      auto prepared = make(context, {fmt::format("-j{}", jobs()), "prepare"}, "make-prepare");
      p.totals.accumulate(prepared);
      return prepared.exited_zero()
                 ? std::string()
                 : fmt::format("make prepare: {} (see make-prepare.log)", prepared.failure_sentence());
    });
    p.elapsed_s = seconds_since(started);
    preparation_ = p;
    return p;
  }

  WorkloadResult run(const WorkloadContext& context) override {
    WorkloadResult result;
    auto preparation = prepare(context);
    result.details["preparation"] = preparation.to_json();
    if (build_dir_) result.details["build_directory"] = build_dir_->string();
    if (preparation.succeeded) {
      result.succeeded = run_builds(context, result);
    } else {
      result.failure = "preparation failed: " + preparation.failure;
    }
    std::error_code ec;
    if (build_dir_) fs::remove_all(*build_dir_, ec);
    return result;
  }

 private:
  static double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  long jobs() const {
    long jobs = params_.integer("jobs");
    return jobs > 0 ? jobs : std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
  }

  system::ProcessOutcome make(const WorkloadContext& context, const std::vector<std::string>& args,
                              const std::string& log) const {
    std::vector<std::string> argv = {"make", "-C", tree_->string(), "O=" + build_dir_->string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return context.spawn(argv, log);
  }

  bool run_builds(const WorkloadContext& context, WorkloadResult& result) {
    // builds = 0: build until stopped (in a mix such as pressure-oom, whose
    // duration ends the load); being stopped is then the normal end, and the
    // build it cut short is not counted.
    const std::int64_t builds = params_.integer("builds");
    const bool until_stopped = builds == 0;
    result.details["jobs"] = jobs();
    std::int64_t completed = 0;
    std::int64_t started = 0;
    for (std::int64_t build = 1; until_stopped || build <= builds; ++build) {
      if (context.stop.stop_requested()) {
        if (until_stopped) break;
        result.failure = "interrupted";
        return false;
      }
      // Every timed build starts from a configured and prepared tree with no
      // objects: `make clean` also removes what `make prepare` built (fixdep,
      // modpost, generated headers), so it is prepared again. Not timed, but
      // part of the load, so in the workload's CPU times.
      if (build > 1) {
        auto cleaned = make(context, {"clean"}, fmt::format("make-clean-{}", build));
        result.totals.accumulate(cleaned);
        auto prepared = cleaned;
        if (cleaned.exited_zero()) {
          prepared = make(context, {fmt::format("-j{}", jobs()), "prepare"}, fmt::format("make-prepare-{}", build));
          result.totals.accumulate(prepared);
        }
        if (until_stopped && prepared.stopped) break;
        if (!prepared.exited_zero()) {
          result.failure = fmt::format(
              "cleaning and preparing for build {}: {} (see make-clean-{}.log and "
              "make-prepare-{}.log)",
              build, prepared.failure_sentence(), build, build);
          return false;
        }
      }
      auto outcome =
          make(context, {fmt::format("-j{}", jobs()), params_.text("target")}, fmt::format("make-build-{}", build));
      result.totals.accumulate(outcome);
      result.totals.started = true;
      ++started;
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
    if (!until_stopped) return true;
    result.metrics["builds-completed"] = completed;
    if (started == 0) {
      result.did_no_work("no build started before the load was stopped");
      return false;
    }
    return true;
  }

  // The tree to build: the user's, or Debian's tarball unpacked once into the
  // cache (unpacked beside it and renamed, so a half-unpacked tree is never used).
  // `unpacked` is set to the tree when this call unpacked it.
  std::optional<fs::path> source_tree(const WorkloadContext& context, std::string& failure,
                                      std::optional<fs::path>& unpacked) const {
    const auto& source = params_.text("source");
    if (source != "debian") return fs::path(source);
    auto tarball = debian_source_tarball();
    if (!tarball) {
      failure = "no /usr/src/linux-source-*.tar.xz";
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
    auto untar = context.spawn({"tar", "-xJf", tarball->string(), "-C", partial.string()}, "unpack");
    if (!untar.exited_zero() || !fs::exists(partial / stem / "Makefile")) {
      failure = fmt::format("unpacking {} failed (see unpack.log)", tarball->string());
      fs::remove_all(partial, ec);
      return std::nullopt;
    }
    fs::rename(partial / stem, tree, ec);
    fs::remove_all(partial, ec);
    if (ec) {
      failure = fmt::format("cannot move the unpacked tree to {}: {}", tree.string(), ec.message());
      return std::nullopt;
    }
    unpacked = tree;
    return tree;
  }

  ResolvedParams params_;
  std::optional<Preparation> preparation_;
  std::optional<fs::path> tree_;
  std::optional<fs::path> build_dir_;
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
  spec.metrics = {
      {.pattern = "build-{build}-elapsed-s"},
      {.pattern = "build-{build}-user-s"},
      {.pattern = "build-{build}-sys-s"},
      {.pattern = "builds-completed", .better = Better::higher},
  };
  spec.create = [](const ResolvedParams& params) { return std::make_unique<Kernbench>(params); };
  spec.check_environment = check_source;
  return spec;
}

MEMHARNESS_REGISTER_WORKLOAD(kernbench_spec());

}  // namespace
}  // namespace memharness::workloads
