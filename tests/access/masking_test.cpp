#include "access/masking.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chartroom::access {
namespace {

namespace json = boost::json;

json::object Masked(std::string_view text) {
  json::object o = json::parse(text).as_object();
  MaskForMinimumNecessary(o);
  return o;
}

TEST(MaskingTest, APatientKeepsNoDirectIdentifiers) {
  const json::object p = Masked(R"({"resourceType":"Patient","id":"p1",
      "text":{"status":"generated","div":"<div>Ana Müller, MRN 123</div>"},
      "identifier":[{"system":"http://example.org/mrn","value":"MRN-123"}],
      "name":[{"family":"Müller","given":["Ana"]}],"telecom":[{"system":"phone","value":"555"}],
      "gender":"female","birthDate":"1974-12-25",
      "address":[{"line":["1 Main St"],"city":"Springfield","postalCode":"12345"}],
      "contact":[{"name":{"family":"Müller"}}],"photo":[{"contentType":"image/png","data":"AA=="}],
      "generalPractitioner":[{"reference":"Practitioner/d1","display":"Dr. Jane Roe"}],
      "managingOrganization":{"identifier":{"value":"ORG-1"},"display":"Springfield General"}})");
  for (const char* gone :
       {"text", "identifier", "name", "telecom", "address", "contact", "photo"}) {
    EXPECT_FALSE(p.contains(gone)) << gone;
  }
  EXPECT_EQ(p.at("birthDate"), "1974");
  EXPECT_EQ(p.at("gender"), "female");
  EXPECT_EQ(p.at("id"), "p1");
  const json::object& gp = p.at("generalPractitioner").as_array()[0].as_object();
  EXPECT_EQ(gp.at("reference"), "Practitioner/d1");
  EXPECT_FALSE(gp.contains("display"));
  EXPECT_FALSE(p.at("managingOrganization").as_object().contains("display"));
  const json::array& tags = p.at("meta").as_object().at("tag").as_array();
  ASSERT_EQ(tags.size(), 1u);
  EXPECT_EQ(tags[0].as_object().at("code"), "SUBSETTED");
}

TEST(MaskingTest, ClinicalContentStaysAndFreeTextGoes) {
  const json::object o = Masked(R"({"resourceType":"Observation","status":"final",
      "meta":{"tag":[{"code":"x"}]},
      "code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic"}],
              "text":"Systolic blood pressure"},
      "subject":{"reference":"Patient/p1","display":"Ana Müller"},
      "effectiveDateTime":"2024-01-15T10:00:00Z","valueQuantity":{"value":120,"unit":"mmHg"},
      "note":[{"text":"Patient Ana says ..."}],
      "performer":[{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1"},"display":"Dr Roe"}]})");
  EXPECT_EQ(o.at("code").as_object().at("text"), "Systolic blood pressure");
  EXPECT_EQ(o.at("code").as_object().at("coding").as_array()[0].as_object().at("display"),
            "Systolic");
  EXPECT_EQ(o.at("effectiveDateTime"), "2024-01-15T10:00:00Z");
  EXPECT_FALSE(o.contains("note"));
  EXPECT_FALSE(o.at("subject").as_object().contains("display"));
  EXPECT_TRUE(o.at("performer").as_array()[0].as_object().empty());
  EXPECT_EQ(o.at("meta").as_object().at("tag").as_array().size(), 2u);  // x and SUBSETTED
}

TEST(MaskingTest, DocumentsLoseTheirContent) {
  const json::object d = Masked(R"({"resourceType":"DocumentReference","status":"current",
      "content":[{"attachment":{"contentType":"text/plain","data":"QW5h","url":"Binary/b1",
                                "title":"Discharge summary"}}],
      "contained":[{"resourceType":"Patient","text":{"div":"<div>x</div>"},"name":[{"family":"X"}]}]})");
  const json::object& attachment =
      d.at("content").as_array()[0].as_object().at("attachment").as_object();
  EXPECT_FALSE(attachment.contains("data"));
  EXPECT_FALSE(attachment.contains("url"));
  EXPECT_EQ(attachment.at("contentType"), "text/plain");
  const json::object& contained = d.at("contained").as_array()[0].as_object();
  EXPECT_FALSE(contained.contains("text"));
  EXPECT_FALSE(contained.contains("name"));
}

}  // namespace
}  // namespace chartroom::access
