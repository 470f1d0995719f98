#pragma once
// A nightly suite: the tests a test machine runs every night on the kernel it
// booted, the label the night's runs are stored under, and the label of the
// baseline they are compared against (configs/nightly.toml):
//
//   description = "..."          # optional
//   label = "nightly"            # optional; the night's runs: results/<label>/<test>/...
//   baseline = "last-good"       # optional; the default of --baseline
//   [[test]]                     # one or more, run in order
//   config = "anon-dirty"        # a test name (configs/<name>.toml) or a path,
//                                # relative to the suite file
//   iterations = 5               # optional; overrides the config's
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/config/config_ir.h"

namespace memharness::config {

struct NightlyTest {
  std::string config;  // as written
  ir::Position where;  // of `config`, for errors about the test
  std::optional<int> iterations;
};

struct NightlySuite {
  std::filesystem::path file;
  std::string description;
  std::string label = "nightly";
  std::string baseline = "last-good";
  std::vector<NightlyTest> tests;
};

// Throws Error(usage) "FILE:LINE:COL: error: ..." on a file that cannot be
// read, invalid TOML, an unknown key, a value of the wrong type, a label that is
// not a plain name, or no [[test]].
NightlySuite load_nightly_suite(const std::filesystem::path& file);
// The suite, or nothing when the file is not a valid suite: for commands that
// take test configs and want to recognise a suite given to them instead.
std::optional<NightlySuite> try_load_nightly_suite(const std::filesystem::path& file);
NightlySuite parse_nightly_suite(std::string_view toml_text, const std::filesystem::path& file);

// The config file of the suite's test `index`: a name is looked up beside the
// suite first, then in `config_dirs`; a relative path is relative to the suite.
// Throws Error(usage) naming the suite's line when there is none.
std::filesystem::path resolve_nightly_test(const NightlySuite& suite, std::size_t index,
                                           std::vector<std::filesystem::path> config_dirs);

// "FILE:LINE:COL: error: [[test]] N: key "config": DETAIL" for a test whose
// config cannot be used (missing, invalid).
[[noreturn]] void throw_nightly_test_error(const NightlySuite& suite, std::size_t index, std::string_view detail);

}  // namespace memharness::config
