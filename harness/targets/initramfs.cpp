#include "harness/targets/initramfs.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/core.h>

#include "harness/common/error.h"
#include "harness/common/file_text.h"
#include "harness/common/owned_files.h"
#include "harness/system/process.h"
#include "harness/targets/checksums.h"
#include "harness/targets/cpio_archive.h"
#include "harness/targets/guest_init.h"
#include "harness/targets/host_command.h"

namespace memharness::targets {

namespace fs = std::filesystem;

namespace {

// Archives kept in the cache: every rebuild of memharness makes a new one (~40 MB).
constexpr std::size_t cached_archives_kept = 6;

// Bumped when the layout below changes, so old cached archives are not reused.
constexpr std::string_view layout_version = "memharness-initramfs-2";

// What happens to a file on its way in (the hash covers the originals).
enum class Transform {
  strip_debug,  // programs and libraries: debug info is most of memharness's size
  module,       // decompressed, and its signature removed
};

struct Entry {
  std::string path;    // in the guest, without the leading '/'
  fs::path source;     // on the host
  std::uint32_t mode;  // permission bits
  Transform transform;
};

// The longest a host tool building the initramfs may take (decompressing a
// module, stripping memharness, ldd): seconds normally; a hung one must not
// hang the run.
constexpr auto kToolLimit = std::chrono::minutes(5);

// Runs argv with stdout to `output`; throws environment_error with stderr's gist.
void run_to_file(const std::vector<std::string>& argv, const fs::path& output) {
  auto outcome = system::run_process(host_command(argv, output, kToolLimit));
  if (!outcome.exited_zero()) throw environment_error("{} (output in {})", outcome.failure_sentence(), output.string());
}

std::string decompressor_for(const fs::path& file) {
  auto ext = file.extension().string();
  if (ext == ".xz") return "xz";
  if (ext == ".zst") return "zstd";
  if (ext == ".gz") return "gzip";
  return "";
}

fs::path plain_module_path(const fs::path& relative) {
  return decompressor_for(relative).empty() ? relative : fs::path(relative).replace_extension();
}

// Removes an appended module signature (scripts/sign-file: the signature, a
// 12-byte struct module_signature whose last 4 bytes are its big-endian length,
// then the marker). Unsigned modules load on kernels without
// CONFIG_MODULE_SIG_FORCE (tainting them); Debian 6.12's signed ones are
// refused in these guests with EKEYREJECTED.
std::string without_signature(std::string module) {
  constexpr std::string_view marker = "~Module signature appended~\n";
  constexpr std::size_t signature_info_size = 12;
  if (module.size() < marker.size() + signature_info_size ||
      module.compare(module.size() - marker.size(), marker.size(), marker) != 0)
    return module;
  std::size_t info = module.size() - marker.size() - signature_info_size;
  auto byte = [&](std::size_t at) { return static_cast<std::uint32_t>(static_cast<unsigned char>(module[at])); };
  std::uint32_t signature_size = byte(info + 8) << 24 | byte(info + 9) << 16 | byte(info + 10) << 8 | byte(info + 11);
  if (signature_size > info) return module;
  module.resize(info - signature_size);
  return module;
}

std::vector<Entry> collect_entries(const InitramfsRequest& request, const ModuleClosure& modules) {
  std::vector<Entry> entries;
  entries.push_back({"bin/busybox", request.busybox, 0755, Transform::strip_debug});
  entries.push_back({"usr/bin/memharness", request.memharness, 0755, Transform::strip_debug});
  std::set<fs::path> libraries;
  std::vector<fs::path> dynamic = request.programs;
  dynamic.push_back(request.memharness);
  for (const auto& program : request.programs)
    entries.push_back({"usr/bin/" + program.filename().string(), program, 0755, Transform::strip_debug});
  for (const auto& program : dynamic)
    for (const auto& library : shared_libraries(program)) libraries.insert(library);
  for (const auto& library : libraries)
    entries.push_back({library.relative_path().string(), library, 0755, Transform::strip_debug});
  for (const auto& module : modules.load_order) {
    entries.push_back({"lib/modules/" + request.kernel.release + "/" + plain_module_path(module.relative).string(),
                       request.kernel.modules_dir / module.relative, 0644, Transform::module});
  }
  return entries;
}

std::string module_list(const ModuleClosure& modules) {
  std::string list;
  for (const auto& module : modules.load_order) list += plain_module_path(module.relative).string() + "\n";
  return list;
}

void add_parent_directories(CpioWriter& cpio, std::set<std::string>& made, const std::string& path) {
  for (auto slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    if (made.insert(dir).second) cpio.directory(dir);
  }
}

void write_archive(const fs::path& file, const std::vector<Entry>& entries, const std::string& modules_list,
                   const fs::path& scratch) {
  CpioWriter cpio(file);
  std::set<std::string> made;
  for (std::string dir : {"proc", "sys", "dev", "tmp", "var", "var/tmp", "var/lib", "var/lib/memharness", "scratch",
                          "run", "root", "etc", "etc/memharness", "bin", "usr", "usr/bin"}) {
    made.insert(dir);
    cpio.directory(dir);
  }
  cpio.file("init", guest_init_script(), 0755);
  cpio.symlink("bin/sh", "busybox");
  cpio.file("etc/memharness/modules", modules_list, 0644);
  for (const auto& entry : entries) {
    add_parent_directories(cpio, made, entry.path);
    fs::path staged = scratch / "staged";
    fs::remove(staged);  // the decompressors' output is appended to it
    if (entry.transform == Transform::strip_debug) {
      run_to_file({"objcopy", "--strip-debug", entry.source.string(), staged.string()}, scratch / "objcopy.log");
      cpio.file_from(entry.path, staged, entry.mode);
      continue;
    }
    auto decompressor = decompressor_for(entry.source);
    if (decompressor.empty())
      fs::copy_file(entry.source, staged, fs::copy_options::overwrite_existing);
    else
      run_to_file({decompressor, "-dc", entry.source.string()}, staged);
    cpio.file(entry.path, without_signature(read_file_text(staged)), entry.mode);
  }
  cpio.finish();
}

// Removes all but the newest `cached_archives_kept` archives (by modification time).
void prune_cache(const fs::path& cache_dir) {
  std::vector<std::pair<fs::file_time_type, fs::path>> archives;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cache_dir, ec))
    if (entry.path().extension() == ".cpio") archives.emplace_back(entry.last_write_time(ec), entry.path());
  if (archives.size() <= cached_archives_kept) return;
  std::sort(archives.begin(), archives.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = cached_archives_kept; i < archives.size(); ++i) fs::remove(archives[i].second, ec);
}

}  // namespace

const std::vector<std::string>& required_guest_modules() {
  static const std::vector<std::string> modules{"virtio_pci", "virtio_blk", "ext4"};
  return modules;
}

const std::vector<std::string>& optional_guest_modules() {
  static const std::vector<std::string> modules{"zram"};
  return modules;
}

std::vector<fs::path> shared_libraries(const fs::path& program) {
  // In a private directory: a predictable name in /tmp is one another user
  // can plant a symlink at, which root's output would then be appended to.
  TemporaryDirectory scratch("memharness-ldd-");
  fs::path listing = scratch.path() / "ldd.txt";
  run_to_file({"ldd", program.string()}, listing);
  std::string text = read_file_text(listing);
  std::vector<fs::path> libraries;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    // "\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)", "\t/lib64/ld-linux-x86-64.so.2 (0x...)",
    // "\tlinux-vdso.so.1 (0x...)" (in the kernel), "\tlibx.so => not found".
    if (line.find("not found") != std::string::npos)
      throw environment_error("{}: a shared library is not found: {}", program.string(), line);
    auto arrow = line.find("=> ");
    auto start = arrow == std::string::npos ? line.find_first_not_of(" \t") : arrow + 3;
    if (start == std::string::npos || line[start] != '/') continue;
    auto end = line.find(' ', start);
    libraries.emplace_back(line.substr(start, end == std::string::npos ? end : end - start));
  }
  return libraries;
}

Initramfs build_initramfs(const InitramfsRequest& request) {
  auto started = std::chrono::steady_clock::now();
  Initramfs result;
  result.modules = resolve_modules(request.kernel.modules_dir, required_guest_modules(), optional_guest_modules());
  auto entries = collect_entries(request, result.modules);
  auto modules_list = module_list(result.modules);

  Sha256 digest;
  digest.update(layout_version);
  digest.update(guest_init_script());
  digest.update(modules_list);
  for (const auto& entry : entries) {
    digest.update(fmt::format("\n{} {:o} {}\n", entry.path, entry.mode, static_cast<int>(entry.transform)));
    digest.update_file(entry.source);
  }
  result.hash = digest.hex();
  fs::create_directories(request.cache_dir);
  result.file = request.cache_dir / (result.hash + ".cpio");
  std::error_code ec;
  result.cached = fs::is_regular_file(result.file, ec);
  if (result.cached) fs::last_write_time(result.file, fs::file_time_type::clock::now(), ec);  // recently used: kept
  if (!result.cached) {
    fs::path scratch = request.cache_dir / fmt::format(".build-{}", ::getpid());
    fs::create_directories(scratch);
    fs::path partial = scratch / "initramfs.cpio";
    try {
      write_archive(partial, entries, modules_list, scratch);
      fs::rename(partial, result.file);  // whole or not at all, even with runs in parallel
    } catch (...) {
      fs::remove_all(scratch, ec);
      throw;
    }
    fs::remove_all(scratch, ec);
    prune_cache(request.cache_dir);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace memharness::targets
