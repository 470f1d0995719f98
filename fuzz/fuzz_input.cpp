#include "fuzz/fuzz_input.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace memharness::fuzz {

namespace fs = std::filesystem;

namespace {

fs::path make_scratch_directory() {
  // A tmpfs by default: the path-taking targets write a file per execution,
  // which on a disk file system costs more than the parsing.
  const char* tmp = std::getenv("TMPDIR");
  std::error_code ec;
  std::string base = tmp && *tmp ? tmp : fs::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
  std::string pattern = base + "/memharness-fuzz-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern + " failed");
  static fs::path made = pattern;  // std::atexit takes no closure
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(made, ec);
  });
  return made;
}

}  // namespace

const fs::path& scratch_directory() {
  static const fs::path dir = make_scratch_directory();
  return dir;
}

void clear_scratch_directory() {
  for (const auto& entry : fs::directory_iterator(scratch_directory())) fs::remove_all(entry.path());
}

fs::path write_scratch_file(const fs::path& relative, std::string_view content) {
  if (relative.is_absolute() || relative.empty()) throw std::logic_error("not a relative path: " + relative.string());
  for (const auto& part : relative)
    if (part == "..") throw std::logic_error("a path leaving the scratch directory: " + relative.string());
  fs::path file = scratch_directory() / relative;
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
  return file;
}

}  // namespace memharness::fuzz
