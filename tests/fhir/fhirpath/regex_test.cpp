// The Pike-VM regular expressions behind matches()/matchesFull()/replaceMatches().

#include "fhir/fhirpath/regex.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace chartroom::fhir::fhirpath {
namespace {

Regex Must(std::string_view pattern) {
  auto regex = Regex::Compile(pattern);
  EXPECT_TRUE(regex.has_value()) << pattern;
  return regex ? std::move(*regex) : *Regex::Compile("");
}

TEST(RegexTest, SearchFindsAMatchAnywhere) {
  EXPECT_TRUE(Must("Library").Search("http://x/Library/FHIR|4.0.1"));
  EXPECT_FALSE(Must("library").Search("http://x/Library/FHIR"));
  EXPECT_FALSE(Must("^Library$").Search("http://x/Library/FHIR"));
  EXPECT_TRUE(Must("^[0-9]{4}-[0-9]{2}$").Search("2024-05"));
  EXPECT_FALSE(Must("^[0-9]{4}-[0-9]{2}$").Search("2024-5"));
}

TEST(RegexTest, FullMatchAnchorsBothEnds) {
  EXPECT_TRUE(Must(".*Library.*").FullMatch("a/Library/b"));
  EXPECT_FALSE(Must("Library").FullMatch("a/Library/b"));
  EXPECT_TRUE(Must("-?(0|[1-9][0-9]*)").FullMatch("-120"));
  EXPECT_FALSE(Must("-?(0|[1-9][0-9]*)").FullMatch("012"));
  EXPECT_TRUE(Must("[^\\s]+(\\s[^\\s]+)*").FullMatch("two words"));
  EXPECT_FALSE(Must("[^\\s]+(\\s[^\\s]+)*").FullMatch("two  spaces"));
}

TEST(RegexTest, DotMatchesLineBreaks) { EXPECT_TRUE(Must("A.*B").Search("A\n\tB")); }

TEST(RegexTest, ClassesEscapesAndLazyQuantifiers) {
  EXPECT_TRUE(Must("\\d+\\.\\d+").Search("v1.25"));
  EXPECT_TRUE(Must("[a-c\\-]+$").Search("x-ab-c"));
  EXPECT_TRUE(Must("\\bword\\b").Search("a word here"));
  EXPECT_FALSE(Must("\\bword\\b").Search("swordfish"));
  EXPECT_EQ(Must("a.*?b").ReplaceAll("aXbYb", "_"), "_Yb");
  EXPECT_EQ(Must("a.*b").ReplaceAll("aXbYb", "_"), "_");
}

TEST(RegexTest, ReplaceAllSubstitutesGroups) {
  EXPECT_EQ(Must("[0-9]").ReplaceAll("abc123", "-"), "abc---");
  EXPECT_EQ(Must("(\\w+)@(\\w+)").ReplaceAll("x a@b y", "$2 at $1"), "x b at a y");
  EXPECT_EQ(Must("234").ReplaceAll("123456", ""), "156");
  EXPECT_EQ(Must("x*").ReplaceAll("ab", "-"), "-a-b-");
}

TEST(RegexTest, RejectsMalformedAndUnsupportedPatterns) {
  for (std::string_view p :
       {"(", ")", "[a-", "a**", "*a", "(?=a)", "\\1", "a{2,1}", "\\q", "a{1001}"}) {
    EXPECT_FALSE(Regex::Compile(p).has_value()) << p;
  }
  EXPECT_FALSE(Regex::Compile("((a{100}){100}){100}").has_value());  // program too large
}

TEST(RegexTest, PathologicalPatternsRunInLinearTime) {
  std::string subject(5000, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(Must("(a|a)*b").Search(subject));
  EXPECT_FALSE(Must("(a*)*b").FullMatch(subject));
  EXPECT_TRUE(Must("(a|aa)+$").Search(subject));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

}  // namespace
}  // namespace chartroom::fhir::fhirpath
