// Parser tests: precedence, literals, escapes, comments and the syntax errors of
// https://hl7.org/fhirpath/N1/grammar.html.

#include "fhir/fhirpath/parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chartroom::fhir::fhirpath {
namespace {

std::unique_ptr<Node> MustParse(std::string_view text) {
  auto parsed = Parse(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << (parsed ? "" : parsed.error().message());
  return parsed ? std::move(*parsed) : nullptr;
}

std::string SyntaxCode(std::string_view text) {
  auto parsed = Parse(text);
  return parsed ? "ok" : parsed.error().code();
}

TEST(ParserTest, MultiplicationBindsTighterThanAddition) {
  auto root = MustParse("1 + 2 * 3");
  ASSERT_EQ(root->kind, NodeKind::kBinary);
  EXPECT_EQ(root->op, Op::kPlus);
  EXPECT_EQ(root->children[1]->op, Op::kMultiply);
}

TEST(ParserTest, IsBindsTighterThanUnionAndComparison) {
  auto root = MustParse("1 > 2 is Boolean");
  ASSERT_EQ(root->kind, NodeKind::kBinary);
  EXPECT_EQ(root->op, Op::kGreater);
  EXPECT_EQ(root->children[1]->kind, NodeKind::kIs);
  EXPECT_EQ(root->children[1]->type.name, "Boolean");
  auto union_root = MustParse("1 | 1 is Integer");
  EXPECT_EQ(union_root->op, Op::kUnion);
}

TEST(ParserTest, ImpliesIsLowestAndRightOperandsGroup) {
  auto root = MustParse("a and b or c implies d");
  EXPECT_EQ(root->op, Op::kImplies);
  EXPECT_EQ(root->children[0]->op, Op::kOr);
  EXPECT_EQ(root->children[0]->children[0]->op, Op::kAnd);
}

TEST(ParserTest, SignFoldsIntoNumberLiteralButNotIntoInvocation) {
  auto literal = MustParse("-5");
  ASSERT_EQ(literal->kind, NodeKind::kLiteral);
  EXPECT_EQ(literal->literal.u.integer, -5);
  auto call = MustParse("-1.convertsToInteger()");
  ASSERT_EQ(call->kind, NodeKind::kUnary);
  EXPECT_EQ(call->children[0]->kind, NodeKind::kFunction);
}

TEST(ParserTest, QuantityLiteralsTakeUcumOrCalendarUnits) {
  auto ucum = MustParse("10.5 'mg'");
  ASSERT_EQ(ucum->literal.kind, ItemKind::kQuantity);
  EXPECT_EQ(ucum->quantity->unit, "mg");
  auto calendar = MustParse("4 days");
  ASSERT_EQ(calendar->literal.kind, ItemKind::kQuantity);
  EXPECT_EQ(calendar->quantity->unit, "days");
}

TEST(ParserTest, StringEscapesAndUnicode) {
  auto root = MustParse(R"('a\'b\\c\u0041\n')");
  ASSERT_EQ(root->kind, NodeKind::kLiteral);
  EXPECT_EQ(root->literal.string(), "a'b\\cA\n");
}

TEST(ParserTest, DelimitedIdentifiersAndTermLevelNames) {
  auto root = MustParse("`Patient`.name.`given`");
  ASSERT_EQ(root->kind, NodeKind::kMember);
  EXPECT_EQ(root->name, "given");
  const Node* first = root->children[0]->children[0].get();
  EXPECT_EQ(first->name, "Patient");
  EXPECT_TRUE(first->implicit_input);
}

TEST(ParserTest, DateTimeAndTimeLiterals) {
  EXPECT_EQ(MustParse("@2015-02-04")->literal.kind, ItemKind::kDate);
  EXPECT_EQ(MustParse("@2015-02-04T14:34:28.123+10:00")->literal.kind, ItemKind::kDateTime);
  EXPECT_EQ(MustParse("@2015T")->literal.kind, ItemKind::kDateTime);
  EXPECT_EQ(MustParse("@T14:34")->literal.kind, ItemKind::kTime);
  // A date literal stops before a following invocation.
  auto call = MustParse("@2015-02-04.is(Date)");
  EXPECT_EQ(call->kind, NodeKind::kFunction);
}

TEST(ParserTest, CommentsAreIgnored) {
  auto root = MustParse("2 + /* inline */ 2 // trailing");
  EXPECT_EQ(root->op, Op::kPlus);
}

TEST(ParserTest, MalformedInputFailsWithSyntaxCode) {
  for (std::string_view text : {"", "2 + 2 /", "2 + 2 /* open", "(1", "'unterminated", "1 +* 2",
                                "a.", "a[1", "$foo", "@", "@20", "f(1,)", "1 2", "%", "a.$this"}) {
    EXPECT_EQ(SyntaxCode(text), "fhirpath.syntax") << text;
  }
}

TEST(ParserTest, DeepNestingIsRejectedNotOverflowed) {
  std::string deep(10000, '(');
  deep += "1";
  deep += std::string(10000, ')');
  EXPECT_EQ(SyntaxCode(deep), "fhirpath.syntax");
  std::string minus(10000, '-');
  minus += "1";
  EXPECT_EQ(SyntaxCode(minus), "fhirpath.syntax");
  std::string sum = "1";
  for (int i = 0; i < 2000; ++i) sum += "+1";  // a left-deep chain, found by fuzzing
  EXPECT_EQ(SyntaxCode(sum), "fhirpath.syntax");
  std::string chain = "a";
  for (int i = 0; i < 5000; ++i) chain += ".b";
  EXPECT_EQ(SyntaxCode(chain), "fhirpath.syntax");
}

}  // namespace
}  // namespace chartroom::fhir::fhirpath
