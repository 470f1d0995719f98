#pragma once
// A whole file as a string, for files the harness itself made or was given
// (configs, guest results, consoles, its caches) — not /proc, /sys or cgroupfs,
// which go through system::SystemRoot.
#include <filesystem>
#include <optional>
#include <string>

namespace memharness {

// The file's bytes; a file that cannot be opened reads as empty, so callers
// treat a missing output (a guest that never wrote it) as absent.
std::string read_file_text(const std::filesystem::path& file);

// The file's bytes, or nullopt when it cannot be opened; errno then says why,
// for callers whose message names the reason ("No such file or directory").
std::optional<std::string> read_file_if_opened(const std::filesystem::path& file);

}  // namespace memharness
