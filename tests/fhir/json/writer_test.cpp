#include "fhir/json/writer.hpp"

#include <gtest/gtest.h>

#include <string>

#include <boost/json/parse.hpp>

#include "fhir/json/strict_parser.hpp"

namespace chartroom::fhir::json {
namespace {

StrictJson Parse(std::string_view text) {
  StrictJson parsed = ParseStrictJson(text);
  EXPECT_FALSE(parsed.syntax_error.has_value()) << text;
  return parsed;
}

TEST(JsonWriterTest, NumbersReadBackExactlyAsWritten) {
  for (const char* text : {
           R"({"value":1.50})",
           R"({"value":1e2})",
           R"({"value":100000000000000000001})",
           R"({"value":-0})",
           R"({"value":0.1})",
           R"({"value":3.0})",
           R"({"value":1E-7})",
           R"({"value":0.000})",
           R"({"value":-12.3400,"n":[1,2.50,3e0,18446744073709551616]})",
           R"([1.10,{"a":[2.20,{"b":3.30}]},4.40])",
           R"(123456789012345678901234567890.12)",
       }) {
    const StrictJson parsed = Parse(text);
    EXPECT_EQ(Serialize(parsed.value, parsed.numbers), text);
  }
}

TEST(JsonWriterTest, OnlyNumbersTheirValueCannotReproduceAreRecorded) {
  const StrictJson parsed = Parse(R"({"a":1,"b":1.5,"c":1.50,"d":-7,"e":2e3,"f":0.25})");
  ASSERT_EQ(parsed.numbers.size(), 2u);
  EXPECT_EQ(parsed.numbers[0], (NumberText{2, "1.50"}));
  EXPECT_EQ(parsed.numbers[1], (NumberText{4, "2e3"}));
}

TEST(JsonWriterTest, LongNumbersAreReadAsTheNearestDouble) {
  const StrictJson parsed = Parse("[0.1000000000000000055511151231257827021181583404541015625]");
  EXPECT_EQ(parsed.value.as_array()[0].as_double(), 0.1);
  const StrictJson many = Parse("-3333333333333333333333333333333333333333333333333333333333333");
  EXPECT_EQ(many.value.as_double(),
            -3333333333333333333333333333333333333333333333333333333333333.0);
}

TEST(JsonWriterTest, WithoutRecordedTextNumbersAreShortestRoundTrip) {
  const boost::json::value v = boost::json::parse(R"({"a":1.5,"b":0.1,"c":1e300,"d":-3})");
  EXPECT_EQ(Serialize(v), R"({"a":1.5,"b":0.1,"c":1e+300,"d":-3})");
}

TEST(JsonWriterTest, StringsAreEscapedAsJsonRequires) {
  const std::string text = "{\"s\":\"q\\\" b\\\\ n\\n t\\t c\\u0001 \xC3\xA9 \xF0\x9F\x98\x80 /\"}";
  const StrictJson parsed = Parse(text);
  const std::string written = Serialize(parsed.value, parsed.numbers);
  EXPECT_EQ(written, "{\"s\":\"q\\\" b\\\\ n\\n t\\t c\\u0001 \xC3\xA9 \xF0\x9F\x98\x80 /\"}");
  EXPECT_EQ(boost::json::parse(written), parsed.value);
}

TEST(JsonWriterTest, MembersTheServerSetsLeaveNumbersAsWritten) {
  StrictJson parsed = Parse(R"({"resourceType":"Observation","valueQuantity":{"value":1.50}})");
  auto& object = parsed.value.as_object();
  object["id"] = "o1";
  object["meta"] = boost::json::object{{"versionId", "2"}};
  EXPECT_EQ(Serialize(parsed.value, parsed.numbers),
            R"({"resourceType":"Observation","valueQuantity":{"value":1.50},"id":"o1",)"
            R"("meta":{"versionId":"2"}})");
}

TEST(JsonWriterTest, AfterARemovalTheNumbersThatFollowKeepTheirText) {
  StrictJson parsed = Parse(R"({"a":[1.50,2.50,3,4.0]})");
  auto& array = parsed.value.as_object()["a"].as_array();
  array.erase(array.begin());  // 2.50 is now the first number; "1.50" no longer denotes it
  EXPECT_EQ(Serialize(parsed.value, parsed.numbers), R"({"a":[2.50,3,4.0]})");
}

TEST(JsonWriterTest, AfterAnInsertionTheNumbersThatFollowKeepTheirText) {
  StrictJson parsed = Parse(R"({"a":[1.50,2.50],"b":7.70})");
  auto& array = parsed.value.as_object()["a"].as_array();
  array.insert(array.begin(), 9.5);
  EXPECT_EQ(Serialize(parsed.value, parsed.numbers), R"({"a":[9.5,1.50,2.50],"b":7.70})");
}

TEST(JsonWriterTest, ARecordedTextIsNeverWrittenForAnotherValue) {
  StrictJson parsed = Parse(R"({"a":[1.50,2.50]})");
  auto& array = parsed.value.as_object()["a"].as_array();
  array[0] = 1.25;
  array[1] = 2.75;
  EXPECT_EQ(Serialize(parsed.value, parsed.numbers), R"({"a":[1.25,2.75]})");
  // An unrecorded number equal to a later recorded one does not take its text.
  const StrictJson mixed = Parse(R"([1.5,1.50])");
  EXPECT_EQ(Serialize(mixed.value, mixed.numbers), "[1.5,1.50]");
}

TEST(JsonWriterTest, SkippedMembersKeepTheOrdinalsOfTheRest) {
  const StrictJson parsed = Parse(R"({"a":1.10,"b":2.20,"c":3.30})");
  JsonWriter writer(parsed.numbers);
  std::string out;
  const auto& object = parsed.value.as_object();
  writer.Write(object.at("a"), out);
  writer.Skip(object.at("b"));
  out += ',';
  writer.Write(object.at("c"), out);
  EXPECT_EQ(out, "1.10,3.30");
}

TEST(JsonWriterTest, NumbersWithinAPartAreRenumberedFromIt) {
  const StrictJson parsed =
      Parse(R"({"total":2.0,"entry":[{"resource":{"v":1.10}},{"resource":{"v":[2.20,3]}}]})");
  const boost::json::value& second =
      parsed.value.at("entry").as_array()[1].as_object().at("resource");
  const boost::json::value& first =
      parsed.value.at("entry").as_array()[0].as_object().at("resource");
  const boost::json::value outside = boost::json::parse("{}");
  const boost::json::value* parts[] = {&second, &outside, &first};
  const std::vector<NumberTexts> within = NumbersWithin(parsed.value, parts, parsed.numbers);
  ASSERT_EQ(within.size(), 3u);
  ASSERT_EQ(within[0].size(), 1u);
  EXPECT_EQ(within[0][0], (NumberText{0, "2.20"}));
  EXPECT_EQ(Serialize(second, within[0]), R"({"v":[2.20,3]})");
  EXPECT_TRUE(within[1].empty());
  EXPECT_EQ(Serialize(first, within[2]), R"({"v":1.10})");
}

TEST(JsonWriterTest, NumbersBeyondDoubleRangeAreRefusedOrWrittenAsValidJson) {
  for (const char* text : {"[1e999]", "[-1e999]", "[1e-999]"}) {
    const StrictJson parsed = ParseStrictJson(text);
    if (parsed.syntax_error) continue;  // refused: nothing to write
    const std::string written = Serialize(parsed.value, parsed.numbers);
    EXPECT_FALSE(ParseStrictJson(written).syntax_error) << text << " -> " << written;
  }
}

}  // namespace
}  // namespace chartroom::fhir::json
