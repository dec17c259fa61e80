// Intake bodies, the legal basis each requester and purpose rests on, and which disclosures the
// accounting must show.

#include "roi/request.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chartroom::roi {
namespace {

boost::json::object Body(std::string_view requester, std::string_view purpose) {
  return boost::json::parse(R"({"requester":{"type":")" + std::string(requester) +
                            R"(","name":"Requester"},"patient":"p1",)"
                            R"("identification":{"family":"Example","given":"Ann",)"
                            R"("birth_date":"1970-06-15"},"requested":{"record_types":)"
                            R"(["encounters","results"],"from":"2024-01-01","to":"2024-12-31"},)"
                            R"("purpose":")" +
                            std::string(purpose) + R"(","delivery":"mail"})")
      .as_object();
}

TEST(RequestTest, IntakeReadsEveryFieldAndRefusesWhatIsWrong) {
  auto r = ParseIntake(Body("attorney", "legal"), "2026-11-20");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->requester, Requester::kAttorney);
  EXPECT_EQ(r->received, "2026-11-20");
  EXPECT_FALSE(r->electronic);  // mail
  EXPECT_EQ(r->requested.record_types.size(), 2u);
  EXPECT_EQ(BasisOf(*r), Basis::kAuthorization);

  auto refused = [](boost::json::object body) {
    auto parsed = ParseIntake(body, "2026-11-20");
    return parsed ? std::string() : parsed.error().message();
  };
  boost::json::object b = Body("attorney", "legal");
  b["requester"].as_object()["type"] = "neighbour";
  EXPECT_NE(refused(b).find("requester.type"), std::string::npos);
  b = Body("attorney", "legal");
  b["requested"].as_object()["record_types"] = boost::json::array{"x-rays"};
  EXPECT_NE(refused(b).find("\"x-rays\""), std::string::npos);
  b = Body("attorney", "legal");
  b["requested"].as_object()["from"] = "2025-01-01";
  EXPECT_NE(refused(b).find("from before to"), std::string::npos);
  b = Body("attorney", "legal");
  b["received"] = "2026-12-01";
  EXPECT_NE(refused(b).find("not in the future"), std::string::npos);
  b = Body("attorney", "legal");
  b.erase("identification");
  EXPECT_NE(refused(b).find("identification"), std::string::npos);
  b = Body("attorney", "legal");
  b["authorizations"] = boost::json::array{"signed"};
  EXPECT_NE(refused(b).find("authorizations"), std::string::npos);
}

TEST(RequestTest, TheBasisFollowsFromWhoAsksWhyAndOnWhatDocument) {
  auto basis = [](std::string_view requester, std::string_view purpose,
                  std::string_view document = "") {
    auto r = ParseIntake(Body(requester, purpose), "2026-11-20");
    EXPECT_TRUE(r.has_value());
    r->legal_document = std::string(document);
    return BasisOf(*r);
  };
  EXPECT_EQ(basis("patient", "personal"), Basis::kRightOfAccess);
  EXPECT_EQ(basis("personal-representative", "personal", "Health care proxy 2025-03"),
            Basis::kRightOfAccess);
  EXPECT_EQ(basis("personal-representative", "personal"), Basis::kAuthorization);
  EXPECT_EQ(basis("provider", "treatment"), Basis::kTreatment);
  EXPECT_EQ(basis("provider", "legal"), Basis::kAuthorization);
  EXPECT_EQ(basis("insurer", "payment"), Basis::kPayment);
  EXPECT_EQ(basis("insurer", "insurance"), Basis::kAuthorization);  // underwriting
  EXPECT_EQ(basis("public-health", "public-health"), Basis::kPublicHealth);
  EXPECT_EQ(basis("law-enforcement", "law-enforcement", "Warrant 26-114"), Basis::kLawEnforcement);
  EXPECT_EQ(basis("court-order", "legal", "Order 2026-CV-18"), Basis::kCourtOrder);
  EXPECT_EQ(basis("subpoena", "legal"), Basis::kAuthorization);  // no satisfactory assurance
  EXPECT_EQ(basis("researcher", "research", "IRB waiver 2026-044"), Basis::kResearchWaiver);
  EXPECT_EQ(basis("attorney", "legal"), Basis::kAuthorization);

  // Accounting (164.528(a)(1)): not to the patient, not TPO, not under an authorization.
  EXPECT_FALSE(Accountable(Basis::kRightOfAccess));
  EXPECT_FALSE(Accountable(Basis::kTreatment));
  EXPECT_FALSE(Accountable(Basis::kAuthorization));
  EXPECT_TRUE(Accountable(Basis::kPublicHealth));
  EXPECT_TRUE(Accountable(Basis::kCourtOrder));
  EXPECT_TRUE(Accountable(Basis::kResearchWaiver));
}

TEST(RequestTest, AStoredRequestReadsBackAsItWasWritten) {
  auto r = ParseIntake(Body("subpoena", "legal"), "2026-11-20");
  ASSERT_TRUE(r.has_value());
  r->id = "R-000007";
  r->status = RequestStatus::kFulfilled;
  r->due = "2026-12-20";
  r->release = Release{"2026-11-21T10:00:00Z",
                       {"Patient/p1/_history/1"},
                       4,
                       1700,
                       "third-party",
                       {{"part2", 2}},
                       true,
                       {"DocumentReference/s1"},
                       "",
                       ""};
  r->history.push_back({"2026-11-20T09:00:00Z", "received", "tech", "received"});
  auto back = Request::FromJson(r->ToJson());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(boost::json::serialize(back->ToJson()), boost::json::serialize(r->ToJson()));
}

}  // namespace
}  // namespace chartroom::roi
