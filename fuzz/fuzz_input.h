#pragma once
// What every fuzz target shares: the rule that only memharness::Error may leave
// a parser (anything else -- std::out_of_range from stoi, nlohmann's
// type_error, std::logic_error -- is the "internal error" a user must never
// see, so it escapes, libFuzzer calls it a crash and keeps the input), and a
// private scratch directory for the readers that take paths, not strings.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "harness/common/error.h"

namespace memharness::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs `body`; a memharness::Error is the parser rejecting bad input with a
// clear message, which is the expected outcome for most fuzz inputs.
template <typename F>
void expect_only_clear_errors(F&& body) {
  try {
    body();
  } catch (const Error&) {
  }
}

// A directory of this process's own, made once with mkdtemp below $TMPDIR (or
// /dev/shm, or /tmp) and removed at exit: the inputs of path-taking readers are written
// here, never anywhere shared.
const std::filesystem::path& scratch_directory();

// Empties the scratch directory (keeps the directory itself).
void clear_scratch_directory();

// Writes `content` to `relative` below the scratch directory, creating parent
// directories. `relative` must be a plain relative path without "..".
std::filesystem::path write_scratch_file(const std::filesystem::path& relative, std::string_view content);

}  // namespace memharness::fuzz
