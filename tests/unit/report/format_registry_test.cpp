// Output formats register themselves; --format, --help and the usage error
// read the registry, so the built-in formats keep their names and order.
#include <gtest/gtest.h>

#include <sstream>

#include "harness/report/format_registry.h"

namespace memharness::report {
namespace {

TEST(FormatRegistry, TheBuiltInFormatsInTheirOrder) {
  EXPECT_EQ(format_names(), "text, markdown, json, junit or html");
  ASSERT_TRUE(parse_format("md"));
  EXPECT_EQ(parse_format("md")->name(), "markdown");
  EXPECT_FALSE(parse_format("MD"));
}

TEST(FormatRegistry, ANameOrAliasIsRegisteredOnce) {
  FormatSpec again{.name = "json", .render = [](std::ostream&, const analysis::Comparison&, const RenderOptions&) {}};
  EXPECT_THROW(FormatRegistry::instance().add(again), std::logic_error);
  FormatSpec alias_taken{.name = "markdown2",
                         .aliases = {"md"},
                         .render = [](std::ostream&, const analysis::Comparison&, const RenderOptions&) {}};
  EXPECT_THROW(FormatRegistry::instance().add(alias_taken), std::logic_error);
}

TEST(FormatRegistry, RenderingAnUnregisteredFormatIsABug) {
  std::ostringstream out;
  EXPECT_THROW(render(out, analysis::Comparison{}, Format("pdf")), std::logic_error);
}

}  // namespace
}  // namespace memharness::report
