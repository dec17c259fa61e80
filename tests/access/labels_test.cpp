#include "access/labels.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chartroom::access {
namespace {

namespace json = boost::json;

json::object Condition(std::string_view code) {
  return json::parse(R"({"resourceType":"Condition","code":{"coding":[{"system":
      "http://hl7.org/fhir/sid/icd-10-cm","code":")" +
                     std::string(code) + R"("}]}})")
      .as_object();
}

std::vector<std::string> Labels(std::string_view code) {
  return SensitivityOf(Condition(code), DefaultLabelRules());
}

TEST(LabelsTest, IcdCodesMapToTheirSensitivity) {
  using L = std::vector<std::string>;
  EXPECT_EQ(Labels("F10.20"), L{"SUD"});  // alcohol dependence
  EXPECT_EQ(Labels("F19.99"), L{"SUD"});
  EXPECT_EQ(Labels("f1120"), L{"SUD"});  // without the dot, lower case
  EXPECT_EQ(Labels("F09"), L{});
  EXPECT_EQ(Labels("F20.9"), L{"PSY"});
  EXPECT_EQ(Labels("F32.A"), L{"PSY"});
  EXPECT_EQ(Labels("F50.0"), L{});  // eating disorders are outside F20-F48
  EXPECT_EQ(Labels("B20"), L{"HIV"});
  EXPECT_EQ(Labels("Z21"), L{"HIV"});
  EXPECT_EQ(Labels("B97.35"), L{"HIV"});
  EXPECT_EQ(Labels("B97.3"), L{});
  EXPECT_EQ(Labels("A54.00"), L{"STD"});
  EXPECT_EQ(Labels("T74.11XA"), L{"SDV"});
  EXPECT_EQ(Labels("E11.9"), L{});
}

TEST(LabelsTest, CodesAnywhereCountAndOtherSystemsDoNot) {
  const json::object encounter = json::parse(R"({"resourceType":"Encounter",
      "reasonCode":[{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"F11.20"}]}],
      "diagnosis":[{"use":{"coding":[{"system":"http://snomed.info/sct","code":"F20"}]}}],
      "meta":{"tag":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"B20"}]}})")
                                     .as_object();
  EXPECT_EQ(SensitivityOf(encounter, DefaultLabelRules()), std::vector<std::string>{"SUD"});
}

TEST(LabelsTest, ApplyAddsSensitivityAndRestrictsConfidentiality) {
  json::object c = Condition("F10.20");
  c["meta"] = json::parse(R"({"security":[{"system":
      "http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"N"}]})");
  EXPECT_TRUE(ApplyLabels(c, DefaultLabelRules()));
  const json::array& security = c.at("meta").as_object().at("security").as_array();
  ASSERT_EQ(security.size(), 2u) << json::serialize(security);
  EXPECT_EQ(security[0].as_object().at("code"), "SUD");
  EXPECT_EQ(security[1].as_object().at("code"), "R");
  EXPECT_FALSE(ApplyLabels(c, DefaultLabelRules()));  // idempotent

  json::object v = Condition("B20");
  v["meta"] = json::parse(R"({"security":[{"system":
      "http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"V"}]})");
  EXPECT_TRUE(ApplyLabels(v, DefaultLabelRules()));
  const json::array& kept = v.at("meta").as_object().at("security").as_array();
  ASSERT_EQ(kept.size(), 2u);  // V stays, HIV added, no R
  EXPECT_EQ(kept[0].as_object().at("code"), "V");
  EXPECT_EQ(kept[1].as_object().at("code"), "HIV");

  json::object plain = Condition("E11.9");
  EXPECT_FALSE(ApplyLabels(plain, DefaultLabelRules()));
  EXPECT_FALSE(plain.contains("meta"));
}

}  // namespace
}  // namespace chartroom::access
