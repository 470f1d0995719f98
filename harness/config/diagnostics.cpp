#include "harness/config/diagnostics.h"

#include <algorithm>

#include <fmt/core.h>

#include "harness/common/error.h"

namespace memharness::config {
namespace {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions,
// so "memroy-max" is one edit from "memory-max".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t rows = a.size() + 1;
  const std::size_t columns = b.size() + 1;
  std::vector<std::size_t> d(rows * columns);
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * columns + j]; };
  for (std::size_t i = 0; i < rows; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j < columns; ++j) at(0, j) = j;
  for (std::size_t i = 1; i < rows; ++i) {
    for (std::size_t j = 1; j < columns; ++j) {
      std::size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(rows - 1, columns - 1);
}

}  // namespace

std::string ir::Value::describe() const {
  struct Describe {
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const {
      std::string text = fmt::format("{}", v);
      // TOML floats always show a fraction or exponent; 3.0 must not read as 3.
      if (text.find_first_of(".eEna") == std::string::npos) text += ".0";
      return text;
    }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return in_quotes(v); }
    std::string operator()(const OtherValue& v) const { return v.description; }
  };
  return std::visit(Describe{}, data);
}

std::string format_config_error(const std::filesystem::path& file, ir::Position where, std::string_view context,
                                std::string_view key, std::string_view detail) {
  std::string message = fmt::format("{}:{}:{}: error: ", file.string(), where.line, where.column);
  if (!context.empty()) message += fmt::format("{}: ", context);
  if (!key.empty()) message += fmt::format("key {}: ", in_quotes(key));
  message += detail;
  return message;
}

void throw_config_error(const std::filesystem::path& file, ir::Position where, std::string_view context,
                        std::string_view key, std::string_view detail) {
  throw Error(ExitCode::usage, format_config_error(file, where, context, key, detail));
}

void throw_value_error(const std::filesystem::path& file, ir::Position where, std::string_view context,
                       std::string_view key, std::string_view expected, std::string_view found) {
  throw_config_error(file, where, context, key, fmt::format("expected {}, got {}", expected, found));
}

std::string unknown_key_detail(std::string_view key, const std::vector<std::string>& known) {
  std::string detail = "expected a known key, got an unknown key";
  if (auto suggestion = closest_match(key, known)) detail += fmt::format(" (did you mean {}?)", in_quotes(*suggestion));
  return detail;
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  // Close enough to be a typo: a third of the word may be wrong, but never all
  // of a short one ("foo" is not a misspelling of "name").
  const std::size_t allowed = std::max<std::size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const auto& candidate : candidates) {
    std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance && distance < word.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
          out += c;
    }
  }
  out += '"';
  return out;
}

std::string default_phase_name(std::size_t index) { return fmt::format("phase-{}", index + 1); }

std::string phase_context(const ir::Phase& phase, std::size_t index) {
  const std::string* name = phase.name ? phase.name->string() : nullptr;
  return fmt::format("phase {}", in_quotes(name ? *name : default_phase_name(index)));
}

}  // namespace memharness::config
