// The authorization checklist (45 CFR 164.508(c), 42 CFR 2.31(a)): each element found missing
// on its own, expiry and revocation by date.

#include "roi/authorization.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chartroom::roi {
namespace {

Authorization Complete() {
  Authorization a;
  a.information = "Discharge summaries and laboratory results, 2024";
  a.discloser = "Chartroom General Hospital";
  a.recipient = "Smith & Jones LLP";
  a.purpose = "Personal injury claim";
  a.expires = "2027-06-30";
  a.signed_by = "Ann Example";
  a.signed_on = "2026-11-01";
  a.statement_revocation = true;
  a.statement_conditioning = true;
  a.statement_redisclosure = true;
  return a;
}

std::vector<std::string> Unmet(const Checklist& c) {
  std::vector<std::string> out;
  for (const ChecklistItem& i : c.items) {
    if (!i.met) out.push_back(i.element);
  }
  return out;
}

TEST(AuthorizationTest, ACompleteHipaaAuthorizationIsValidUntilItExpires) {
  const Authorization a = Complete();
  const Checklist c = Check(a, "2026-11-20");
  EXPECT_TRUE(c.valid()) << boost::json::serialize(c.ToJson());
  EXPECT_EQ(c.items.size(), 9u);  // six core elements, three statements
  EXPECT_FALSE(Check(a, "2027-07-01").valid());
  EXPECT_TRUE(Check(a, "2027-07-01").expired);
  // Signed after the day it is used: not yet an authorization.
  EXPECT_EQ(Unmet(Check(a, "2026-10-31")), std::vector<std::string>{"signature"});
  Authorization revoked = a;
  revoked.revoked_on = "2026-11-10";
  EXPECT_TRUE(Check(revoked, "2026-11-09").valid());
  EXPECT_TRUE(Check(revoked, "2026-11-10").revoked);
  EXPECT_FALSE(Check(revoked, "2026-11-10").valid());
}

TEST(AuthorizationTest, EachMissingElementIsNamedWithItsCitation) {
  struct Case {
    void (*strip)(Authorization&);
    const char* element;
  };
  const Case cases[] = {
      {[](Authorization& a) { a.information = " "; }, "description"},
      {[](Authorization& a) { a.discloser.clear(); }, "discloser"},
      {[](Authorization& a) { a.recipient.clear(); }, "recipient"},
      {[](Authorization& a) { a.purpose.clear(); }, "purpose"},
      {[](Authorization& a) { a.expires.clear(); }, "expiration"},
      {[](Authorization& a) { a.signed_by.clear(); }, "signature"},
      {[](Authorization& a) { a.statement_revocation = false; }, "revocation"},
      {[](Authorization& a) { a.statement_conditioning = false; }, "conditioning"},
      {[](Authorization& a) { a.statement_redisclosure = false; }, "redisclosure"},
  };
  for (const Case& c : cases) {
    Authorization a = Complete();
    c.strip(a);
    const Checklist checked = Check(a, "2026-11-20");
    EXPECT_EQ(Unmet(checked), std::vector<std::string>{c.element});
    EXPECT_FALSE(checked.valid());
    for (const ChecklistItem& i : checked.items) {
      EXPECT_TRUE(i.citation.starts_with("45 CFR 164.508(c)")) << i.citation;
    }
  }
  // An expiration event serves as well as a date.
  Authorization event = Complete();
  event.expires.clear();
  event.expiration_event = "End of the litigation";
  EXPECT_TRUE(Check(event, "2030-01-01").valid());
}

TEST(AuthorizationTest, APart2ConsentDescribesTheSubstanceUseInformation) {
  Authorization a = Complete();
  a.kind = AuthorizationKind::kPart2;
  a.statement_conditioning = false;  // not a Part 2 element
  a.statement_redisclosure = false;
  a.sud_information = "Diagnosis and treatment dates";
  EXPECT_EQ(Unmet(Check(a, "2026-11-20")), std::vector<std::string>{"sud-description"});
  a.sud_information = "Opioid use disorder diagnosis, treatment dates and medications";
  EXPECT_TRUE(Check(a, "2026-11-20").valid());
  for (const ChecklistItem& i : Check(a, "2026-11-20").items) {
    EXPECT_TRUE(i.citation.starts_with("42 CFR 2.31(a)")) << i.citation;
  }
}

TEST(AuthorizationTest, ReadsItsJsonStrictlyAndWritesItBack) {
  const Authorization a = Complete();
  auto back = Authorization::FromJson(a.ToJson());
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(boost::json::serialize(back->ToJson()), boost::json::serialize(a.ToJson()));
  boost::json::object bad = a.ToJson();
  bad["expires"] = "30/06/2027";
  EXPECT_EQ(Authorization::FromJson(bad).error().code(), "roi.bad-authorization");
  bad = a.ToJson();
  bad["kind"] = "verbal";
  EXPECT_FALSE(Authorization::FromJson(bad).has_value());
  bad = a.ToJson();
  bad["recipient"] = 7;
  EXPECT_NE(Authorization::FromJson(bad).error().message().find("authorization.recipient"),
            std::string::npos);
}

}  // namespace
}  // namespace chartroom::roi
