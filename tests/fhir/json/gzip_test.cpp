#include "fhir/json/gzip.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace chartroom::fhir::json {
namespace {

std::string ReadFixture() {
  std::ifstream in(
      std::filesystem::path(CHARTROOM_SOURCE_DIR) / "tests/data/synthea/patient-bundle-1.json.gz",
      std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(GzipTest, InflatesAGzipFile) {
  const std::string compressed = ReadFixture();
  ASSERT_TRUE(IsGzip(compressed));
  Result<std::string> text = Gunzip(compressed);
  ASSERT_TRUE(text.has_value()) << text.error().message();
  EXPECT_GT(text->size(), compressed.size());
  EXPECT_NE(text->find("\"resourceType\""), std::string::npos);
  EXPECT_FALSE(IsGzip(*text));
}

TEST(GzipTest, InflatesConcatenatedMembers) {
  const std::string compressed = ReadFixture();
  Result<std::string> once = Gunzip(compressed);
  Result<std::string> twice = Gunzip(compressed + compressed);
  ASSERT_TRUE(once.has_value());
  ASSERT_TRUE(twice.has_value());
  EXPECT_EQ(*twice, *once + *once);
}

TEST(GzipTest, FailsOnTruncatedOrDamagedInput) {
  const std::string compressed = ReadFixture();
  Result<std::string> truncated = Gunzip(compressed.substr(0, compressed.size() / 2));
  ASSERT_FALSE(truncated.has_value());
  EXPECT_EQ(truncated.error().code(), "json.gzip-corrupt");
  std::string damaged = compressed;
  for (std::size_t i = 20; i < 60; ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
  EXPECT_FALSE(Gunzip(damaged).has_value());
  EXPECT_FALSE(Gunzip("\x1f\x8b").has_value());
}

TEST(GzipTest, StopsAtTheSizeLimit) {
  Result<std::string> text = Gunzip(ReadFixture(), 4096);
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), "json.gzip-too-large");
}

}  // namespace
}  // namespace chartroom::fhir::json
