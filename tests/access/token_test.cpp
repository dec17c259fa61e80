#include "access/token.hpp"

#include <gtest/gtest.h>

#include <string>

#include "crypto/keyed_hash.hpp"

namespace chartroom::access {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class TokenTest : public ::testing::Test {
 protected:
  TokenClaims Claims() const {
    TokenClaims c;
    c.issuer = "https://chartroom.example.org";
    c.subject = "jdoe";
    c.roles = {"him_technician", "coder"};
    c.purpose = "HOPERAT";
    c.scope = "user/*.rs";
    c.token_id = "3f2c7a0e-6b1d-4d8e-9a51-0c7e2b9d4f10";
    c.session_id = "s-1";
    c.issued_at = start_;
    c.expires_at = start_ + minutes(15);
    return c;
  }
  Result<TokenClaims> Verify(const std::string& token, core::Timestamp now) const {
    return VerifyToken(token, keys_, "https://chartroom.example.org", now);
  }
  // The token with its payload replaced by `payload` (signed again, so only the claims differ).
  std::string Resigned(std::string_view header, std::string_view payload) const {
    std::string token = crypto::EncodeBase64Url(header) + "." + crypto::EncodeBase64Url(payload);
    return token + "." + crypto::EncodeBase64Url(key_.Sign(token));
  }

  core::SeededRandom random_{11};
  crypto::SigningKey key_ = crypto::SigningKey::Generate(random_);
  crypto::SigningKey other_ = crypto::SigningKey::Generate(random_);
  TokenKeys keys_{{"k1", key_.public_key()}};
  core::Timestamp start_ = core::Timestamp(seconds(1'790'000'000));
};

TEST_F(TokenTest, AnIssuedTokenVerifiesToItsClaims) {
  const std::string token = IssueToken(Claims(), key_, "k1");
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  auto claims = Verify(token, start_ + minutes(1));
  ASSERT_TRUE(claims.has_value()) << claims.error().message();
  EXPECT_EQ(*claims, Claims());
}

TEST_F(TokenTest, ExpiryAndIssueTimeAreEnforcedWithALeeway) {
  const std::string token = IssueToken(Claims(), key_, "k1");
  EXPECT_TRUE(Verify(token, start_ + minutes(15) + seconds(29)).has_value());
  auto late = Verify(token, start_ + minutes(15) + seconds(30));
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().category(), ErrorCategory::kUnauthenticated);
  EXPECT_EQ(late.error().code(), "access.token-expired");
  EXPECT_TRUE(Verify(token, start_ - seconds(30)).has_value());
  EXPECT_EQ(Verify(token, start_ - seconds(31)).error().code(), "access.invalid-token");
}

TEST_F(TokenTest, TamperedForgedAndForeignTokensAreRefusedAlike) {
  const std::string token = IssueToken(Claims(), key_, "k1");
  const std::size_t dot = token.find('.');
  const std::size_t last = token.rfind('.');
  std::vector<std::string> bad = {
      "",
      "abc",
      "a.b",
      "a.b.c.d",
      token + "x",
      token.substr(0, last) + ".",
      // Another key, or a key id the server does not know.
      IssueToken(Claims(), other_, "k1"),
      IssueToken(Claims(), key_, "k2"),
      // The payload changed (roles widened) under the original signature.
      token.substr(0, dot + 1) +
          crypto::EncodeBase64Url(
              R"({"iss":"https://chartroom.example.org","sub":"jdoe","roles":["admin"],"jti":"x","iat":1790000000,"exp":1790000900})") +
          token.substr(last),
      // alg none, and an HMAC algorithm keyed with the public key (RFC 8725 3.1).
      crypto::EncodeBase64Url(R"({"alg":"none","kid":"k1"})") + token.substr(dot, last - dot) + ".",
      Resigned(
          R"({"alg":"HS256","kid":"k1"})",
          R"({"iss":"https://chartroom.example.org","sub":"a","roles":[],"jti":"j","iat":1790000000,"exp":1790000900})"),
      Resigned(
          R"({"alg":"EdDSA","kid":"k1","crit":["exp"]})",
          R"({"iss":"https://chartroom.example.org","sub":"a","roles":[],"jti":"j","iat":1790000000,"exp":1790000900})"),
      // Signed by us, but not what we issue: another issuer, no subject, roles not strings,
      // exp before iat, an absurd expiry.
      Resigned(
          R"({"alg":"EdDSA","kid":"k1"})",
          R"({"iss":"https://elsewhere","sub":"a","roles":[],"jti":"j","iat":1790000000,"exp":1790000900})"),
      Resigned(
          R"({"alg":"EdDSA","kid":"k1"})",
          R"({"iss":"https://chartroom.example.org","roles":[],"jti":"j","iat":1790000000,"exp":1790000900})"),
      Resigned(
          R"({"alg":"EdDSA","kid":"k1"})",
          R"({"iss":"https://chartroom.example.org","sub":"a","roles":[1],"jti":"j","iat":1790000000,"exp":1790000900})"),
      Resigned(
          R"({"alg":"EdDSA","kid":"k1"})",
          R"({"iss":"https://chartroom.example.org","sub":"a","roles":[],"jti":"j","iat":1790000900,"exp":1790000000})"),
      Resigned(
          R"({"alg":"EdDSA","kid":"k1"})",
          R"({"iss":"https://chartroom.example.org","sub":"a","roles":[],"jti":"j","iat":1790000000,"exp":9223372036854775807})"),
      std::string(9000, 'a'),
  };
  for (const std::string& t : bad) {
    auto verified = Verify(t, start_ + minutes(1));
    ASSERT_FALSE(verified.has_value()) << t;
    EXPECT_EQ(verified.error().category(), ErrorCategory::kUnauthenticated) << t;
    EXPECT_EQ(verified.error().code(), "access.invalid-token") << t;
    EXPECT_EQ(verified.error().message(), "the bearer token is not valid");
  }
  // The same claims re-signed with a known key are fine: the list above fails for its flaw.
  EXPECT_TRUE(
      Verify(
          Resigned(
              R"({"alg":"EdDSA","kid":"k1","typ":"JWT"})",
              R"({"iss":"https://chartroom.example.org","sub":"a","roles":[],"jti":"j","iat":1790000000,"exp":1790000900})"),
          start_ + minutes(1))
          .has_value());
}

TEST_F(TokenTest, ARetiredKeyStillVerifiesWhileItIsListed) {
  const std::string old_token = IssueToken(Claims(), other_, "k0");
  EXPECT_FALSE(Verify(old_token, start_).has_value());
  TokenKeys both = keys_;
  both.emplace("k0", other_.public_key());
  EXPECT_TRUE(VerifyToken(old_token, both, "https://chartroom.example.org", start_).has_value());
}

}  // namespace
}  // namespace chartroom::access
