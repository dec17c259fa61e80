#include "rest/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace chartroom::rest {
namespace {

TEST(JsonTextTest, EscapesWhatJsonRequiresAndKeepsUtf8) {
  const std::string input = "q\"b\\s\n\t\x01\x1f \xC3\xA9";
  std::string out;
  AppendJsonString(out, input);
  EXPECT_EQ(out, "\"q\\\"b\\\\s\\n\\t\\u0001\\u001f \xC3\xA9\"");
  EXPECT_EQ(boost::json::parse(out).as_string(), input);
}

}  // namespace
}  // namespace chartroom::rest
