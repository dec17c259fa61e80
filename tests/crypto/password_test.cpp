#include "crypto/password.hpp"

#include <sodium.h>

#include <gtest/gtest.h>

#include <string>

namespace chartroom::crypto {
namespace {

// Small parameters keep the tests fast; production uses the defaults (64 MiB, 2 passes).
const PasswordHashParams kFast{1, 8 * 1024};

TEST(PasswordTest, HashVerifiesTheRightPasswordOnly) {
  core::SeededRandom random(1);
  auto hash = HashPassword("correct horse battery staple", random, kFast);
  ASSERT_TRUE(hash.has_value()) << hash.error().message();
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=8192,t=1,p=1$")) << *hash;
  EXPECT_EQ(hash->find("horse"), std::string::npos);
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *hash).value());
  EXPECT_FALSE(VerifyPassword("correct horse battery stapl", *hash).value());
  EXPECT_FALSE(VerifyPassword("", *hash).value());
}

TEST(PasswordTest, EachHashHasItsOwnSaltAndLibsodiumReadsIt) {
  core::SeededRandom random(2);
  auto a = HashPassword("same password here", random, kFast);
  auto b = HashPassword("same password here", random, kFast);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  // The PHC string is the one crypto_pwhash_str writes: libsodium verifies it itself.
  ASSERT_GE(sodium_init(), 0);
  EXPECT_EQ(crypto_pwhash_str_verify(a->c_str(), "same password here", 18), 0);
  EXPECT_NE(crypto_pwhash_str_verify(a->c_str(), "another password", 16), 0);
  // And the other way round.
  char written[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str(written, "from libsodium", 14, 1, 8 * 1024 * 1024), 0);
  EXPECT_TRUE(VerifyPassword("from libsodium", written).value());
}

TEST(PasswordTest, UnreadableHashesAreErrorsAndOtherParametersNeedARehash) {
  core::SeededRandom random(3);
  auto hash = HashPassword("a long enough secret", random, kFast);
  ASSERT_TRUE(hash.has_value());
  EXPECT_FALSE(NeedsRehash(*hash, kFast));
  EXPECT_TRUE(NeedsRehash(*hash, PasswordHashParams{}));
  for (std::string bad : {std::string(""), std::string("plain"),
                          std::string("$argon2i$v=19$m=8192,t=1,p=1$AAAA$AAAA"),
                          hash->substr(0, hash->size() - 30)}) {
    auto verified = VerifyPassword("a long enough secret", bad);
    ASSERT_FALSE(verified.has_value()) << bad;
    EXPECT_EQ(verified.error().code(), "crypto.bad-password-hash");
    EXPECT_TRUE(NeedsRehash(bad, kFast));
  }
  EXPECT_EQ(HashPassword("x", random, PasswordHashParams{0, 8}).error().code(),
            "crypto.bad-params");
}

TEST(PasswordTest, PolicyFollowsNist80063b) {
  EXPECT_TRUE(CheckPasswordPolicy("tulip mountain lantern", "jdoe"));
  EXPECT_TRUE(CheckPasswordPolicy("ünïcödé pässwörd", "jdoe"));  // 16 characters, 22 bytes
  auto expect_weak = [](std::string_view password, std::string_view user, std::string_view why) {
    Status status = CheckPasswordPolicy(password, user);
    ASSERT_FALSE(status) << password;
    EXPECT_EQ(status.error().code(), "access.weak-password");
    EXPECT_NE(status.error().message().find(why), std::string::npos) << status.error().message();
    EXPECT_EQ(status.error().message().find(password), std::string::npos);
  };
  expect_weak("short", "jdoe", "at least 12");
  expect_weak("ünïcödé", "jdoe", "at least 12");  // 7 characters in 14 bytes
  expect_weak(std::string(129, 'x') + "y", "jdoe", "at most 128");
  expect_weak("Password1234", "jdoe", "commonly used");
  expect_weak("my name is JDoe, ok?", "jdoe", "user name");
  expect_weak("zzzzzzzzzzzzzz", "jdoe", "repeats");
  expect_weak("\xC3 invalid utf8 text", "jdoe", "UTF-8");
}

}  // namespace
}  // namespace chartroom::crypto
