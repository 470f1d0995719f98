#pragma once
// Every file of a run directory is written atomically: a reader (or a crash) sees
// the old content or the new, never a torn file.
#include <filesystem>
#include <string_view>

#include <nlohmann/json.hpp>

namespace memharness {

// Writes to a new temporary file beside `file` (random name, O_EXCL|O_NOFOLLOW:
// a symlink planted beside it is never written through), fsyncs it, renames it over `file`
// and fsyncs the directory. Throws memharness::Error(run_failed) naming the file.
void write_file_atomically(const std::filesystem::path& file, std::string_view content);
void write_json_atomically(const std::filesystem::path& file, const nlohmann::json& value);
// The same for a copy of the file `from`, streamed through a 64 KiB buffer: a
// console of a gigabyte is copied in the memory of a small one. Throws
// memharness::Error(run_failed) naming `from` when it cannot be read.
void copy_file_atomically(const std::filesystem::path& from, const std::filesystem::path& file);

// fsync()s a directory, so that a file created or renamed in it keeps its name
// after a crash. Best effort: a directory that cannot be opened is left alone
// (the rename or create happened; only its durability is in doubt).
void fsync_directory(const std::filesystem::path& dir);

}  // namespace memharness
