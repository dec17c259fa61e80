// The gate's reading of FHIR Consent and meta.security, and its decisions on resources as
// stored: hidden, masked or passed, and writes decided without labels or consent.

#include "access/gate.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chartroom::access {
namespace {

boost::json::object Parse(std::string_view text) { return boost::json::parse(text).as_object(); }

TEST(ConsentRulesTest, DenyProvisionsAndPart2PermitsAreRead) {
  const auto rules = ConsentRules(Parse(R"({"resourceType":"Consent","status":"active",
      "provision":{"type":"permit","provision":[
        {"type":"deny","purpose":[{"code":"HOPERAT"}],
         "actor":[{"reference":{"identifier":{"value":"tech"}}},
                  {"reference":{"reference":"Practitioner/dr-x"}}]},
        {"type":"permit","securityLabel":[{"code":"SUD"}],"actor":[{"reference":{"identifier":{"value":"doc"}}}]},
        {"type":"permit","purpose":[{"code":"TREAT"}]}]}})"));
  ASSERT_EQ(rules.size(), 2u);  // the plain permit adds nothing
  EXPECT_FALSE(rules[0].permit);
  EXPECT_EQ(rules[0].purposes, std::vector<std::string>{"HOPERAT"});
  EXPECT_EQ(rules[0].actors, (std::vector<std::string>{"tech", "dr-x"}));
  EXPECT_TRUE(rules[1].permit);
  EXPECT_EQ(rules[1].labels, std::vector<std::string>{"SUD"});
  EXPECT_TRUE(ConsentRules(Parse(R"({"resourceType":"Consent","status":"inactive",
      "provision":{"type":"deny"}})"))
                  .empty());
}

TEST(SecurityLabelsTest, CodesOfMetaSecurity) {
  EXPECT_EQ(SecurityLabels(Parse(R"({"meta":{"security":[{"code":"R"},{"code":"SUD"},{}]}})")),
            (std::vector<std::string>{"R", "SUD"}));
  EXPECT_TRUE(SecurityLabels(Parse(R"({"resourceType":"Patient"})")).empty());
}

class GateTest : public ::testing::Test {
 protected:
  core::FixedClock clock_{core::Timestamp(std::chrono::seconds(1767225600))};
  int consent_lookups_ = 0;
  Gate gate_{[](const boost::json::value& r) -> Result<std::optional<std::string>> {
               const auto& o = r.as_object();
               if (o.at("resourceType").as_string() == "Patient") {
                 return std::optional<std::string>(std::string(o.at("id").as_string()));
               }
               return std::optional<std::string>("p1");
             },
             [this](std::string_view patient) -> Result<std::vector<boost::json::object>> {
               ++consent_lookups_;
               if (patient != "p1") return std::vector<boost::json::object>{};
               return std::vector<boost::json::object>{Parse(
                   R"({"resourceType":"Consent","status":"active","provision":{"type":"deny",
                       "purpose":[{"code":"HRESCH"}]}})")};
             },
             clock_};
};

TEST_F(GateTest, ShowsHidesAndMasksAndCachesConsent) {
  const Subject doc{"doc", {Role::kClinician}, "TREAT", "", {}, {}};
  Gate::View view(gate_, doc);
  const std::string patient = R"({"resourceType":"Patient","id":"p2","name":[{"family":"X"}]})";
  auto shown = view.Show(Operation::kRead, patient);
  ASSERT_TRUE(shown.has_value());
  ASSERT_TRUE(shown->has_value());
  EXPECT_EQ(**shown, patient);  // passed through unchanged
  const std::string sud =
      R"({"resourceType":"Condition","id":"c1","meta":{"security":[{"code":"SUD"}]}})";
  EXPECT_FALSE(view.Show(Operation::kRead, sud)->has_value());
  EXPECT_EQ(view.patients(), (std::set<std::string>{"p2"}));

  const Subject analyst{"ann", {Role::kDataAnalyst}, "HOPERAT", "", {}, {}};
  Gate::View masked(gate_, analyst);
  auto m = masked.Show(Operation::kRead, patient);
  ASSERT_TRUE(m->has_value());
  EXPECT_EQ((*m)->find("\"X\""), std::string::npos);
  // p1's consent refuses research: hidden for HRESCH, looked up once within the cache's life.
  const Subject researcher{"ann", {Role::kDataAnalyst}, "HRESCH", "", {}, {}};
  Gate::View research(gate_, researcher);
  const std::string obs = R"({"resourceType":"Observation","id":"o1"})";
  EXPECT_FALSE(research.Show(Operation::kRead, obs)->has_value());
  EXPECT_FALSE(research.Show(Operation::kRead, obs)->has_value());
  EXPECT_EQ(consent_lookups_, 2);  // p2 once, p1 once
  gate_.ConsentChanged("p1");
  EXPECT_FALSE(research.Show(Operation::kRead, obs)->has_value());
  EXPECT_EQ(consent_lookups_, 3);
}

TEST_F(GateTest, WritesAreDecidedWithoutLabelsOrConsent) {
  const Subject doc{"doc", {Role::kClinician}, "TREAT", "", {}, {}};
  Gate::View view(gate_, doc);
  EXPECT_TRUE(view.CheckWrite(Operation::kCreate,
                              boost::json::parse(R"({"resourceType":"Condition","id":"c1",
                                  "meta":{"security":[{"code":"SUD"}]}})")));
  const Subject analyst{"ann", {Role::kDataAnalyst}, "HOPERAT", "", {}, {}};
  Gate::View other(gate_, analyst);
  auto refused =
      other.CheckWrite(Operation::kCreate, boost::json::parse(R"({"resourceType":"Observation"})"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), "access.denied");
  EXPECT_TRUE(view.MayUse(Operation::kSearch, "Observation"));
  EXPECT_FALSE(view.MayUse(Operation::kSearch, "AuditEvent"));
}

}  // namespace
}  // namespace chartroom::access
