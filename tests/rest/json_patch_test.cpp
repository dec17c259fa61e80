// JSON Patch, with the examples of RFC 6902 appendix A.

#include "rest/json_patch.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace chartroom::rest {
namespace {

// Applies `patch` to `document`; the result's JSON, or the error code.
std::string Apply(std::string_view document, std::string_view patch) {
  boost::json::value target = boost::json::parse(document);
  Status status = ApplyJsonPatch(target, boost::json::parse(patch));
  if (!status) return status.error().code();
  return boost::json::serialize(target);
}

TEST(JsonPatchTest, TheRfcExamplesGiveTheRfcResults) {
  EXPECT_EQ(Apply(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])"),
            R"({"foo":"bar","baz":"qux"})");  // A.1
  EXPECT_EQ(Apply(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])"),
            R"({"foo":["bar","qux","baz"]})");  // A.2
  EXPECT_EQ(Apply(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])"),
            R"({"foo":"bar"})");  // A.3
  EXPECT_EQ(Apply(R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])"),
            R"({"foo":["bar","baz"]})");  // A.4
  EXPECT_EQ(
      Apply(R"({"baz":"qux","foo":"bar"})", R"([{"op":"replace","path":"/baz","value":"boo"}])"),
      R"({"baz":"boo","foo":"bar"})");  // A.5
  EXPECT_EQ(Apply(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
                  R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])"),
            R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})");  // A.6
  EXPECT_EQ(Apply(R"({"foo":["all","grass","cows","eat"]})",
                  R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])"),
            R"({"foo":["all","cows","eat","grass"]})");  // A.7
  EXPECT_EQ(
      Apply(
          R"({"baz":"qux","foo":["a",2,"c"]})",
          R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])"),
      R"({"baz":"qux","foo":["a",2,"c"]})");  // A.8
  EXPECT_EQ(Apply(R"({"baz":"qux"})", R"([{"op":"test","path":"/baz","value":"bar"}])"),
            "rest.patch-failed");  // A.9
  EXPECT_EQ(
      Apply(R"({"foo":"bar"})", R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])"),
      R"({"foo":"bar","child":{"grandchild":{}}})");  // A.10
  EXPECT_EQ(Apply(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz/bat","value":"qux"}])"),
            "rest.patch-failed");  // A.12
  EXPECT_EQ(Apply(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])"),
            R"({"/":9,"~1":10})");  // A.14
  EXPECT_EQ(Apply(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])"),
            "rest.patch-failed");  // A.15
  EXPECT_EQ(Apply(R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])"),
            R"({"foo":["bar",["abc","def"]]})");  // A.16
}

TEST(JsonPatchTest, CopyAndTestCompareByValue) {
  EXPECT_EQ(Apply(R"({"a":{"b":1}})", R"([{"op":"copy","from":"/a","path":"/c"}])"),
            R"({"a":{"b":1},"c":{"b":1}})");
  EXPECT_EQ(Apply(R"({"n":1})", R"([{"op":"test","path":"/n","value":1.0}])"), R"({"n":1})");
  EXPECT_EQ(Apply(R"({"o":{"x":1,"y":2}})", R"([{"op":"test","path":"/o","value":{"y":2,"x":1}}])"),
            R"({"o":{"x":1,"y":2}})");
}

TEST(JsonPatchTest, MalformedDocumentsAreBadPatchesAndImpossibleOnesFail) {
  EXPECT_EQ(Apply("{}", R"({"op":"add"})"), "rest.bad-patch");
  EXPECT_EQ(Apply("{}", R"([{"op":"frobnicate","path":"/a"}])"), "rest.bad-patch");
  EXPECT_EQ(Apply("{}", R"([{"op":"add","path":"a","value":1}])"), "rest.bad-patch");
  EXPECT_EQ(Apply("{}", R"([{"op":"add","path":"/a"}])"), "rest.bad-patch");
  EXPECT_EQ(Apply("{}", R"([{"op":"add","path":"/~2","value":1}])"), "rest.bad-patch");
  EXPECT_EQ(Apply("{}", R"([{"op":"remove","path":"/missing"}])"), "rest.patch-failed");
  EXPECT_EQ(Apply(R"({"a":[1]})", R"([{"op":"add","path":"/a/5","value":1}])"),
            "rest.patch-failed");
  EXPECT_EQ(Apply(R"({"a":[1]})", R"([{"op":"replace","path":"/a/01","value":1}])"),
            "rest.patch-failed");
  EXPECT_EQ(Apply(R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])"),
            "rest.patch-failed");
}

TEST(JsonPatchTest, RemoveKeepsTheOrderOfTheOtherMembers) {
  EXPECT_EQ(Apply(R"({"a":1,"b":2,"c":3,"d":4})", R"([{"op":"remove","path":"/b"}])"),
            R"({"a":1,"c":3,"d":4})");
}

}  // namespace
}  // namespace chartroom::rest
