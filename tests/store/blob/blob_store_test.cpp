// Tests of the sealed, content-addressed blob files (store/blob/blob_store.hpp).

#include "store/blob/blob_store.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "support/backends.hpp"

namespace chartroom::store::blob {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::size_t CountBlobFiles(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().parent_path().filename() != "tmp") ++n;
  }
  return n;
}

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = BlobStore::Open(dir_.path() / "blobs");
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    blobs_ = std::move(*opened);
  }
  core::SeededRandom random_{99};
  crypto::SecretKey key_a_ = crypto::SecretKey::Generate(random_);
  crypto::SecretKey key_b_ = crypto::SecretKey::Generate(random_);
  test::TempDir dir_;
  std::unique_ptr<BlobStore> blobs_;
  const std::string content_ = "synthetic scanned page " + std::string(5000, 'z');
};

TEST_F(BlobStoreTest, PutThenGetReturnsTheBytesAndTheFileHoldsNoPlaintext) {
  auto address = blobs_->Put(key_a_, content_, random_);
  ASSERT_TRUE(address.has_value()) << address.error().message();
  EXPECT_EQ(address->size(), 64u);
  const std::filesystem::path path = blobs_->PathOf(*address);
  EXPECT_EQ(path.parent_path().filename().string(), address->substr(0, 2));
  EXPECT_EQ((std::filesystem::status(path).permissions() & std::filesystem::perms::others_read),
            std::filesystem::perms::none);
  const std::string raw = ReadFile(path);
  EXPECT_EQ(raw.size(), content_.size() + crypto::kSealOverhead);
  EXPECT_EQ(raw.find("synthetic scanned page"), std::string::npos);
  auto back = blobs_->Get(key_a_, *address);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, content_);
}

TEST_F(BlobStoreTest, EqualContentUnderOneKeyIsStoredOnce) {
  auto first = blobs_->Put(key_a_, content_, random_);
  auto second = blobs_->Put(key_a_, content_, random_);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(CountBlobFiles(blobs_->dir()), 1u);
}

TEST_F(BlobStoreTest, EqualContentUnderTwoKeysGetsUnrelatedAddresses) {
  auto a = blobs_->Put(key_a_, content_, random_);
  auto b = blobs_->Put(key_b_, content_, random_);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(CountBlobFiles(blobs_->dir()), 2u);
  // Neither key opens the other's blob.
  auto wrong = blobs_->Get(key_b_, *a);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), "store.corrupt");
}

TEST_F(BlobStoreTest, TamperedMovedOrMissingBlobsAreReportedCorrupt) {
  auto address = blobs_->Put(key_a_, content_, random_);
  auto other = blobs_->Put(key_a_, content_ + "!", random_);
  ASSERT_TRUE(address.has_value() && other.has_value());
  const std::filesystem::path path = blobs_->PathOf(*address);
  const std::string original = ReadFile(path);

  std::string flipped = original;
  flipped[100] = static_cast<char>(flipped[100] ^ 1);
  WriteFile(path, flipped);
  auto tampered = blobs_->Get(key_a_, *address);
  ASSERT_FALSE(tampered.has_value());
  EXPECT_EQ(tampered.error().category(), ErrorCategory::kInternal);
  EXPECT_EQ(tampered.error().code(), "store.corrupt");

  WriteFile(path, original.substr(0, 30));
  EXPECT_EQ(blobs_->Get(key_a_, *address).error().code(), "store.corrupt");

  // Another blob's file under this name: its associated data names the other address.
  WriteFile(path, ReadFile(blobs_->PathOf(*other)));
  EXPECT_EQ(blobs_->Get(key_a_, *address).error().code(), "store.corrupt");

  std::filesystem::remove(path);
  auto missing = blobs_->Get(key_a_, *address);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().category(), ErrorCategory::kInternal);
  EXPECT_EQ(missing.error().code(), "store.corrupt");
}

}  // namespace
}  // namespace chartroom::store::blob
