#include "store/common/index_rows.hpp"

#include <gtest/gtest.h>

#include "fhir/model/model.hpp"

namespace chartroom::store::common {
namespace {

namespace fs = fhir::search;

TEST(IndexRowsTest, EncodeThenDecodeKeepsEveryRowOnce) {
  IndexRows rows;
  rows.Add(7, fs::TokenValue{"http://loinc.org", "8480-6", "Systolic", ""});
  rows.Add(7, fs::TokenValue{"http://loinc.org", "8480-6", "Systolic", ""});  // duplicate
  rows.Add(9, fs::StringValue{"smith", "Smith"});
  rows.Add(11, fs::DateRange{-5, 17});
  rows.Add(12, fs::QuantityValue{120, 119.5, 120.5, "http://unitsofmeasure.org", "mm[Hg]", "",
                                 15998.7, "g.m-1.s-2"});
  rows.Finish();
  // token + text, string, date, quantity.
  EXPECT_EQ(rows.rows().size(), 2u + 1 + 1 + 1);
  EXPECT_EQ(rows.PresentParams(), ",7,9,11,12,");
  auto decoded = IndexRows::Decode(rows.Encode());
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->rows(), rows.rows());
}

TEST(IndexRowsTest, DecodeRejectsATruncatedBlob) {
  IndexRows rows;
  rows.Add(3, fs::UriValue{"http://example.org/fhir/ValueSet/x"});
  rows.Finish();
  std::string blob = rows.Encode();
  EXPECT_EQ(IndexRows().PresentParams(), "");
  auto decoded = IndexRows::Decode(std::string_view(blob).substr(0, blob.size() - 1));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), "store.corrupt");
}

// The order key follows each SQLite table's primary key, where rid is not always last:
// idx_token is (param, code, rid, sys), idx_date (param, rid, low, high).
TEST(IndexRowsTest, OrderKeysPutRidWhereThePrimaryKeyHasIt) {
  auto only_row = [](std::int64_t param, const fs::IndexValue& value, IndexTable table) {
    IndexRows rows;
    rows.Add(param, value);
    rows.Finish();
    for (const std::string& row : rows.rows()) {
      if (DecodeRow(row)->table == table) return row;
    }
    return std::string();
  };
  const std::string early = only_row(4, fs::DateRange{900, 1000}, IndexTable::kDate);
  const std::string late = only_row(4, fs::DateRange{100, 200}, IndexTable::kDate);
  EXPECT_LT(OrderKey(early, 1), OrderKey(late, 2));  // rid first
  EXPECT_LT(OrderKey(late, 1), OrderKey(early, 1));  // then low
  const std::string a = only_row(3, fs::TokenValue{"s", "a", "", ""}, IndexTable::kToken);
  const std::string b = only_row(3, fs::TokenValue{"s", "b", "", ""}, IndexTable::kToken);
  const bool a_first = OrderKey(a, 1) < OrderKey(b, 1);
  EXPECT_EQ(OrderKey(a, 9) < OrderKey(b, 1), a_first);  // code before rid
  EXPECT_LT(OrderKey(a, 1), OrderKey(a, 2));
}

TEST(IndexRowsTest, VisitRowHandsOverTheValuesDecodeRowReturns) {
  IndexRows rows;
  rows.Add(9, fs::StringValue{"smith", "Smith"});
  rows.Add(12, fs::QuantityValue{120, 119.5, 120.5, "http://unitsofmeasure.org", "mm[Hg]", "",
                                 15998.7, "g.m-1.s-2"});
  rows.Finish();
  struct Collect final : RowVisitor {
    std::vector<BindValue> values;
    void Int(std::int64_t v) override { values.emplace_back(v); }
    void Real(double v) override { values.emplace_back(v); }
    void Text(std::string_view v) override { values.emplace_back(std::string(v)); }
  };
  for (const std::string& row : rows.rows()) {
    Collect collect;
    auto table = VisitRow(row, collect);
    ASSERT_TRUE(table.has_value());
    auto decoded = DecodeRow(row);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*table, decoded->table);
    EXPECT_EQ(collect.values, decoded->values);
  }
  Collect collect;
  EXPECT_FALSE(VisitRow(std::string(1, '\x7f'), collect).has_value());
}

TEST(IndexRowsTest, CutTextStopsAtACharacterBoundary) {
  std::string text(kMaxIndexedText - 1, 'a');
  text += "\xC3\xA9xyz";  // é straddles the limit
  EXPECT_EQ(CutText(text).size(), kMaxIndexedText - 1);
  EXPECT_EQ(CutText("short"), "short");
}

}  // namespace
}  // namespace chartroom::store::common
