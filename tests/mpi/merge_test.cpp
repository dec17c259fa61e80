#include "mpi/merge.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chartroom::mpi {
namespace {

namespace json = boost::json;

TEST(RewriteReferencesTest, RewritesEveryFormOfTheReferenceAndNothingElse) {
  json::value v = json::parse(R"({
    "subject": {"reference": "Patient/ab"},
    "performer": [{"reference": "https://ehr.example/fhir/Patient/ab"},
                  {"reference": "Patient/ab/_history/3"},
                  {"reference": "Patient/abc"},
                  {"reference": "Practitioner/ab"},
                  {"reference": "Patient/abc/_history/1"}],
    "contained": [{"resourceType": "Provenance", "target": [{"reference": "Patient/ab"}]}],
    "note": [{"text": "Patient/ab"}]
  })");
  EXPECT_EQ(RewriteReferences(v, "Patient/ab", "Patient/zz"), 4);
  EXPECT_EQ(v.at("subject").at("reference").as_string(), "Patient/zz");
  const json::array& p = v.at("performer").as_array();
  EXPECT_EQ(p[0].at("reference").as_string(), "https://ehr.example/fhir/Patient/zz");
  EXPECT_EQ(p[1].at("reference").as_string(), "Patient/zz");  // a version of ab is not one of zz
  EXPECT_EQ(p[2].at("reference").as_string(), "Patient/abc");
  EXPECT_EQ(p[3].at("reference").as_string(), "Practitioner/ab");
  EXPECT_EQ(p[4].at("reference").as_string(), "Patient/abc/_history/1");
  EXPECT_EQ(v.at("contained").at(0).at("target").at(0).at("reference").as_string(), "Patient/zz");
  EXPECT_EQ(v.at("note").at(0).at("text").as_string(), "Patient/ab");  // text, not a reference
}

TEST(MergeRecordTest, RoundTripsThroughJson) {
  MergeRecord r;
  r.id = "b@2026-01-02T03:04:05Z";
  r.source = "b";
  r.target = "a";
  r.status = "merged";
  r.by = "tech";
  r.at = "2026-01-02T03:04:05Z";
  r.changes = {{"Observation", "o1", 1, 2}, {"Patient", "b", 4, 5}};
  r.partly_restored = {"Observation/o1"};
  auto back = MergeRecord::FromJson(r.ToJson());
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(json::value(back->ToJson()), json::value(r.ToJson()));
  EXPECT_FALSE(MergeRecord::FromJson(json::object{{"id", "x"}}));
}

TEST(PairKeyTest, IsTheSameEitherWayRound) {
  EXPECT_EQ(PairKey("b", "a"), "a|b");
  EXPECT_EQ(PairKey("a", "b"), "a|b");
}

}  // namespace
}  // namespace chartroom::mpi
