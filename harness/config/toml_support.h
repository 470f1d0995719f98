#pragma once
// What the TOML loaders (test configs, nightly suites) share about toml++:
// positions for error messages and the wording of syntax errors. Included only
// by the loaders' .cpp files, the only ones that see toml++ types.
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "harness/config/config_ir.h"

namespace memharness::config {

inline ir::Position position_of(const toml::source_position& position) {
  // Tables toml++ creates implicitly ([a.b] creates a) may have no position.
  ir::Position where;
  if (position.line > 0) where.line = static_cast<int>(position.line);
  if (position.column > 0) where.column = static_cast<int>(position.column);
  return where;
}

// toml++ says "Error while parsing key-value pair: expected value, saw '\n'";
// after our "error: " prefix that reads better as "invalid TOML while parsing ...".
std::string syntax_error_detail(std::string_view description);

}  // namespace memharness::config
