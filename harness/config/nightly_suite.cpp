#include "harness/config/nightly_suite.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/core.h>
#include <toml++/toml.h>

#include "harness/common/error.h"
#include "harness/common/file_text.h"
#include "harness/config/diagnostics.h"
#include "harness/config/test_plan.h"
#include "harness/config/toml_support.h"
#include "harness/results/run_directory.h"

namespace memharness::config {
namespace {

const std::vector<std::string> suite_keys{"description", "label", "baseline", "test"};
const std::vector<std::string> test_keys{"config", "iterations"};

std::string test_context(std::size_t index) { return fmt::format("[[test]] {}", index + 1); }

std::string what_it_is(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return in_quotes(node.as_string()->get());
    case toml::node_type::integer: return std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point: return fmt::format("{}", node.as_floating_point()->get());
    case toml::node_type::boolean: return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
  }
}

class SuiteLoader {
 public:
  explicit SuiteLoader(const std::filesystem::path& file) : file_(file) {}

  NightlySuite load(const toml::table& root) {
    NightlySuite suite;
    suite.file = file_;
    bool has_tests = false;
    for (auto&& [key, node] : root) {
      std::string_view name = key.str();
      if (name == "description") {
        suite.description = string_of(node, "", name, "a string");
      } else if (name == "label" || name == "baseline") {
        auto value = string_of(node, "", name, "a label (letters, digits, '.', '_', '+', '-')");
        if (!results::is_valid_path_component(value))
          throw_value_error(file_, position_of(node.source().begin), "", name,
                            "a label (letters, digits, '.', '_', '+', '-')", in_quotes(value));
        (name == "label" ? suite.label : suite.baseline) = value;
      } else if (name == "test") {
        const toml::array* tests = node.as_array();
        if (!tests || !std::all_of(tests->begin(), tests->end(), [](const toml::node& n) { return n.is_table(); }))
          throw_value_error(file_, position_of(node.source().begin), "", name, "an array of tables ([[test]])",
                            what_it_is(node));
        for (const auto& element : *tests) suite.tests.push_back(load_test(*element.as_table(), suite.tests.size()));
        has_tests = !suite.tests.empty();
      } else {
        throw_config_error(file_, position_of(key.source().begin), "", name, unknown_key_detail(name, suite_keys));
      }
    }
    if (suite.label == suite.baseline)
      throw_config_error(file_, {}, "", "baseline",
                         fmt::format("expected a label other than the night's own (label = {}), got the same",
                                     in_quotes(suite.label)));
    if (!has_tests) throw_config_error(file_, {}, "", "", "expected at least one [[test]], got none");
    return suite;
  }

 private:
  NightlyTest load_test(const toml::table& table, std::size_t index) {
    NightlyTest test;
    test.where = position_of(table.source().begin);
    bool has_config = false;
    for (auto&& [key, node] : table) {
      std::string_view name = key.str();
      if (name == "config") {
        test.config = string_of(node, test_context(index), name, "a test name or a path to a .toml file");
        test.where = position_of(node.source().begin);
        has_config = !test.config.empty();
        if (!has_config)
          throw_value_error(file_, test.where, test_context(index), name, "a test name or a path", "\"\"");
      } else if (name == "iterations") {
        const auto* integer = node.as_integer();
        if (!integer || integer->get() < 1 || integer->get() > 10000)
          throw_value_error(file_, position_of(node.source().begin), test_context(index), name,
                            "an integer from 1 to 10000", what_it_is(node));
        test.iterations = static_cast<int>(integer->get());
      } else {
        throw_config_error(file_, position_of(key.source().begin), test_context(index), name,
                           unknown_key_detail(name, test_keys));
      }
    }
    if (!has_config) throw_config_error(file_, test.where, test_context(index), "config", "expected a test, got none");
    return test;
  }

  std::string string_of(const toml::node& node, std::string_view context, std::string_view key,
                        std::string_view expected) const {
    if (const auto* text = node.as_string()) return std::string(text->get());
    throw_value_error(file_, position_of(node.source().begin), context, key, expected, what_it_is(node));
  }

  const std::filesystem::path& file_;
};

}  // namespace

NightlySuite parse_nightly_suite(std::string_view toml_text, const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file.string());
  } catch (const toml::parse_error& error) {
    throw_config_error(file, position_of(error.source().begin), "", "", syntax_error_detail(error.description()));
  }
  return SuiteLoader(file).load(root);
}

NightlySuite load_nightly_suite(const std::filesystem::path& file) {
  std::error_code ignored;
  auto text = read_file_if_opened(file);
  if (std::filesystem::is_directory(file, ignored) || !text)
    throw usage_error("{}: error: cannot read the nightly suite: {}", file.string(),
                      std::filesystem::is_directory(file, ignored) ? "it is a directory" : std::strerror(errno));
  return parse_nightly_suite(*text, file);
}

std::filesystem::path resolve_nightly_test(const NightlySuite& suite, std::size_t index,
                                           std::vector<std::filesystem::path> config_dirs) {
  const auto& given = suite.tests.at(index).config;
  auto suite_dir = suite.file.parent_path();
  std::string name_or_path =
      is_test_config_path(given) && std::filesystem::path(given).is_relative() ? (suite_dir / given).string() : given;
  if (!suite_dir.empty()) config_dirs.insert(config_dirs.begin(), suite_dir);
  try {
    return resolve_test_config(name_or_path, config_dirs);
  } catch (const Error& e) {
    std::string_view why = e.what();
    if (why.starts_with("error: ")) why.remove_prefix(7);
    throw_nightly_test_error(suite, index, why);
  }
}

std::optional<NightlySuite> try_load_nightly_suite(const std::filesystem::path& file) {
  try {
    return load_nightly_suite(file);
  } catch (const Error&) {
    return std::nullopt;
  }
}

void throw_nightly_test_error(const NightlySuite& suite, std::size_t index, std::string_view detail) {
  throw_config_error(suite.file, suite.tests.at(index).where, test_context(index), "config", detail);
}

}  // namespace memharness::config
