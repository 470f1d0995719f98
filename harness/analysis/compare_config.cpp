#include "harness/analysis/compare_config.h"

#include <toml++/toml.h>

#include "harness/common/error.h"
#include "harness/common/file_text.h"

namespace memharness::analysis {

namespace {

std::string where(const std::string& source, const toml::source_region& r) {
  return fmt::format("{}:{}:{}", source, r.begin.line, r.begin.column);
}

double number(const toml::node& node, const std::string& source, const std::string& key) {
  if (auto v = node.value<double>()) return *v;
  throw usage_error("{}: error: key \"{}\": expected a number", where(source, node.source()), key);
}

}  // namespace

CompareConfig parse_compare_config(const std::string& text, const std::string& source_name) {
  toml::table table;
  try {
    table = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw usage_error("{}: error: {}", where(source_name, e.source()), e.description());
  }
  CompareConfig config;
  for (const auto& [key, node] : table) {
    std::string k(key.str());
    if (k == "alpha" || k == "fdr_q") {
      double v = number(node, source_name, k);
      if (v <= 0 || v >= 0.5)
        throw usage_error("{}: error: key \"{}\": expected a rate in (0, 0.5)", where(source_name, node.source()), k);
      (k == "alpha" ? config.alpha : config.fdr_q) = v;
    } else if (k == "min_iterations") {
      auto v = node.value<int64_t>();
      if (!v || *v < 2)
        throw usage_error("{}: error: key \"min_iterations\": expected an integer >= 2 (a spread needs two)",
                          where(source_name, node.source()));
      config.min_iterations = static_cast<int>(*v);
    } else if (k == "max_lost_events" || k == "max_unpaired_ends") {
      auto v = node.value<int64_t>();
      if (!v || *v < 0)
        throw usage_error("{}: error: key \"{}\": expected a count >= 0", where(source_name, node.source()), k);
      (k == "max_lost_events" ? config.max_lost_events : config.max_unpaired_ends) = static_cast<std::uint64_t>(*v);
    } else if (k == "min_effect_pct") {
      config.min_effect_pct = number(node, source_name, k);
    } else if (k == "noise_source") {
      auto v = node.value<std::string>();
      if (!v)
        throw usage_error("{}: error: key \"noise_source\": expected a string", where(source_name, node.source()));
      config.noise_source = *v;
    } else if (k == "metric") {
      const auto* metrics = node.as_table();
      if (!metrics) throw usage_error("{}: error: \"metric\" must be a table", where(source_name, node.source()));
      for (const auto& [id, policy_node] : *metrics) {
        const auto* policy_table = policy_node.as_table();
        if (!policy_table)
          throw usage_error("{}: error: metric \"{}\" must be a table", where(source_name, policy_node.source()),
                            id.str());
        MetricPolicy policy;
        for (const auto& [pk, pv] : *policy_table) {
          if (pk.str() == "gates") {
            auto b = pv.value<bool>();
            if (!b)
              throw usage_error("{}: error: metric \"{}\": key \"gates\": expected true or false",
                                where(source_name, pv.source()), id.str());
            policy.gates = *b;
          } else if (pk.str() == "min_effect_pct") {
            policy.min_effect_pct = number(pv, source_name, "min_effect_pct");
          } else if (pk.str() == "noise_cov_pct") {
            double cov = number(pv, source_name, "noise_cov_pct");
            if (cov < 0)
              throw usage_error("{}: error: metric \"{}\": key \"noise_cov_pct\": expected a number >= 0",
                                where(source_name, pv.source()), id.str());
            config.noise_cov_pct[std::string(id.str())] = cov;
          } else if (pk.str() == "min_effect_abs") {
            policy.min_effect_abs = number(pv, source_name, "min_effect_abs");
            if (*policy.min_effect_abs < 0)
              throw usage_error("{}: error: metric \"{}\": key \"min_effect_abs\": expected a number >= 0",
                                where(source_name, pv.source()), id.str());
          } else {
            throw usage_error(
                "{}: error: metric \"{}\": unknown key \"{}\" (expected gates, min_effect_pct, min_effect_abs, "
                "noise_cov_pct)",
                where(source_name, pv.source()), id.str(), pk.str());
          }
        }
        config.metrics[std::string(id.str())] = policy;
      }
    } else {
      throw usage_error(
          "{}: error: unknown key \"{}\" (expected alpha, fdr_q, min_iterations, min_effect_pct, "
          "max_lost_events, max_unpaired_ends, noise_source, metric)",
          where(source_name, node.source()), k);
    }
  }
  return config;
}

CompareConfig load_compare_config(const std::filesystem::path& file) {
  auto text = read_file_if_opened(file);
  if (!text) throw usage_error("{}: cannot be read", file.string());
  return parse_compare_config(*text, file.string());
}

}  // namespace memharness::analysis
