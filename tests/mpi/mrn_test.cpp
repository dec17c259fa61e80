#include "mpi/mrn.hpp"

#include <gtest/gtest.h>

namespace chartroom::mpi {
namespace {

TEST(FormatMrnTest, PadsTheNumberAndAddsTheLuhnDigit) {
  EXPECT_EQ(FormatMrn("{seq}", 42).value(), "42");
  EXPECT_EQ(FormatMrn("N{seq:7}", 42).value(), "N0000042");
  // The textbook Luhn example: 7992739871 has check digit 3.
  EXPECT_EQ(FormatMrn("{seq}{check}", 7992739871).value(), "79927398713");
  EXPECT_EQ(FormatMrn("MR-{check}-{seq:10}", 7992739871).value(), "MR-3-7992739871");
  EXPECT_EQ(FormatMrn("{seq:3}{check}", 5).value(), "0059");  // 005 → 9
}

TEST(FormatMrnTest, RefusesMalformedFormatsAndExhaustedSeries) {
  for (const char* bad : {"", "N", "{seq}{seq}", "{seq:0}", "{seq:x}", "{seq:19}", "{mrn}", "{seq",
                          "seq}", "{seq}{check}{check}"}) {
    auto formatted = FormatMrn(bad, 1);
    ASSERT_FALSE(formatted) << bad;
    EXPECT_EQ(formatted.error().code(), "mpi.bad-facility") << bad;
  }
  EXPECT_FALSE(FormatMrn("{seq:3}", 1000));
  EXPECT_TRUE(FormatMrn("{seq:3}", 999));
}

TEST(FacilityTest, ChecksItsFields) {
  auto ok = Facility::FromJson(
      {{"code", "north"}, {"system", "urn:oid:2.16.840.1.113883.3.999.1"}, {"format", "{seq}"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->next, 1);
  EXPECT_FALSE(Facility::FromJson({{"code", "no rth"}, {"system", "urn:x"}, {"format", "{seq}"}}));
  EXPECT_FALSE(Facility::FromJson({{"code", "north"}, {"system", "plain"}, {"format", "{seq}"}}));
  EXPECT_FALSE(Facility::FromJson(
      {{"code", "north"}, {"system", "urn:x"}, {"format", "{seq}"}, {"next", -1}}));
}

}  // namespace
}  // namespace chartroom::mpi
