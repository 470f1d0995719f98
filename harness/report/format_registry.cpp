#include "harness/report/format_registry.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace memharness::report {

const Format Format::text{"text"};
const Format Format::markdown{"markdown"};
const Format Format::json{"json"};
const Format Format::junit{"junit"};
const Format Format::html{"html"};

FormatRegistry& FormatRegistry::instance() {
  static FormatRegistry registry;
  return registry;
}

void FormatRegistry::add(FormatSpec spec) {
  if (find(spec.name)) throw std::logic_error("output format registered twice: " + spec.name);
  for (const auto& alias : spec.aliases)
    if (find(alias)) throw std::logic_error("output format alias registered twice: " + alias);
  specs_.push_back(std::move(spec));
}

const FormatSpec* FormatRegistry::find(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name || std::find(s.aliases.begin(), s.aliases.end(), name) != s.aliases.end()) return &s;
  return nullptr;
}

std::vector<const FormatSpec*> FormatRegistry::all() const {
  std::vector<const FormatSpec*> out;
  for (const auto& s : specs_) out.push_back(&s);
  std::sort(out.begin(), out.end(),
            [](auto* a, auto* b) { return std::tie(a->order, a->name) < std::tie(b->order, b->name); });
  return out;
}

std::string format_names() {
  auto formats = FormatRegistry::instance().all();
  std::string out;
  for (std::size_t i = 0; i < formats.size(); ++i)
    out += (i == 0 ? "" : i + 1 == formats.size() ? " or " : ", ") + formats[i]->name;
  return out;
}

std::optional<Format> parse_format(const std::string& name) {
  const auto* spec = FormatRegistry::instance().find(name);
  if (!spec) return std::nullopt;
  return Format(spec->name);
}

void render(std::ostream& out, const analysis::Comparison& comparison, const Format& format,
            const RenderOptions& options) {
  const auto* spec = FormatRegistry::instance().find(format.name());
  if (!spec) throw std::logic_error("no output format registered as " + format.name());
  spec->render(out, comparison, options);
}

}  // namespace memharness::report
