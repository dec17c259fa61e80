#include "crypto/totp.hpp"

#include <gtest/gtest.h>

namespace chartroom::crypto {
namespace {

using std::chrono::seconds;

const std::string kRfcSecret = "12345678901234567890";  // RFC 4226 appendix D / RFC 6238

core::Timestamp At(std::int64_t unix_seconds) { return core::Timestamp(seconds(unix_seconds)); }

TEST(TotpTest, HotpMatchesRfc4226AppendixD) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t i = 0; i < 10; ++i) EXPECT_EQ(Hotp(kRfcSecret, i), expected[i]) << i;
}

TEST(TotpTest, TotpMatchesRfc6238AppendixBForSha1) {
  const std::pair<std::int64_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& [time, code] : vectors) {
    EXPECT_EQ(Hotp(kRfcSecret, static_cast<std::uint64_t>(TotpStep(At(time))), 8), code) << time;
  }
}

TEST(TotpTest, VerifyAcceptsTheWindowAndNamesTheStep) {
  const core::Timestamp now = At(1'790'000'015);
  const std::int64_t step = TotpStep(now);
  const std::string code = Hotp(kRfcSecret, static_cast<std::uint64_t>(step));
  EXPECT_EQ(VerifyTotp(kRfcSecret, code, now), step);
  EXPECT_EQ(VerifyTotp(kRfcSecret, code, now + seconds(30)), step);  // one step late
  EXPECT_EQ(VerifyTotp(kRfcSecret, code, now - seconds(30)), step);  // one step early
  EXPECT_FALSE(VerifyTotp(kRfcSecret, code, now + seconds(60)).has_value());
  EXPECT_FALSE(VerifyTotp(kRfcSecret, code, now + seconds(30), 0).has_value());  // no window
  EXPECT_FALSE(VerifyTotp("another secret!!!!!!", code, now).has_value());
  EXPECT_FALSE(VerifyTotp(kRfcSecret, "12345", now).has_value());
  EXPECT_FALSE(VerifyTotp(kRfcSecret, "12345a", now).has_value());
}

TEST(TotpTest, SecretsAreNewAndEnrolThroughAnOtpauthUri) {
  core::SeededRandom random(9);
  const std::string a = NewTotpSecret(random);
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, NewTotpSecret(random));
  EXPECT_EQ(EncodeBase32("foobar"), "MZXW6YTBOI");  // RFC 4648 section 10, unpadded
  EXPECT_EQ(TotpUri(kRfcSecret, "Chartroom Clinic", "jdoe@example.org"),
            "otpauth://totp/Chartroom%20Clinic:jdoe%40example.org?secret="
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Chartroom%20Clinic&algorithm=SHA1&digits=6"
            "&period=30");
}

}  // namespace
}  // namespace chartroom::crypto
