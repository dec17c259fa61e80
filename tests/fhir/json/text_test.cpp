#include "fhir/json/text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <vector>

namespace chartroom::fhir::json {
namespace {

TEST(JsonTextTest, MinifyKeepsNumbersAndStringsByteForByte) {
  EXPECT_EQ(Minify(R"( { "value" : 1.50 , "e": 1E+2, "s" : "a  \" }  b" , "a": [ 1 , 2 ] } )"),
            R"({"value":1.50,"e":1E+2,"s":"a  \" }  b","a":[1,2]})");
  EXPECT_EQ(Minify("\"\\\\\" "), "\"\\\\\"");  // an escaped backslash ends the string
}

TEST(JsonTextTest, SetMembersReplacesInPlaceAndInsertsAfterResourceType) {
  const std::string text =
      R"({"resourceType":"Observation","status":"final","valueQuantity":{"value":1.50}})";
  const std::vector<MemberText> members = {{"id", R"("o1")"}, {"meta", R"({"versionId":"1"})"}};
  EXPECT_EQ(SetMembers(text, members),
            R"({"resourceType":"Observation","id":"o1","meta":{"versionId":"1"},)"
            R"("status":"final","valueQuantity":{"value":1.50}})");

  const std::string with_id =
      R"({"resourceType":"Patient", "id" : "old", "meta":{"tag":[{"code":"x"}]},"x":"}"})";
  const std::vector<MemberText> replace = {{"meta", R"({"versionId":"2"})"}, {"id", R"("new")"}};
  EXPECT_EQ(SetMembers(with_id, replace),
            R"({"resourceType":"Patient", "id" : "new", "meta":{"versionId":"2"},"x":"}"})");
}

TEST(JsonTextTest, SetMembersHandlesEmptyAndUnusualObjects) {
  const std::vector<MemberText> id = {{"id", R"("p")"}};
  EXPECT_EQ(SetMembers("{}", id), R"({"id":"p"})");
  EXPECT_EQ(SetMembers(R"({"a":1})", id), R"({"id":"p","a":1})");
  EXPECT_EQ(SetMembers(R"({"resourceType":"Patient"})", id),
            R"({"resourceType":"Patient","id":"p"})");
  EXPECT_EQ(SetMembers("[1]", id), "[1]");  // not an object: unchanged
}

TEST(JsonTextTest, SetMembersMatchesKeysWrittenWithEscapes) {
  const std::vector<MemberText> id = {{"id", R"("new")"}};
  EXPECT_EQ(SetMembers(R"({"resourceType":"Patient","\u0069d":"old"})", id),
            R"({"resourceType":"Patient","\u0069d":"new"})");
  EXPECT_EQ(SetMembers(R"({"resourceType":"Patient","i\"d":"x"})", id),
            R"({"resourceType":"Patient","id":"new","i\"d":"x"})");
}

TEST(JsonTextTest, SetMembersOutputParsesAndKeepsEveryOtherValue) {
  const std::string text = R"({"resourceType":"Patient","name":[{"given":["A","B"]}],)"
                           R"("extension":[{"url":"u","valueDecimal":0.10}],"id":"x"})";
  const std::vector<MemberText> members = {{"id", R"("y")"}, {"meta", R"({"versionId":"3"})"}};
  const std::string out = SetMembers(text, members);
  boost::json::value parsed = boost::json::parse(out);
  EXPECT_EQ(parsed.at("id").as_string(), "y");
  EXPECT_EQ(parsed.at("meta").at("versionId").as_string(), "3");
  EXPECT_EQ(parsed.at("name").at(0).at("given").at(1).as_string(), "B");
  EXPECT_NE(out.find("\"valueDecimal\":0.10"), std::string::npos);
}

}  // namespace
}  // namespace chartroom::fhir::json
