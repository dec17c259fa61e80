// Text helpers: ASCII folding, base64 and the registration-error edits of duplicates.

#include "synth/text.hpp"

#include <gtest/gtest.h>

#include "synth/rng.hpp"
#include "synth/tables.hpp"

namespace chartroom::synth {
namespace {

bool ValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n;
  }
  return true;
}

TEST(TextTest, FoldAsciiStripsTheAccentsOfTheNameTables) {
  EXPECT_EQ(FoldAscii("José"), "Jose");
  EXPECT_EQ(FoldAscii("Nguyễn"), "Nguyen");
  EXPECT_EQ(FoldAscii("Zoë Søren Núñez"), "Zoe Soren Nunez");
  EXPECT_EQ(FoldAscii("O'Brien"), "O'Brien");
  for (const auto& table : {FemaleGivenNames(), MaleGivenNames(), Surnames()}) {
    for (const WeightedName& n : table) {
      EXPECT_TRUE(IsAscii(FoldAscii(n.name))) << n.name;
    }
  }
}

TEST(TextTest, Base64MatchesRfc4648TestVectors) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
}

TEST(TextTest, TyposChangeOneLetterAndKeepUtf8Valid) {
  Rng rng(5);
  for (const char* name : {"Nguyễn", "Müller", "Robert", "van der Berg", "O'Brien", "José"}) {
    for (TypoKind kind : {TypoKind::kTransposition, TypoKind::kSubstitution, TypoKind::kOmission,
                          TypoKind::kDoubling}) {
      const std::string typo = Typo(name, kind, rng);
      EXPECT_TRUE(ValidUtf8(typo)) << name;
      EXPECT_NE(typo, name) << name;
      EXPECT_EQ(typo[0], name[0]) << "the first letter is kept";
      const std::size_t a = std::string_view(name).size();
      EXPECT_LE(typo.size(), a + 1);
      EXPECT_GE(typo.size() + 1, a);
    }
  }
}

}  // namespace
}  // namespace chartroom::synth
