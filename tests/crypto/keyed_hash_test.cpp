// Tests of keyed hashing, subkey derivation and strict base64 (crypto/keyed_hash.hpp).

#include "crypto/keyed_hash.hpp"

#include <gtest/gtest.h>

#include "core/random.hpp"

namespace chartroom::crypto {
namespace {

TEST(KeyedHashTest, DigestDependsOnKeyAndData) {
  core::SeededRandom random(7);
  SecretKey a = SecretKey::Generate(random);
  SecretKey b = SecretKey::Generate(random);
  EXPECT_EQ(KeyedHash(a, "same content"), KeyedHash(a, "same content"));
  EXPECT_NE(KeyedHash(a, "same content"), KeyedHash(b, "same content"));
  EXPECT_NE(KeyedHash(a, "same content"), KeyedHash(a, "same content."));
  EXPECT_EQ(ToHex(KeyedHash(a, "x")).size(), 64u);
}

TEST(KeyedHashTest, SubkeysDifferByIdAndContextAndFromTheirKey) {
  core::SeededRandom random(8);
  SecretKey key = SecretKey::Generate(random);
  auto digest = [](const SecretKey& k) { return KeyedHash(k, "probe"); };
  EXPECT_EQ(digest(DeriveSubkey(key, 1, "blobaddr")), digest(DeriveSubkey(key, 1, "blobaddr")));
  EXPECT_NE(digest(DeriveSubkey(key, 1, "blobaddr")), digest(DeriveSubkey(key, 2, "blobaddr")));
  EXPECT_NE(digest(DeriveSubkey(key, 1, "blobaddr")), digest(DeriveSubkey(key, 1, "otherctx")));
  EXPECT_NE(digest(DeriveSubkey(key, 1, "blobaddr")), digest(key));
}

TEST(Base64Test, CanonicalTextRoundTripsByteForByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (std::size_t n : {0u, 1u, 2u, 3u, 4u, 255u, 256u}) {
    const std::string text = EncodeBase64(bytes.substr(0, n));
    auto decoded = DecodeCanonicalBase64(text);
    ASSERT_TRUE(decoded.has_value()) << n;
    EXPECT_EQ(*decoded, bytes.substr(0, n));
    EXPECT_EQ(EncodeBase64(*decoded), text);
  }
  core::SeededRandom random(9);
  std::string large(100001, '\0');
  random.Fill(std::as_writable_bytes(std::span(large.data(), large.size())));
  auto decoded = DecodeCanonicalBase64(EncodeBase64(large));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, large);
  EXPECT_EQ(EncodeBase64(""), "");
  EXPECT_EQ(EncodeBase64("Man"), "TWFu");
  EXPECT_EQ(EncodeBase64("Ma"), "TWE=");
  EXPECT_EQ(EncodeBase64("M"), "TQ==");
  EXPECT_EQ(EncodeBase64("\xff\xfe"), "//4=");
}

TEST(Base64Test, NonCanonicalTextIsRefused) {
  EXPECT_FALSE(DecodeCanonicalBase64("TWE").has_value());       // no padding
  EXPECT_FALSE(DecodeCanonicalBase64("TW E=").has_value());     // whitespace
  EXPECT_FALSE(DecodeCanonicalBase64("TWF=").has_value());      // unused bits set
  EXPECT_FALSE(DecodeCanonicalBase64("TQ==TQ==").has_value());  // padding inside
  EXPECT_FALSE(DecodeCanonicalBase64("TWE-").has_value());      // URL-safe alphabet
  EXPECT_FALSE(DecodeCanonicalBase64("QR==").has_value());      // unused bits set
  EXPECT_FALSE(DecodeCanonicalBase64("====").has_value());
  EXPECT_FALSE(DecodeCanonicalBase64("A===").has_value());
  EXPECT_FALSE(DecodeCanonicalBase64("TW=u").has_value());
  EXPECT_FALSE(DecodeCanonicalBase64("TWE=\n").has_value());
  EXPECT_FALSE(DecodeCanonicalBase64("chartroom-blob:1:").has_value());
}

TEST(KeyedHashTest, Base64UrlIsUnpaddedAndCanonical) {
  EXPECT_EQ(EncodeBase64Url(""), "");
  EXPECT_EQ(EncodeBase64Url("\xFB\xFF"), "-_8");  // standard base64: "+/8="
  EXPECT_EQ(EncodeBase64Url("{\"alg\":\"EdDSA\"}"), "eyJhbGciOiJFZERTQSJ9");
  EXPECT_EQ(DecodeBase64Url("-_8").value(), "\xFB\xFF");
  EXPECT_EQ(DecodeBase64Url("eyJhbGciOiJFZERTQSJ9").value(), "{\"alg\":\"EdDSA\"}");
  EXPECT_FALSE(DecodeBase64Url("+/8").has_value());   // the standard alphabet
  EXPECT_FALSE(DecodeBase64Url("-_8=").has_value());  // padding
  EXPECT_FALSE(DecodeBase64Url("-_9").has_value());   // unused bits set
  EXPECT_FALSE(DecodeBase64Url("A").has_value());
}

}  // namespace
}  // namespace chartroom::crypto
