// Word search over the shipped code sets: exact words, prefixes as typed, typos, codes, and the
// filters.

#include "coding/search.hpp"

#include <gtest/gtest.h>

#include "coding/load.hpp"

namespace chartroom::coding {
namespace {

const Catalog& Shipped() {
  static const std::shared_ptr<const Catalog> catalog = [] {
    auto loaded = LoadCatalog({std::filesystem::path(CHARTROOM_SOURCE_DIR) / "data/codes"});
    EXPECT_TRUE(loaded);
    return loaded ? *loaded : std::make_shared<const Catalog>();
  }();
  return *catalog;
}

std::vector<std::string> Codes(std::string text, std::optional<System> system = System::kIcd10Cm,
                               std::size_t limit = 10) {
  std::vector<std::string> out;
  for (const SearchHit& h : Shipped().search()->Search({std::move(text), system, false, limit})) {
    out.push_back(h.concept_->code);
  }
  return out;
}

bool Within(const std::vector<std::string>& codes, std::string_view code, std::size_t n) {
  for (std::size_t i = 0; i < codes.size() && i < n; ++i) {
    if (codes[i] == code) return true;
  }
  return false;
}

TEST(SearchTest, FindsCodesByTheirWordsPrefixesAndTypos) {
  ASSERT_NE(Shipped().search(), nullptr);
  EXPECT_TRUE(Within(Codes("type 2 diabetes mellitus without complications"), "E119", 1));
  EXPECT_TRUE(Within(Codes("type 2 diab without compl"), "E119", 3));       // prefixes
  EXPECT_TRUE(Within(Codes("pnuemonia unspecified organism"), "J189", 3));  // a typo
  EXPECT_TRUE(Within(Codes("essential hypertension"), "I10", 1));
  EXPECT_TRUE(Within(Codes("hypertension"), "I10", 5));
  EXPECT_TRUE(Codes("zzqx").empty());
  // Through the neoplasm table: its terms and column headings.
  EXPECT_TRUE(Within(Codes("neoplasm lung malignant primary", System::kIcd10Cm, 10), "C349", 10));
}

TEST(SearchTest, ACodeFindsItselfAndWhatIsBeneathIt) {
  const auto codes = Codes("E11.9");
  ASSERT_FALSE(codes.empty());
  EXPECT_EQ(codes[0], "E119");
  const auto category = Codes("e11", System::kIcd10Cm, 30);
  EXPECT_EQ(category[0], "E11");
  EXPECT_TRUE(Within(category, "E119", 30));
}

TEST(SearchTest, FiltersBySystemAndBillable) {
  const auto hits = Shipped().search()->Search({"wheelchair", System::kHcpcs, false, 10});
  ASSERT_FALSE(hits.empty());
  for (const SearchHit& h : hits) EXPECT_EQ(h.system, System::kHcpcs);
  for (const SearchHit& h : Shipped().search()->Search({"diabetes", System::kIcd10Cm, true, 50})) {
    EXPECT_TRUE(h.concept_->billable) << h.concept_->code;
  }
}

}  // namespace
}  // namespace chartroom::coding
