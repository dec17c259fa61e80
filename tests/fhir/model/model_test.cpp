#include "fhir/model/model.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace chartroom::fhir {
namespace {

TEST(ModelTest, HasEveryR4ResourceType) {
  int concrete = 0;
  for (const TypeInfo& t : AllTypes()) {
    if (t.is_resource() && !t.is_abstract) ++concrete;
  }
  EXPECT_EQ(concrete, 146);  // 148 R4 resource-type codes less the abstract Resource/DomainResource
  ASSERT_NE(FindResourceType("Patient"), nullptr);
  EXPECT_EQ(FindResourceType("DomainResource"), nullptr);
  EXPECT_EQ(FindResourceType("HumanName"), nullptr);
}

TEST(ModelTest, ElementsCarryTypeAndCardinality) {
  const TypeInfo* patient = FindType("Patient");
  ASSERT_NE(patient, nullptr);
  const ElementInfo* name = patient->FindElement("name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->min, 0u);
  EXPECT_EQ(name->max, kUnbounded);
  ASSERT_EQ(name->types().size(), 1u);
  EXPECT_EQ(Type(name->types()[0]).name(), "HumanName");
  // Inherited elements are part of the snapshot.
  EXPECT_NE(patient->FindElement("meta"), nullptr);
  EXPECT_NE(patient->FindElement("contained"), nullptr);
  EXPECT_EQ(patient->FindElement("valueQuantity"), nullptr);
  // A resource id is an `id` (Resource.id), an element id a `string` (Element.id).
  EXPECT_EQ(Type(patient->FindElement("id")->types()[0]).name(), "id");
  EXPECT_EQ(Type(FindType("HumanName")->FindElement("id")->types()[0]).name(), "string");
}

TEST(ModelTest, ChoiceElementsResolveByJsonName) {
  const TypeInfo* obs = FindType("Observation");
  ASSERT_NE(obs, nullptr);
  const JsonProperty* prop = obs->FindProperty("valueQuantity");
  ASSERT_NE(prop, nullptr);
  EXPECT_EQ(Type(prop->type).name(), "Quantity");
  const ElementInfo& value = prop->element();
  EXPECT_TRUE(value.is_choice());
  EXPECT_EQ(value.name(), "value");
  EXPECT_EQ(value.path(), "Observation.value[x]");
  EXPECT_EQ(obs->FindProperty("valueFoo"), nullptr);
  EXPECT_EQ(obs->FindProperty("value"), nullptr);
}

TEST(ModelTest, BackboneAndContentReferenceTypes) {
  const TypeInfo* item = FindType("Questionnaire.item");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->kind, TypeKind::kBackbone);
  const ElementInfo* nested = item->FindElement("item");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(&Type(nested->types()[0]), item);  // contentReference #Questionnaire.item
  EXPECT_TRUE(IsA(*item, *FindType("BackboneElement")));
  EXPECT_TRUE(IsA(*FindType("Patient"), *FindType("Resource")));
  EXPECT_TRUE(IsA(*FindType("Age"), *FindType("Quantity")));
  EXPECT_FALSE(IsA(*FindType("Quantity"), *FindType("Age")));
}

TEST(ModelTest, RequiredBindingsListTheirCodes) {
  const ElementInfo* gender = FindType("Patient")->FindElement("gender");
  ASSERT_NE(gender, nullptr);
  const RequiredBinding* binding = gender->required_binding();
  ASSERT_NE(binding, nullptr);
  EXPECT_TRUE(binding->enumerable);
  std::set<std::string> codes;
  for (const BoundCode& c : Codes(*binding)) codes.insert(std::string(c.code()));
  EXPECT_EQ(codes, (std::set<std::string>{"female", "male", "other", "unknown"}));
  EXPECT_TRUE(BindingHasCode(*binding, "female"));
  EXPECT_FALSE(BindingHasCode(*binding, "f"));
  // Extensible bindings are not required bindings.
  EXPECT_EQ(FindType("Patient")->FindElement("maritalStatus")->required_binding(), nullptr);
}

TEST(ModelTest, PatientCompartmentNamesTheLinkingParameters) {
  std::set<std::string> params;
  for (StrRef p : FindType("Observation")->patient_compartment_params()) {
    params.insert(std::string(Str(p)));
  }
  EXPECT_EQ(params, (std::set<std::string>{"subject", "performer"}));
  EXPECT_TRUE(FindType("Organization")->patient_compartment_params().empty());
  EXPECT_TRUE(FindType("HumanName")->patient_compartment_params().empty());
  for (const TypeInfo& t : AllTypes()) {
    for (StrRef p : t.patient_compartment_params()) {
      EXPECT_NE(FindSearchParam(t.name(), Str(p)), nullptr) << t.name() << "." << Str(p);
    }
  }
}

TEST(ModelTest, PrimitivesCarryTheSpecRegex) {
  const TypeInfo* date = FindType("date");
  ASSERT_NE(date, nullptr);
  EXPECT_TRUE(date->is_primitive());
  EXPECT_NE(date->regex().find("[0-9]"), std::string_view::npos);
}

TEST(ModelTest, SearchParametersCoverResourcesAndCommonParams) {
  EXPECT_EQ(AllSearchParams().size(), 1378u);
  const SearchParamInfo* family = FindSearchParam("Patient", "family");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, SearchParamType::kString);
  EXPECT_EQ(family->expression(), "Patient.name.family | Practitioner.name.family");
  const SearchParamInfo* id = FindSearchParam("Observation", "_id");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->type, SearchParamType::kToken);
  const SearchParamInfo* subject = FindSearchParam("Observation", "subject");
  ASSERT_NE(subject, nullptr);
  EXPECT_EQ(subject->type, SearchParamType::kReference);
  EXPECT_GT(subject->targets().size(), 1u);
  const SearchParamInfo* code_value = FindSearchParam("Observation", "code-value-quantity");
  ASSERT_NE(code_value, nullptr);
  EXPECT_EQ(code_value->type, SearchParamType::kComposite);
  EXPECT_EQ(code_value->components().size(), 4u);
  EXPECT_EQ(FindSearchParam("Patient", "no-such-param"), nullptr);
}

}  // namespace
}  // namespace chartroom::fhir
