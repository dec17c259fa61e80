#include "core/clock.hpp"

#include <gtest/gtest.h>

#include "core/random.hpp"

namespace chartroom::core {
namespace {

TEST(ClockTest, FormatsAndParsesFhirInstants) {
  auto t = ParseInstant("2024-03-01T09:00:00.123+02:00");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatInstant(*t), "2024-03-01T07:00:00.123Z");
  EXPECT_EQ(FormatHttpDate(*t), "Fri, 01 Mar 2024 07:00:00 GMT");
  auto z = ParseInstant("1999-12-31T23:59:59Z");
  ASSERT_TRUE(z.has_value());
  EXPECT_EQ(FormatInstant(*z), "1999-12-31T23:59:59.000Z");
}

TEST(ClockTest, RejectsMalformedInstants) {
  for (const char* text : {"2024-03-01", "2024-02-30T00:00:00Z", "2024-03-01T09:00:00",
                           "2024-03-01T25:00:00Z", "2024-03-01T09:00:00.Z", "x"}) {
    auto t = ParseInstant(text);
    ASSERT_FALSE(t.has_value()) << text;
    EXPECT_EQ(t.error().code(), "core.bad-instant");
  }
}

TEST(ClockTest, FixedClockMovesOnlyWhenTold) {
  FixedClock clock(*ParseInstant("2024-03-01T09:00:00Z"));
  auto first = clock.Now();
  EXPECT_EQ(clock.Now(), first);
  clock.Advance(std::chrono::seconds(90));
  EXPECT_EQ(FormatInstant(clock.Now()), "2024-03-01T09:01:30.000Z");
}

TEST(RandomTest, SeededRandomIsDeterministicAndUuidsAreVersion4) {
  SeededRandom a(42), b(42), c(43);
  EXPECT_EQ(a.NextU64(), b.NextU64());
  EXPECT_NE(a.NextU64(), c.NextU64());
  std::string uuid = SystemRandom().Uuid();
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '4');
  EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);
  EXPECT_NE(SystemRandom().Uuid(), uuid);
}

}  // namespace
}  // namespace chartroom::core
