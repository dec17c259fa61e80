// Suggestions from note text against the shipped code sets: titles, their heads and inclusion
// terms, abbreviations; negated, family and historical mentions; the supporting spans.

#include "coding/cac.hpp"

#include <gtest/gtest.h>

#include "coding/load.hpp"

namespace chartroom::coding {
namespace {

const Suggester& Shipped() {
  static const auto catalog = [] {
    auto loaded = LoadCatalog({std::filesystem::path(CHARTROOM_SOURCE_DIR) / "data/codes"});
    EXPECT_TRUE(loaded);
    return loaded ? *loaded : std::make_shared<const Catalog>();
  }();
  static const Suggester suggester(*catalog);
  return suggester;
}

const Suggestion* Find(const std::vector<Suggestion>& all, std::string_view code) {
  for (const Suggestion& s : all) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

TEST(CacTest, SuggestsCodesWithTheTextThatSupportsThem) {
  const std::string note =
      "ASSESSMENT:\n1. Streptococcal pharyngitis\n2. Essential hypertension\n"
      "3. Type 2 diabetes mellitus\n4. Pneumonia\nPatient has COPD.";
  const auto all = Shipped().Suggest(note);
  const Suggestion* strep = Find(all, "J020");
  ASSERT_NE(strep, nullptr);
  EXPECT_EQ(note.substr(strep->begin, strep->end - strep->begin), "Streptococcal pharyngitis");
  EXPECT_GT(strep->confidence, 0.8);
  EXPECT_FALSE(strep->history);
  EXPECT_NE(Find(all, "I10"), nullptr);
  EXPECT_NE(Find(all, "E119"), nullptr);  // the header's "without complications" code
  EXPECT_NE(Find(all, "J189"), nullptr);  // "Pneumonia, unspecified organism"
  const Suggestion* copd = Find(all, "J449");
  ASSERT_NE(copd, nullptr);
  EXPECT_EQ(note.substr(copd->begin, copd->end - copd->begin), "COPD");
}

TEST(CacTest, NegatedFamilyAndHistoricalMentions) {
  const auto all = Shipped().Suggest(
      "No evidence of pneumonia. Denies hypertension. Family history of asthma. "
      "History of obesity. Seen for urinary tract infection.");
  const Suggestion* pneumonia = Find(all, "J189");
  ASSERT_NE(pneumonia, nullptr);
  EXPECT_EQ(pneumonia->excluded, "negated");
  EXPECT_EQ(Find(all, "I10")->excluded, "negated");
  const Suggestion* asthma = Find(all, "J45909");
  ASSERT_NE(asthma, nullptr) << "asthma";
  EXPECT_EQ(asthma->excluded, "family");
  const Suggestion* obesity = Find(all, "E669");
  ASSERT_NE(obesity, nullptr);
  EXPECT_TRUE(obesity->history);
  EXPECT_EQ(obesity->excluded, "");
  const Suggestion* uti = Find(all, "N390");
  ASSERT_NE(uti, nullptr);
  EXPECT_FALSE(uti->history);
  EXPECT_EQ(uti->excluded, "");
}

}  // namespace
}  // namespace chartroom::coding
