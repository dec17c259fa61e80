// Folding, Jaro-Winkler and Double Metaphone on the values their definitions give.

#include "mpi/text.hpp"

#include <gtest/gtest.h>

namespace chartroom::mpi {
namespace {

TEST(TextTest, FoldsToLowerCaseAsciiWordsWhateverTheScript) {
  EXPECT_EQ(Fold("O'Brien-Smith"), "obrien smith");
  EXPECT_EQ(Fold("  de la  Cruz "), "de la cruz");
  EXPECT_EQ(Fold("Müller"), "muller");
  EXPECT_EQ(Fold("Nguyễn"), "nguyen");
  EXPECT_EQ(Fold("Jørgensen"), "jorgensen");
  EXPECT_EQ(Fold("Ибрагимов"), "ibragimov");
  EXPECT_EQ(Fold("Straße"), "strasse");
  EXPECT_EQ(Tokens("García-López"), (std::vector<std::string>{"garcia", "lopez"}));
  EXPECT_EQ(Digits("(555) 010-1234"), "5550101234");
}

TEST(TextTest, JaroWinklerGivesTheTextbookValues) {
  EXPECT_NEAR(JaroWinkler("martha", "marhta"), 0.961, 0.001);
  EXPECT_NEAR(JaroWinkler("dwayne", "duane"), 0.840, 0.001);
  EXPECT_NEAR(JaroWinkler("dixon", "dicksonx"), 0.813, 0.001);
  EXPECT_EQ(JaroWinkler("smith", "smith"), 1.0);
  EXPECT_EQ(JaroWinkler("abc", "xyz"), 0.0);
  EXPECT_EQ(JaroWinkler("", "abc"), 0.0);
}

TEST(TextTest, OneEditOrSwapIsOneTypo) {
  EXPECT_TRUE(OneEditOrSwap("1234", "1244"));
  EXPECT_TRUE(OneEditOrSwap("1234", "1324"));
  EXPECT_FALSE(OneEditOrSwap("1234", "1234"));
  EXPECT_FALSE(OneEditOrSwap("1234", "4321"));
  EXPECT_FALSE(OneEditOrSwap("1234", "12345"));
}

TEST(TextTest, DoubleMetaphoneKeysSoundAlikes) {
  EXPECT_EQ(DoubleMetaphone("smith"), "SM0");
  EXPECT_EQ(DoubleMetaphone("schmidt"), "XMT");
  EXPECT_EQ(DoubleMetaphone("catherine"), DoubleMetaphone("kathryn"));
  EXPECT_EQ(DoubleMetaphone("philips"), DoubleMetaphone("phillips"));
  EXPECT_EQ(DoubleMetaphone("knight"), DoubleMetaphone("night"));
  EXPECT_EQ(DoubleMetaphone("thompson"), DoubleMetaphone("tompson"));
  EXPECT_EQ(DoubleMetaphone("jose"), "HS");
  EXPECT_NE(DoubleMetaphone("smith"), DoubleMetaphone("jones"));
  EXPECT_EQ(DoubleMetaphone(""), "");
}

}  // namespace
}  // namespace chartroom::mpi
