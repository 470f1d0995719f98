#pragma once
// How config errors are worded, in one place, so that every message has the form
//
//   FILE:LINE:COL: error: CONTEXT: key "KEY": expected WHAT, got FOUND
//
// CONTEXT is one of `[cgroup]`, `[swap]`, `[sysctl]`, `phase "NAME"`,
// `workload "NAME"`; it is left out (with its colon) for top-level keys.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/config/config_ir.h"

namespace memharness::config {

// "FILE:LINE:COL: error: CONTEXT: key "KEY": DETAIL"; CONTEXT and the key part are
// left out when empty.
std::string format_config_error(const std::filesystem::path& file, ir::Position where, std::string_view context,
                                std::string_view key, std::string_view detail);

// Throws memharness::Error(ExitCode::usage) with format_config_error(...).
[[noreturn]] void throw_config_error(const std::filesystem::path& file, ir::Position where, std::string_view context,
                                     std::string_view key, std::string_view detail);

// The same, with DETAIL = "expected EXPECTED, got FOUND".
[[noreturn]] void throw_value_error(const std::filesystem::path& file, ir::Position where, std::string_view context,
                                    std::string_view key, std::string_view expected, std::string_view found);

// "expected a known key, got an unknown key", with ` (did you mean "x"?)` when one
// of `known` is a likely misspelling of `key`.
std::string unknown_key_detail(std::string_view key, const std::vector<std::string>& known);

// The candidate closest to `word` by edit distance, if it is close enough to be
// a plausible typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// `text` in double quotes with ", \ and control characters escaped.
std::string in_quotes(std::string_view text);

// The context of errors inside a phase: `phase "NAME"` with the name as written,
// or `phase "phase-N"` (the default name, N from 1) when it has none.
std::string phase_context(const ir::Phase& phase, std::size_t index);
std::string default_phase_name(std::size_t index);

}  // namespace memharness::config
