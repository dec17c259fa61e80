#include "store/common/page_token.hpp"

#include <gtest/gtest.h>

#include "core/random.hpp"
#include "support/queries.hpp"

namespace chartroom::store::common {
namespace {

namespace fs = fhir::search;

TEST(PageTokenTest, CursorsRoundTrip) {
  PageCursor cursor{
      true, 0xABCDEF0123456789ULL, {nullptr, std::int64_t{-5}, 2.5, std::string("smith")}, 42};
  auto decoded = DecodeCursor(EncodeCursor(cursor));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(decoded->backward);
  EXPECT_EQ(decoded->fingerprint, cursor.fingerprint);
  EXPECT_EQ(decoded->keys, cursor.keys);
  EXPECT_EQ(decoded->rid, 42);
}

TEST(PageTokenTest, DamagedTokensFailCleanlyOrDecodeToAWellFormedCursor) {
  core::SeededRandom random(99);
  std::string valid = EncodeCursor({false, 1, {std::string("x"), 2.0}, 3});
  int rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string token = valid;
    auto r = random.NextU64();
    if (r % 3 == 0) {
      token.resize(r % token.size());
    } else {
      token[r % token.size()] = "AZaz09-_!"[(r >> 8) % 9];
      if (r % 3 == 2) token.insert((r >> 16) % token.size(), 1, "Qq="[(r >> 24) % 3]);
    }
    auto decoded = DecodeCursor(token);
    if (!decoded.has_value()) {
      EXPECT_EQ(decoded.error().code(), "store.bad-page-token");
      ++rejected;
      continue;
    }
    auto again = DecodeCursor(EncodeCursor(*decoded));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->keys, decoded->keys);
    EXPECT_EQ(again->rid, decoded->rid);
  }
  EXPECT_GT(rejected, 1000);
}

TEST(PageTokenTest, FingerprintsTellQueriesApart) {
  auto a = store::test::Search(
      "Patient", {store::test::Param("Patient", "family", {store::test::Str("smith")})});
  auto b = store::test::Search(
      "Patient", {store::test::Param("Patient", "family", {store::test::Str("smyth")})});
  auto c = a;
  c.sort = {store::test::SortBy("Patient", "birthdate")};
  auto d = a;
  d.page_token = "anything";  // the page is not part of the query's identity
  EXPECT_NE(QueryFingerprint(a), QueryFingerprint(b));
  EXPECT_NE(QueryFingerprint(a), QueryFingerprint(c));
  EXPECT_EQ(QueryFingerprint(a), QueryFingerprint(d));
}

}  // namespace
}  // namespace chartroom::store::common
