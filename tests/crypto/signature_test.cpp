#include "crypto/signature.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "crypto/aead.hpp"

namespace chartroom::crypto {
namespace {

TEST(SignatureTest, SignaturesVerifyUnderTheirKeyAndMessageOnly) {
  core::SeededRandom random(4);
  const SigningKey key = SigningKey::Generate(random);
  const SigningKey other = SigningKey::Generate(random);
  const std::string signature = key.Sign("header.payload");
  EXPECT_EQ(signature.size(), kSignatureBytes);
  EXPECT_TRUE(Verify(key.public_key(), "header.payload", signature));
  EXPECT_FALSE(Verify(key.public_key(), "header.payloaD", signature));
  EXPECT_FALSE(Verify(other.public_key(), "header.payload", signature));
  std::string flipped = signature;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  EXPECT_FALSE(Verify(key.public_key(), "header.payload", flipped));
  EXPECT_FALSE(Verify(key.public_key(), "header.payload", signature.substr(1)));
}

TEST(SignatureTest, ASeedDeterminesTheKey) {
  core::SeededRandom random(5);
  const SigningKey key = SigningKey::Generate(random);
  auto again = SigningKey::FromSeed(key.seed());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->public_key(), key.public_key());
  EXPECT_EQ(again->Sign("m"), key.Sign("m"));  // Ed25519 signing is deterministic
  EXPECT_EQ(SigningKey::FromSeed("short").error().code(), "crypto.bad-key");
}

// RFC 8032 section 7.1, test 1: the empty message under a known seed.
TEST(SignatureTest, MatchesTheRfc8032TestVector) {
  auto bytes = [](std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    }
    return out;
  };
  auto key = SigningKey::FromSeed(
      bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(key.has_value());
  const std::string expected_public =
      bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(std::string(key->public_key().begin(), key->public_key().end()), expected_public);
  EXPECT_EQ(key->Sign(""),
            bytes("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"));
}

TEST(SignatureTest, TheKeyFileIsCreatedPrivateAndReadBack) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("signing-key-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  core::SeededRandom random(6);
  auto created = LoadOrCreateSigningKeyFile(dir / "signing.key", random);
  ASSERT_TRUE(created.has_value()) << created.error().message();
  struct stat st {};
  ASSERT_EQ(::stat((dir / "signing.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = LoadOrCreateSigningKeyFile(dir / "signing.key", random);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->public_key(), created->public_key());
  // A master-key file is not a signing-key file.
  ASSERT_TRUE(LoadOrCreateKeyFile(dir / "master.key", random).has_value());
  EXPECT_EQ(LoadOrCreateSigningKeyFile(dir / "master.key", random).error().code(),
            "crypto.key-file-format");
  ::chmod((dir / "signing.key").c_str(), 0644);
  EXPECT_EQ(LoadOrCreateSigningKeyFile(dir / "signing.key", random).error().code(),
            "crypto.key-file-permissions");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chartroom::crypto
