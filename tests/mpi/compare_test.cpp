// Field comparisons on hand-made patients: formal names, swapped names, transposed birth dates,
// compound family names, person identifiers, and twins.

#include "mpi/compare.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chartroom::mpi {
namespace {

Person Make(std::string_view json) {
  return PersonFromPatient(boost::json::parse(json).as_object());
}

constexpr std::string_view kRobert = R"({"resourceType":"Patient","id":"a",
  "name":[{"family":"García-López","given":["Robert","James"]}],"gender":"male",
  "birthDate":"1970-03-12","telecom":[{"system":"phone","value":"(312) 555-0142"}],
  "address":[{"line":["12 Elm St"],"city":"Chicago","postalCode":"60601"}],
  "identifier":[{"system":"http://hl7.org/fhir/sid/us-ssn","value":"900-12-3456"}]})";

std::uint8_t Level(const Comparison& c, Field f) { return c[static_cast<std::size_t>(f)]; }

TEST(CompareTest, TheSameRecordAgreesOnEveryField) {
  const std::vector<std::string> ssn{"http://hl7.org/fhir/sid/us-ssn"};
  const Comparison c = Compare(Make(kRobert), Make(kRobert), {ssn});
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    EXPECT_EQ(c[f], LevelCount(static_cast<Field>(f)) - 1) << FieldName(static_cast<Field>(f));
  }
}

TEST(CompareTest, RegistrationErrorsStillAgreeInPart) {
  const std::vector<std::string> ssn{"http://hl7.org/fhir/sid/us-ssn"};
  const Person a = Make(kRobert);
  const Person b = Make(R"({"resourceType":"Patient","id":"b",
    "name":[{"family":"Garcia","given":["Bob"]}],"birthDate":"1970-12-03",
    "identifier":[{"system":"http://hl7.org/fhir/sid/us-ssn","value":"900-12-3465"}]})");
  const Comparison c = Compare(a, b, {ssn});
  EXPECT_EQ(Level(c, Field::kGiven), 4);       // Bob is Robert
  EXPECT_EQ(Level(c, Field::kFamily), 2);      // one part of the compound name
  EXPECT_EQ(Level(c, Field::kBirth), 3);       // day and month transposed
  EXPECT_EQ(Level(c, Field::kIdentifier), 1);  // two digits swapped
  EXPECT_EQ(Level(c, Field::kSex), kMissing);
  EXPECT_EQ(Level(c, Field::kPhone), kMissing);

  const Person swapped = Make(R"({"resourceType":"Patient","id":"c",
    "name":[{"family":"Robert","given":["Garcialopez"]}],"birthDate":"1970-03-12"})");
  const Comparison s = Compare(a, swapped, {ssn});
  EXPECT_GE(Level(s, Field::kGiven), 3);
  EXPECT_GE(Level(s, Field::kFamily), 3);
  EXPECT_EQ(Level(s, Field::kMiddle), kMissing);
  // Swapped with a typo besides.
  const Person swapped_typo = Make(R"({"resourceType":"Patient","id":"d",
    "name":[{"family":"Robbert","given":["Garcialopez"]}],"birthDate":"1970-03-12"})");
  EXPECT_EQ(Level(Compare(a, swapped_typo, {ssn}), Field::kGiven), 3);

  Person initial = a;
  initial.middle = "j";
  EXPECT_EQ(Level(Compare(a, initial, {ssn}), Field::kMiddle), 1);
  Person other_middle = a;
  other_middle.middle = "thomas";
  EXPECT_EQ(Level(Compare(a, other_middle, {ssn}), Field::kMiddle), 0);
}

TEST(CompareTest, AnMrnIsNoEvidenceAgainstButADifferentSsnIs) {
  const Person a = Make(R"({"resourceType":"Patient","id":"a","identifier":[
    {"system":"urn:mrn:one","value":"M1"},{"system":"http://hl7.org/fhir/sid/us-ssn","value":"900-11-1111"}]})");
  const Person b = Make(R"({"resourceType":"Patient","id":"b","identifier":[
    {"system":"urn:mrn:one","value":"M2"}]})");
  const Person c = Make(R"({"resourceType":"Patient","id":"c","identifier":[
    {"type":{"coding":[{"code":"SS"}]},"system":"http://hl7.org/fhir/sid/us-ssn","value":"900-99-9999"}]})");
  EXPECT_EQ(Level(Compare(a, b, {}), Field::kIdentifier), kMissing);
  EXPECT_EQ(Level(Compare(a, c, {}), Field::kIdentifier), 0);  // typed SS: a person identifier
}

TEST(CompareTest, TwinsHaveClearlyDifferentGivenNames) {
  const Person a = Make(kRobert);
  Person twin = a;
  twin.given = twin.given_as_written = "william";
  twin.middle.clear();
  EXPECT_TRUE(GivenNamesDiffer(a, twin));
  Person typo = a;
  typo.given = typo.given_as_written = "rboert";
  EXPECT_FALSE(GivenNamesDiffer(a, typo));
  Person initial = a;
  initial.given = initial.given_as_written = "r";
  EXPECT_FALSE(GivenNamesDiffer(a, initial));
}

TEST(CompareTest, NearlyTheSameGivenNameIsTwoPeopleWhenSexOrMiddleNameDiffers) {
  // Donald James and Ronald James: a typo, or brothers. Nothing else tells them apart.
  Person a = Make(kRobert);
  a.given = a.given_as_written = "donald";
  Person b = a;
  b.given = b.given_as_written = "ronald";
  EXPECT_FALSE(DistinctPeople(a, b, Compare(a, b, {})));
  Person brother = b;
  brother.middle = "edward";  // another middle name
  EXPECT_TRUE(DistinctPeople(a, brother, Compare(a, brother, {})));
  Person sister = b;
  sister.sex = 'f';
  EXPECT_TRUE(DistinctPeople(a, sister, Compare(a, sister, {})));
  // The same given name: one person, whatever the middle name says.
  Person same = a;
  same.middle = "edward";
  EXPECT_FALSE(DistinctPeople(a, same, Compare(a, same, {})));
}

}  // namespace
}  // namespace chartroom::mpi
