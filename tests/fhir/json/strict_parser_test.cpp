#include "fhir/json/strict_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

namespace chartroom::fhir::json {
namespace {

std::string PathOf(const DuplicateKey& dup) {
  std::string out;
  for (const JsonPathStep& step : dup.object_path) {
    out += step.index ? "[" + std::to_string(*step.index) + "]" : "/" + step.key;
  }
  return out + "/" + dup.key;
}

TEST(StrictParserTest, BuildsTheSameDomAsBoostJson) {
  const std::string text = R"({"a":[1,-2,3.5,true,null,"x\u00e9"],"b":{"c":{}},"d":[]})";
  const StrictJson parsed = ParseStrictJson(text);
  ASSERT_FALSE(parsed.syntax_error);
  EXPECT_TRUE(parsed.duplicate_keys.empty());
  EXPECT_EQ(boost::json::serialize(parsed.value),
            R"({"a":[1,-2,3.5E0,true,null,"xé"],"b":{"c":{}},"d":[]})");
}

TEST(StrictParserTest, ReportsEachDuplicateKeyWithThePathToItsObject) {
  const StrictJson parsed =
      ParseStrictJson(R"({"a":1,"b":[{"x":1},{"x":1,"y":2,"x":3}],"a":2,"c":{"d":{"e":1,"e":2}}})");
  ASSERT_FALSE(parsed.syntax_error);
  ASSERT_EQ(parsed.duplicate_keys.size(), 3u);
  EXPECT_EQ(PathOf(parsed.duplicate_keys[0]), "/b[1]/x");
  EXPECT_EQ(PathOf(parsed.duplicate_keys[1]), "/a");
  EXPECT_EQ(PathOf(parsed.duplicate_keys[2]), "/c/d/e");
  // Boost.JSON's rule: the last value wins.
  EXPECT_EQ(parsed.value.at("a").as_int64(), 2);
}

TEST(StrictParserTest, ComparesKeysAfterUnescaping) {
  const StrictJson parsed = ParseStrictJson(R"({"ab":1,"a\u0062":2})");
  ASSERT_EQ(parsed.duplicate_keys.size(), 1u);
  EXPECT_EQ(parsed.duplicate_keys[0].key, "ab");
}

TEST(StrictParserTest, FindsDuplicatesInLargeObjects) {
  std::string text = "{";
  for (int i = 0; i < 200; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  text += "\"k150\":0,\"k7\":0,\"new\":1}";
  const StrictJson parsed = ParseStrictJson(text);
  ASSERT_FALSE(parsed.syntax_error);
  ASSERT_EQ(parsed.duplicate_keys.size(), 2u);
  EXPECT_EQ(parsed.duplicate_keys[0].key, "k150");
  EXPECT_EQ(parsed.duplicate_keys[1].key, "k7");
}

TEST(StrictParserTest, SameKeyInSiblingObjectsIsNoDuplicate) {
  const StrictJson parsed = ParseStrictJson(R"([{"a":1},{"a":2,"b":{"a":3}}])");
  EXPECT_FALSE(parsed.syntax_error);
  EXPECT_TRUE(parsed.duplicate_keys.empty());
}

TEST(StrictParserTest, SyntaxErrorsCarryLineAndColumn) {
  const StrictJson parsed = ParseStrictJson("{\n  \"a\": 1,\n  \"b\": ]\n}");
  ASSERT_TRUE(parsed.syntax_error);
  EXPECT_EQ(parsed.syntax_error->kind, JsonSyntaxError::Kind::kSyntax);
  EXPECT_EQ(parsed.syntax_error->line, 3u);
  EXPECT_EQ(parsed.syntax_error->column, 8u);
  EXPECT_FALSE(parsed.syntax_error->message.empty());
  EXPECT_TRUE(parsed.value.is_null());
}

TEST(StrictParserTest, RejectsWhatRfc8259Rejects) {
  for (const char* text : {"", "   ", "{", R"({"a":1,})", R"([1,2,])", "{} {}", "// c\n{}",
                           R"({"a":'x'})", "{\"a\":\"\xff\"}", R"({"a":01})", "nul"}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(ParseStrictJson(text).syntax_error.has_value());
  }
}

TEST(StrictParserTest, IgnoresAByteOrderMark) {
  const StrictJson parsed = ParseStrictJson("\xEF\xBB\xBF{\"a\":1}");
  EXPECT_FALSE(parsed.syntax_error);
  EXPECT_EQ(parsed.value.at("a").as_int64(), 1);
}

TEST(StrictParserTest, RejectsNestingBeyondTheLimit) {
  const std::string ok = std::string(10, '[') + std::string(10, ']');
  EXPECT_FALSE(ParseStrictJson(ok, {}, {.max_depth = 10}).syntax_error);
  const StrictJson deep =
      ParseStrictJson(std::string(11, '[') + std::string(11, ']'), {}, {.max_depth = 10});
  ASSERT_TRUE(deep.syntax_error);
  EXPECT_EQ(deep.syntax_error->kind, JsonSyntaxError::Kind::kTooDeep);
}

TEST(StrictParserTest, AllocatesTheDomFromTheGivenStorage) {
  boost::json::monotonic_resource storage;
  boost::json::storage_ptr sp(&storage);
  const StrictJson parsed = ParseStrictJson(R"({"a":[1,2]})", sp);
  EXPECT_EQ(parsed.value.storage().get(), sp.get());
}

TEST(StrictParserTest, LineAndColumnCountCodePoints) {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  LineAndColumn("ab\ncd", 4, line, column);
  EXPECT_EQ(line, 2u);
  EXPECT_EQ(column, 2u);
  LineAndColumn("\"é\"x", 4, line, column);  // é is two bytes, one character
  EXPECT_EQ(line, 1u);
  EXPECT_EQ(column, 4u);
}

}  // namespace
}  // namespace chartroom::fhir::json
