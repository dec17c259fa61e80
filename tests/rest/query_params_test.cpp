// Query-string splitting and percent-decoding (https://url.spec.whatwg.org/#urlencoded-parsing).

#include "rest/query_params.hpp"

#include <gtest/gtest.h>

#include "core/text.hpp"

namespace chartroom::rest {
namespace {

TEST(QueryParamsTest, SplitsAndDecodesPairs) {
  auto params = ParseQueryParams("a=1&b=x%20y+z&&c&d=%C3%A9");
  ASSERT_TRUE(params.has_value());
  ASSERT_EQ(params->size(), 4u);
  EXPECT_EQ((*params)[1].name, "b");
  EXPECT_EQ((*params)[1].value, "x y z");
  EXPECT_EQ((*params)[2].name, "c");
  EXPECT_EQ((*params)[2].value, "");
  EXPECT_EQ((*params)[3].value, "\xC3\xA9");
}

TEST(QueryParamsTest, MalformedEscapesAndInvalidUtf8AreRefused) {
  for (std::string_view bad : {"a=%", "a=%4", "a=%zz", "a=%FF", "a=%C0%AF", "a=%ED%A0%80"}) {
    auto params = ParseQueryParams(bad);
    ASSERT_FALSE(params.has_value()) << bad;
    EXPECT_EQ(params.error().code(), "rest.bad-encoding");
  }
}

TEST(QueryParamsTest, EncodingRoundTrips) {
  const std::string text = "a b/c?d=e&f\xC3\xA9~._-";
  EXPECT_EQ(core::PercentEncode("a b&c"), "a%20b%26c");
  EXPECT_EQ(core::PercentDecode(core::PercentEncode(text)).value(), text);
}

}  // namespace
}  // namespace chartroom::rest
