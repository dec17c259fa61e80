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

TEST(IndexRowsTest, CutTextStopsAtACharacterBoundary) {
  std::string text(kMaxIndexedText - 1, 'a');
  text += "\xC3\xA9xyz";  // é straddles the limit
  EXPECT_EQ(CutText(text).size(), kMaxIndexedText - 1);
  EXPECT_EQ(CutText("short"), "short");
}

}  // namespace
}  // namespace chartroom::store::common
