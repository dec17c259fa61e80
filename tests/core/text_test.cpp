#include "core/text.hpp"

#include <gtest/gtest.h>

namespace chartroom::core {
namespace {

TEST(TextTest, Utf8ValidationFollowsTheStandard) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("M\xC3\xBCller"));      // ü
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));   // U+1F600
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // a lone continuation byte
}

TEST(TextTest, PercentDecodeReadsFormEncodingAndRefusesBadEscapesAndBytes) {
  EXPECT_EQ(PercentDecode("a+b%20c%C3%BC").value(), "a b c\xC3\xBC");
  EXPECT_EQ(PercentDecode("100%25").value(), "100%");
  EXPECT_EQ(PercentDecode("%4").error().code(), "core.bad-escape");  // truncated
  EXPECT_EQ(PercentDecode("%zz").error().code(), "core.bad-escape");
  EXPECT_EQ(PercentDecode("%C3").error().code(), "core.bad-utf8");
}

}  // namespace
}  // namespace chartroom::core
