#include "crypto/aead.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace chartroom::crypto {
namespace {

class AeadTest : public ::testing::Test {
 protected:
  core::SeededRandom random_{7};
  SecretKey key_ = SecretKey::Generate(random_);
};

TEST_F(AeadTest, SealThenOpenRoundTrips) {
  std::string sealed = Seal(key_, R"({"resourceType":"Patient"})", "Patient/1/1", random_);
  EXPECT_EQ(sealed.size(), 26 + kSealOverhead);
  EXPECT_EQ(sealed.find("Patient"), std::string::npos);  // ciphertext, not plaintext
  auto opened = Open(key_, sealed, "Patient/1/1");
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, R"({"resourceType":"Patient"})");
}

TEST_F(AeadTest, OpenFailsForAnotherPlaceAKeyOrAFlippedBit) {
  std::string sealed = Seal(key_, "content", "Patient/1/1", random_);
  EXPECT_EQ(Open(key_, sealed, "Patient/1/2").error().code(), "crypto.open-failed");
  EXPECT_FALSE(Open(SecretKey::Generate(random_), sealed, "Patient/1/1").has_value());
  std::string flipped = sealed;
  flipped[30] = static_cast<char>(flipped[30] ^ 1);
  EXPECT_FALSE(Open(key_, flipped, "Patient/1/1").has_value());
  EXPECT_FALSE(Open(key_, sealed.substr(0, 10), "Patient/1/1").has_value());
}

TEST_F(AeadTest, WrappedDataKeysUnwrapOnlyUnderTheirLabel) {
  SecretKey data = SecretKey::Generate(random_);
  std::string wrapped = WrapKey(key_, data, "compartment:Patient/1", random_);
  auto unwrapped = UnwrapKey(key_, wrapped, "compartment:Patient/1");
  ASSERT_TRUE(unwrapped.has_value());
  std::string sealed = Seal(data, "x", "", random_);
  EXPECT_EQ(Open(*unwrapped, sealed, "").value(), "x");
  EXPECT_FALSE(UnwrapKey(key_, wrapped, "compartment:Patient/2").has_value());
}

TEST(KeyFileTest, CreatesAPrivateKeyFileAndReadsItBack) {
  auto dir =
      std::filesystem::temp_directory_path() / ("chartroom-key-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto path = dir / "keys" / "master.key";
  core::SeededRandom random(1);
  auto created = LoadOrCreateKeyFile(path, random);
  ASSERT_TRUE(created.has_value()) << created.error().message();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = LoadOrCreateKeyFile(path, random);
  ASSERT_TRUE(loaded.has_value());
  std::string sealed = Seal(*created, "x", "", random);
  EXPECT_TRUE(Open(*loaded, sealed, "").has_value());  // same key

  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(LoadOrCreateKeyFile(path, random).error().code(), "crypto.key-file-permissions");
  ::chmod(path.c_str(), 0600);
  std::ofstream(path) << "not a key\n";
  EXPECT_EQ(LoadOrCreateKeyFile(path, random).error().code(), "crypto.key-file-format");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chartroom::crypto
