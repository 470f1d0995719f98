#include "harness/common/units.h"

#include <gtest/gtest.h>

namespace memharness::config {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t KiB = 1024;
constexpr std::int64_t MiB = 1024 * KiB;
constexpr std::int64_t GiB = 1024 * MiB;
constexpr std::int64_t TiB = 1024 * GiB;

TEST(ParseSizeBytes, UnitsArePowersOf1024WithOptionalBOrIBSuffix) {
  EXPECT_EQ(parse_size_bytes("4096"), 4096);
  EXPECT_EQ(parse_size_bytes("4096B"), 4096);
  EXPECT_EQ(parse_size_bytes("4096K"), 4096 * KiB);
  EXPECT_EQ(parse_size_bytes("512M"), 512 * MiB);
  EXPECT_EQ(parse_size_bytes("512MiB"), 512 * MiB);
  EXPECT_EQ(parse_size_bytes("512MB"), 512 * MiB);
  EXPECT_EQ(parse_size_bytes("2G"), 2 * GiB);
  EXPECT_EQ(parse_size_bytes("1T"), TiB);
  EXPECT_EQ(parse_size_bytes("1tib"), TiB);
}

TEST(ParseSizeBytes, UnitLetterIsCaseInsensitive) {
  EXPECT_EQ(parse_size_bytes("2g"), 2 * GiB);
  EXPECT_EQ(parse_size_bytes("2gib"), 2 * GiB);
  EXPECT_EQ(parse_size_bytes("8k"), 8 * KiB);
}

TEST(ParseSizeBytes, FractionsRoundDownToWholeBytes) {
  EXPECT_EQ(parse_size_bytes("1.5G"), 3 * GiB / 2);
  EXPECT_EQ(parse_size_bytes("0.5K"), 512);
  EXPECT_EQ(parse_size_bytes("0.3K"), 307);
}

TEST(ParseSizeBytes, SpaceBeforeTheUnitIsAllowed) {
  EXPECT_EQ(parse_size_bytes("512 MiB"), 512 * MiB);
  EXPECT_EQ(parse_size_bytes("512 "), std::nullopt);
}

TEST(ParseSizeBytes, NegativeAndZeroParseForTheCallerToReject) {
  EXPECT_EQ(parse_size_bytes("0"), 0);
  EXPECT_EQ(parse_size_bytes("-5M"), -5 * MiB);
}

TEST(ParseSizeBytes, RejectsWhatIsNotAnAbsoluteSize) {
  for (const char* text : {"", "lots", "M", "512Q", "512MiBs", "5.M", ".5M", "1e3", "0x10", "512 M B", "150%", "1.5x",
                           "99999999999T", "1234567890123456789"})
    EXPECT_EQ(parse_size_bytes(text), std::nullopt) << text;
}

TEST(ParseSize, RelativeSizesKeepTheirBase) {
  auto percent = parse_size("150%");
  ASSERT_TRUE(percent);
  EXPECT_EQ(percent->base, SizeExpression::Base::cgroup_memory_max);
  EXPECT_EQ(percent->resolve(256 * MiB), 384 * MiB);

  auto times = parse_size("1.5x");
  ASSERT_TRUE(times);
  EXPECT_EQ(times->base, SizeExpression::Base::mem_total);
  EXPECT_EQ(times->resolve(8 * GiB), 12 * GiB);
  EXPECT_EQ(parse_size("2X")->resolve(GiB), 2 * GiB);
}

TEST(ParseSize, RelativeResolutionIsExactForDecimalFactors) {
  // 0.29 is not exact in binary floating point; 29/100 is.
  EXPECT_EQ(parse_size("29%")->resolve(100), 29);
  EXPECT_EQ(parse_size("12.5%")->resolve(8 * GiB), GiB);
  EXPECT_EQ(parse_size("0.1x")->resolve(10 * GiB), GiB);
}

TEST(ParseSize, RelativeResolutionReportsOverflow) {
  EXPECT_EQ(parse_size("999999999999x")->resolve(TiB), std::nullopt);
}

TEST(ParseDuration, AcceptsEveryUnitAndFractions) {
  EXPECT_EQ(parse_duration("7ns"), 7ns);
  EXPECT_EQ(parse_duration("20us"), 20us);
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("10s"), 10s);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("5m"), 5min);
  EXPECT_EQ(parse_duration("1h"), 1h);
  EXPECT_EQ(parse_duration("0.25h"), 15min);
}

TEST(ParseDuration, AcceptsGroups) {
  EXPECT_EQ(parse_duration("1h30m"), 90min);
  EXPECT_EQ(parse_duration("1m30s"), 90s);
  EXPECT_EQ(parse_duration("1s500ms"), 1500ms);
}

TEST(ParseDuration, ZeroAndNegativeParseForTheCallerToReject) {
  EXPECT_EQ(parse_duration("0"), 0ns);
  EXPECT_EQ(parse_duration("0s"), 0ns);
  EXPECT_EQ(parse_duration("-1s"), -1s);
}

TEST(ParseDuration, RejectsWhatIsNotADuration) {
  for (const char* text : {"", "10", "1.5", "soon", "10 s", "10S", "5M", "1d", "s", "1.s", "10s ", "-", "99999999999h"})
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
}

TEST(FormatBytes, UsesTheLargestUnitAndIsExactWhenWhole) {
  EXPECT_EQ(format_bytes(0), "0B");
  EXPECT_EQ(format_bytes(1023), "1023B");
  EXPECT_EQ(format_bytes(4 * KiB), "4K");
  EXPECT_EQ(format_bytes(256 * MiB), "256M");
  EXPECT_EQ(format_bytes(384 * MiB), "384M");
  EXPECT_EQ(format_bytes(3 * GiB / 2), "1.5G");
  EXPECT_EQ(format_bytes(24 * GiB), "24G");
  EXPECT_EQ(format_bytes(2 * TiB), "2T");
  EXPECT_EQ(format_bytes(-256 * MiB), "-256M");
  EXPECT_EQ(format_bytes(GiB + 1), "1G");  // rounded: display only
  EXPECT_EQ(format_bytes(std::numeric_limits<std::int64_t>::min()), "-8388608T");
}

TEST(FormatBytes, RoundTripsThroughParseWhenWhole) {
  for (std::int64_t bytes : {KiB, 3 * MiB, 7 * GiB, 5 * TiB, std::int64_t{1023}})
    EXPECT_EQ(parse_size_bytes(format_bytes(bytes)), bytes);
}

TEST(FormatDuration, PicksAReadableUnit) {
  EXPECT_EQ(format_duration(0ns), "0s");
  EXPECT_EQ(format_duration(7ns), "7ns");
  EXPECT_EQ(format_duration(20us), "20us");
  EXPECT_EQ(format_duration(100ms), "100ms");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(10s), "10s");
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(5min), "5m");
  EXPECT_EQ(format_duration(2h), "2h");
  EXPECT_EQ(format_duration(-2s), "-2s");
  EXPECT_EQ(format_duration(1234567ns), "1.235ms");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (auto duration : {std::chrono::nanoseconds(7), std::chrono::nanoseconds(1500ms), std::chrono::nanoseconds(5min),
                        std::chrono::nanoseconds(3h)})
    EXPECT_EQ(parse_duration(format_duration(duration)), duration);
}

TEST(ToSeconds, IsFractional) {
  EXPECT_DOUBLE_EQ(to_seconds(1500ms), 1.5);
  EXPECT_DOUBLE_EQ(to_seconds(5min), 300.0);
}

TEST(ParseRate, IsAnAbsoluteSizePerSecond) {
  EXPECT_EQ(parse_rate("64MiB/s"), 64 * MiB);
  EXPECT_EQ(parse_rate("64M/s"), 64 * MiB);
  EXPECT_EQ(parse_rate("1.5G/s"), 3 * GiB / 2);
  EXPECT_EQ(parse_rate("4096/s"), 4096);
  EXPECT_EQ(parse_rate("0"), 0);
}

TEST(ParseRate, RejectsSizesWithoutPerSecondAndRelativeOrOtherUnits) {
  EXPECT_EQ(parse_rate("64MiB"), std::nullopt);
  EXPECT_EQ(parse_rate("64MiB/m"), std::nullopt);
  EXPECT_EQ(parse_rate("50%/s"), std::nullopt);
  EXPECT_EQ(parse_rate("1.5x/s"), std::nullopt);
  EXPECT_EQ(parse_rate("/s"), std::nullopt);
  EXPECT_EQ(parse_rate("fast"), std::nullopt);
  EXPECT_EQ(parse_rate(""), std::nullopt);
}

}  // namespace
}  // namespace memharness::config
