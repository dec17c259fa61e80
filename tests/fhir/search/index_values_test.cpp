// IndexExtractor and the search normalizations: per search type and per datatype, on small
// synthetic resources with exact expected values (https://hl7.org/fhir/R4/search.html), plus
// every resource of the Synthea sample bundle.

#include "fhir/search/index_values.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/json/gzip.hpp"
#include "printers.hpp"

namespace chartroom::fhir::search {
namespace {

namespace json = boost::json;

const IndexExtractor& Extractor() {
  static const IndexExtractor* const extractor = [] {
    Result<std::unique_ptr<IndexExtractor>> created = IndexExtractor::Create();
    CHARTROOM_CHECK(created.has_value());
    return created->release();
  }();
  return *extractor;
}

// The values of parameter `code` extracted from `resource_json`.
std::vector<IndexValue> Values(std::string_view resource_json, std::string_view code) {
  const json::value resource = json::parse(resource_json);
  Result<std::vector<IndexEntry>> entries = Extractor().Extract(resource);
  EXPECT_TRUE(entries.has_value()) << entries.error().message();
  std::vector<IndexValue> out;
  if (!entries) return out;
  for (IndexEntry& entry : *entries) {
    if (entry.param->code() == code) out.push_back(std::move(entry.value));
  }
  return out;
}

template <typename T>
std::vector<T> ValuesAs(std::string_view resource_json, std::string_view code) {
  std::vector<T> out;
  for (const IndexValue& value : Values(resource_json, code)) {
    const T* typed = std::get_if<T>(&value);
    EXPECT_NE(typed, nullptr) << code << ": " << Describe(value);
    if (typed != nullptr) out.push_back(*typed);
  }
  return out;
}

std::vector<std::string> Described(std::string_view resource_json, std::string_view code) {
  std::vector<std::string> out;
  for (const IndexValue& value : Values(resource_json, code)) out.push_back(Describe(value));
  return out;
}

TokenValue Token(std::string system, std::string code, std::string text = "",
                 std::string of_type = "") {
  return TokenValue{std::move(system), std::move(code), std::move(text), std::move(of_type)};
}

StringValue Str(std::string normalized, std::string exact) {
  return StringValue{std::move(normalized), std::move(exact)};
}

ReferenceValue Ref(std::string type, std::string id, std::string url = "",
                   std::string version = "") {
  ReferenceValue out;
  out.type = std::move(type);
  out.id = std::move(id);
  out.url = std::move(url);
  out.version = std::move(version);
  return out;
}

constexpr std::int64_t kSecond = 1000000;

// --- Creation --------------------------------------------------------------------------------

TEST(IndexExtractorTest, CreateCompilesEveryDefinitionAndSkipsOnlyTheDocumentedOnes) {
  std::set<std::string> skipped;
  for (const SkippedParam& param : Extractor().skipped()) {
    skipped.insert(std::string(param.param->url()));
    EXPECT_FALSE(param.reason.empty());
  }
  EXPECT_EQ(skipped, (std::set<std::string>{
                         "http://hl7.org/fhir/SearchParameter/DomainResource-text",
                         "http://hl7.org/fhir/SearchParameter/Location-near",
                         "http://hl7.org/fhir/SearchParameter/Resource-content",
                         "http://hl7.org/fhir/SearchParameter/Resource-query",
                     }));
}

TEST(IndexExtractorTest, ExtractRejectsWhatIsNotAResource) {
  for (const char* text : {R"([])", R"({"id":"x"})", R"({"resourceType":"Nonsense"})",
                           R"({"resourceType":"DomainResource"})"}) {
    const Result<std::vector<IndexEntry>> entries = Extractor().Extract(json::parse(text));
    ASSERT_FALSE(entries.has_value()) << text;
    EXPECT_EQ(entries.error().code(), "search.bad-resource");
  }
}

TEST(IndexExtractorTest, EntriesFollowParameterOrderAndBelongToTheType) {
  const json::value resource = json::parse(
      R"({"resourceType":"Patient","id":"p1","gender":"male","name":[{"family":"Vale"}],
          "birthDate":"1980","meta":{"lastUpdated":"2020-01-01T00:00:00Z"}})");
  const Result<std::vector<IndexEntry>> entries = Extractor().Extract(resource);
  ASSERT_TRUE(entries.has_value());
  const SearchParamInfo* first = AllSearchParams().data();
  for (std::size_t i = 1; i < entries->size(); ++i) {
    EXPECT_LE((*entries)[i - 1].param - first, (*entries)[i].param - first);
  }
  std::set<std::string_view> codes;
  for (const IndexEntry& entry : *entries) {
    EXPECT_EQ(FindSearchParam("Patient", entry.param->code()), entry.param);
    codes.insert(entry.param->code());
  }
  EXPECT_EQ(codes, (std::set<std::string_view>{"_id", "_lastUpdated", "birthdate", "deceased",
                                               "family", "gender", "name", "phonetic"}));
}

// --- token -----------------------------------------------------------------------------------

TEST(IndexExtractorTest, TokenFromCodingKeepsSystemCodeAndDisplay) {
  const std::string patient =
      R"({"resourceType":"Patient","meta":{"tag":[{"system":"urn:t","code":"a","display":"Alpha"},
          {"code":"b"}],"security":[{"system":"urn:s","code":"R"}]}})";
  EXPECT_EQ(ValuesAs<TokenValue>(patient, "_tag"),
            (std::vector<TokenValue>{Token("urn:t", "a", "Alpha"), Token("", "b")}));
  EXPECT_EQ(ValuesAs<TokenValue>(patient, "_security"),
            (std::vector<TokenValue>{Token("urn:s", "R")}));
}

TEST(IndexExtractorTest, TokenFromCodeableConceptGivesOneValuePerCoding) {
  EXPECT_EQ(ValuesAs<TokenValue>(
                R"({"resourceType":"Observation","status":"final","code":{"coding":[
                    {"system":"http://loinc.org","code":"8302-2","display":"Body height"},
                    {"system":"urn:local","code":"H"}],"text":"Height"}})",
                "code"),
            (std::vector<TokenValue>{Token("http://loinc.org", "8302-2", "Height"),
                                     Token("urn:local", "H", "Height")}));
  // Without text, each coding's display; with only text, one value of text alone.
  EXPECT_EQ(ValuesAs<TokenValue>(
                R"({"resourceType":"Observation","code":{"coding":[
                    {"system":"http://loinc.org","code":"8302-2","display":"Body height"}]}})",
                "code"),
            (std::vector<TokenValue>{Token("http://loinc.org", "8302-2", "Body height")}));
  EXPECT_EQ(
      ValuesAs<TokenValue>(R"({"resourceType":"Observation","code":{"text":"Height"}})", "code"),
      (std::vector<TokenValue>{Token("", "", "Height")}));
}

TEST(IndexExtractorTest, TokenFromIdentifierCarriesItsTypeForOfType) {
  EXPECT_EQ(ValuesAs<TokenValue>(
                R"({"resourceType":"Patient","identifier":[
                    {"system":"urn:mrn","value":"12345","type":{"coding":[{"system":
                     "http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}],"text":"MRN"}},
                    {"value":"x-1"},{"system":"urn:only"}]})",
                "identifier"),
            (std::vector<TokenValue>{Token("urn:mrn", "12345", "MRN",
                                           "http://terminology.hl7.org/CodeSystem/v2-0203|MR"),
                                     Token("", "x-1"), Token("urn:only", "")}));
}

TEST(IndexExtractorTest, TokenFromContactPointIsItsValue) {
  const std::string patient =
      R"({"resourceType":"Patient","telecom":[{"system":"phone","value":"555-0100"},
          {"system":"email","value":"a@example.org"}]})";
  EXPECT_EQ(ValuesAs<TokenValue>(patient, "telecom"),
            (std::vector<TokenValue>{Token("", "555-0100"), Token("", "a@example.org")}));
  EXPECT_EQ(ValuesAs<TokenValue>(patient, "email"),
            (std::vector<TokenValue>{Token("", "a@example.org")}));
  EXPECT_EQ(ValuesAs<TokenValue>(patient, "phone"),
            (std::vector<TokenValue>{Token("", "555-0100")}));
}

TEST(IndexExtractorTest, TokenFromPrimitives) {
  const std::string patient =
      R"({"resourceType":"Patient","id":"p-1","gender":"female","active":true})";
  EXPECT_EQ(ValuesAs<TokenValue>(patient, "gender"),
            (std::vector<TokenValue>{Token("", "female")}));
  EXPECT_EQ(ValuesAs<TokenValue>(patient, "active"), (std::vector<TokenValue>{Token("", "true")}));
  EXPECT_EQ(ValuesAs<TokenValue>(patient, "_id"), (std::vector<TokenValue>{Token("", "p-1")}));
  // `deceased` is a boolean expression: false without deceased[x], true with a date.
  EXPECT_EQ(ValuesAs<TokenValue>(patient, "deceased"),
            (std::vector<TokenValue>{Token("", "false")}));
  EXPECT_EQ(ValuesAs<TokenValue>(R"({"resourceType":"Patient","deceasedDateTime":"2020-02-02"})",
                                 "deceased"),
            (std::vector<TokenValue>{Token("", "true")}));
  // uri and string elements searched as tokens.
  EXPECT_EQ(ValuesAs<TokenValue>(R"({"resourceType":"MessageHeader","eventUri":"urn:event:admit"})",
                                 "event"),
            (std::vector<TokenValue>{Token("", "urn:event:admit")}));
  EXPECT_EQ(ValuesAs<TokenValue>(R"({"resourceType":"ValueSet","version":"2.1"})", "version"),
            (std::vector<TokenValue>{Token("", "2.1")}));
}

// --- string ----------------------------------------------------------------------------------

TEST(IndexExtractorTest, StringFromHumanNameGivesEachPart) {
  const std::string patient =
      R"({"resourceType":"Patient","name":[{"family":"Ó Briain","given":["Seán","Óg"],
          "prefix":["Dr."],"suffix":["Jr"],"text":"Dr. Seán Óg Ó Briain Jr"},
          {"given":["Seán"]}]})";
  EXPECT_EQ(ValuesAs<StringValue>(patient, "name"),
            (std::vector<StringValue>{Str("o briain", "Ó Briain"), Str("sean", "Seán"),
                                      Str("og", "Óg"), Str("dr", "Dr."), Str("jr", "Jr"),
                                      Str("dr sean og o briain jr", "Dr. Seán Óg Ó Briain Jr")}));
  EXPECT_EQ(ValuesAs<StringValue>(patient, "family"),
            (std::vector<StringValue>{Str("o briain", "Ó Briain")}));
  EXPECT_EQ(ValuesAs<StringValue>(patient, "given"),
            (std::vector<StringValue>{Str("sean", "Seán"), Str("og", "Óg")}));
}

TEST(IndexExtractorTest, StringFromAddressGivesEachPart) {
  const std::string patient =
      R"({"resourceType":"Patient","address":[{"line":["1 Main St","Apt 2"],"city":"Springfield",
          "district":"Greene","state":"MO","postalCode":"65801","country":"US",
          "text":"1 Main St, Springfield"}]})";
  EXPECT_EQ(ValuesAs<StringValue>(patient, "address"),
            (std::vector<StringValue>{Str("1 main st", "1 Main St"), Str("apt 2", "Apt 2"),
                                      Str("springfield", "Springfield"), Str("greene", "Greene"),
                                      Str("mo", "MO"), Str("65801", "65801"), Str("us", "US"),
                                      Str("1 main st springfield", "1 Main St, Springfield")}));
  EXPECT_EQ(ValuesAs<StringValue>(patient, "address-city"),
            (std::vector<StringValue>{Str("springfield", "Springfield")}));
  EXPECT_EQ(ValuesAs<StringValue>(patient, "address-postalcode"),
            (std::vector<StringValue>{Str("65801", "65801")}));
}

TEST(IndexExtractorTest, StringFromStringAndMarkdown) {
  EXPECT_EQ(ValuesAs<StringValue>(R"({"resourceType":"Organization","name":"St. Mary's"})", "name"),
            (std::vector<StringValue>{Str("st mary s", "St. Mary's")}));
  EXPECT_EQ(ValuesAs<StringValue>(R"({"resourceType":"ValueSet","description":"**Bold** codes"})",
                                  "description"),
            (std::vector<StringValue>{Str("bold codes", "**Bold** codes")}));
}

TEST(NormalizeStringTest, FoldsCaseAccentsAndPunctuation) {
  EXPECT_EQ(NormalizeString("Élodie-Ann"), "elodie ann");
  EXPECT_EQ(NormalizeString("  MÜLLER,   Jürgen  "), "muller jurgen");
  EXPECT_EQ(NormalizeString("Straße"), "strasse");
  EXPECT_EQ(NormalizeString("ÆSØP þorn Œuvre"), "aesop thorn oeuvre");
  EXPECT_EQ(NormalizeString("Łódź Čapek Ğürsel İzmir Ĳssel ſ"), "lodz capek gursel izmir ijssel s");
  EXPECT_EQ(NormalizeString("Ÿvonne ÿ"), "yvonne y");
  EXPECT_EQ(NormalizeString("5×3÷1"), "5 3 1");
  EXPECT_EQ(NormalizeString("a\xC2\xA0"
                            "b"),
            "a b");  // no-break space
  EXPECT_EQ(NormalizeString("e\xCC\x81"
                            "cole"),
            "ecole");  // e + combining acute
  EXPECT_EQ(NormalizeString("O'Brien"), "o brien");
  EXPECT_EQ(NormalizeString("---"), "");
  EXPECT_EQ(NormalizeString(""), "");
}

TEST(NormalizeStringTest, KeepsOtherScriptsAndStrayBytes) {
  EXPECT_EQ(NormalizeString("Ωμέγα"), "Ωμέγα");
  EXPECT_EQ(NormalizeString("李 小龍"), "李 小龍");
  EXPECT_EQ(NormalizeString("a\xFF"
                            "B"),
            "a\xFF"
            "b");
  EXPECT_EQ(NormalizeString("\xC3"), "\xC3");  // truncated sequence
}

TEST(NormalizeStringTest, EveryLatinLetterFoldsToAsciiLowerCase) {
  for (std::uint32_t cp = 0xC0; cp < 0x180; ++cp) {
    if (cp == 0xD7 || cp == 0xF7) continue;  // × ÷
    const std::string utf8{static_cast<char>(0xC0 | (cp >> 6)),
                           static_cast<char>(0x80 | (cp & 0x3F))};
    const std::string folded = NormalizeString(utf8);
    ASSERT_FALSE(folded.empty()) << cp;
    for (const char c : folded) EXPECT_TRUE(c >= 'a' && c <= 'z') << "U+" << std::hex << cp;
  }
}

// --- date ------------------------------------------------------------------------------------

TEST(IndexExtractorTest, DateFromDateCoversItsPrecisionInUtc) {
  EXPECT_EQ(ValuesAs<DateRange>(R"({"resourceType":"Patient","birthDate":"1974-12"})", "birthdate"),
            (std::vector<DateRange>{{155088000000000, 157766400000000 - 1}}));
  EXPECT_EQ(
      ValuesAs<DateRange>(R"({"resourceType":"Patient","birthDate":"1974-12-25"})", "birthdate"),
      (std::vector<DateRange>{{157161600000000, 157248000000000 - 1}}));
}

TEST(IndexExtractorTest, DateFromDateTimeAndInstantUseTheirZone) {
  EXPECT_EQ(ValuesAs<DateRange>(
                R"({"resourceType":"Observation","effectiveDateTime":"2011-02-26T19:55:03-05:00"})",
                "date"),
            (std::vector<DateRange>{{1298768103000000, 1298768103000000 + kSecond - 1}}));
  EXPECT_EQ(
      ValuesAs<DateRange>(
          R"({"resourceType":"Observation","meta":{"lastUpdated":"2020-01-01T00:00:00.123Z"}})",
          "_lastUpdated"),
      (std::vector<DateRange>{{1577836800123000, 1577836800123999}}));
}

TEST(IndexExtractorTest, DateFromPeriodWithOpenEnds) {
  EXPECT_EQ(ValuesAs<DateRange>(
                R"({"resourceType":"Encounter","period":{"start":"2020-01-01T10:00:00Z",
                    "end":"2020-01-01T11:00:00Z"}})",
                "date"),
            (std::vector<DateRange>{{1577872800000000, 1577876401000000 - 1}}));
  EXPECT_EQ(
      ValuesAs<DateRange>(
          R"({"resourceType":"Encounter","period":{"start":"2020-01-01T10:00:00Z"}})", "date"),
      (std::vector<DateRange>{{1577872800000000, kMaxInstant}}));
  EXPECT_EQ(
      ValuesAs<DateRange>(R"({"resourceType":"Encounter","period":{"end":"2021-06-30"}})", "date"),
      (std::vector<DateRange>{{kMinInstant, 1625097600000000 - 1}}));
}

TEST(IndexExtractorTest, DateFromTimingIsItsOuterLimits) {
  EXPECT_EQ(ValuesAs<DateRange>(
                R"({"resourceType":"ServiceRequest","occurrenceTiming":{
                    "event":["2019-05-03T08:00:00+02:00","2019-05-01T08:00:00+02:00"],
                    "repeat":{"boundsPeriod":{"start":"2021-03-01","end":"2021-06-30"}}}})",
                "occurrence"),
            (std::vector<DateRange>{{1556690400000000, 1625097600000000 - 1}}));
  EXPECT_EQ(ValuesAs<DateRange>(
                R"({"resourceType":"ServiceRequest","occurrenceTiming":{
                    "event":["2019-05-03T08:00:00+02:00","2019-05-01T08:00:00+02:00"]}})",
                "occurrence"),
            (std::vector<DateRange>{{1556690400000000, 1556863201000000 - 1}}));
}

TEST(DateRangeOfTest, ClampsToTheRepresentableRange) {
  const std::optional<DateTime> first = DateTime::ParseDateTime("0001-01-01T00:30:00+01:00");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(DateRangeOf(*first).low, kMinInstant);
  const std::optional<DateTime> last = DateTime::ParseDate("9999");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(DateRangeOf(*last).high, kMaxInstant);
}

// --- number ----------------------------------------------------------------------------------

TEST(IndexExtractorTest, NumberCarriesItsImplicitPrecision) {
  EXPECT_EQ(ValuesAs<NumberValue>(
                R"({"resourceType":"RiskAssessment","prediction":[{"probabilityDecimal":0.25}]})",
                "probability"),
            (std::vector<NumberValue>{{0.25, 0.245, 0.255}}));
  EXPECT_EQ(ValuesAs<NumberValue>(
                R"({"resourceType":"MolecularSequence","referenceSeq":{"windowStart":100}})",
                "window-start"),
            (std::vector<NumberValue>{{100, 99.5, 100.5}}));
}

TEST(ParseNumberTest, PrecisionFollowsTheDigitsWritten) {
  auto range = [](std::string_view text) {
    const std::optional<NumberValue> n = ParseNumber(text);
    return n ? std::vector<double>{n->value, n->low, n->high} : std::vector<double>{};
  };
  EXPECT_EQ(range("100"), (std::vector<double>{100, 99.5, 100.5}));
  EXPECT_EQ(range("100.00"), (std::vector<double>{100, 99.995, 100.005}));
  EXPECT_EQ(range("-5.5"), (std::vector<double>{-5.5, -5.55, -5.45}));
  EXPECT_EQ(range("1.5e2"), (std::vector<double>{150, 145, 155}));
  EXPECT_EQ(range("1e-2"), (std::vector<double>{0.01, 0.005, 0.015}));
  for (const char* bad : {"", "-", "1.", ".5", "1e", "1x", "0x10", "1,5", "1e99999"}) {
    EXPECT_FALSE(ParseNumber(bad).has_value()) << bad;
  }
}

// --- quantity --------------------------------------------------------------------------------

TEST(IndexExtractorTest, QuantityInUcumIsCanonicalized) {
  const std::vector<QuantityValue> values = ValuesAs<QuantityValue>(
      R"({"resourceType":"Observation","valueQuantity":{"value":155.6,"unit":"cm",
          "system":"http://unitsofmeasure.org","code":"cm"}})",
      "value-quantity");
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].value, 155.6);
  EXPECT_DOUBLE_EQ(values[0].low, 155.55);
  EXPECT_DOUBLE_EQ(values[0].high, 155.65);
  EXPECT_EQ(values[0].system, "http://unitsofmeasure.org");
  EXPECT_EQ(values[0].code, "cm");
  EXPECT_EQ(values[0].unit, "cm");
  EXPECT_DOUBLE_EQ(values[0].canonical_value, 1.556);
  EXPECT_EQ(values[0].canonical_code, "m");
}

TEST(IndexExtractorTest, QuantityOutsideUcumKeepsItsCode) {
  EXPECT_EQ(ValuesAs<QuantityValue>(
                R"({"resourceType":"Observation","valueQuantity":{"value":3,"system":"urn:x",
                    "code":"tablets"}})",
                "value-quantity"),
            (std::vector<QuantityValue>{{3, 2.5, 3.5, "urn:x", "tablets", "", 3, "tablets"}}));
  // No system: the code is read as UCUM where it parses as one.
  EXPECT_EQ(ValuesAs<QuantityValue>(
                R"({"resourceType":"Observation","valueQuantity":{"value":2,"code":"kg"}})",
                "value-quantity"),
            (std::vector<QuantityValue>{{2, 1.5, 2.5, "", "kg", "", 2000, "g"}}));
}

TEST(IndexExtractorTest, QuantityFromDurationAndMoney) {
  EXPECT_EQ(ValuesAs<QuantityValue>(
                R"({"resourceType":"Encounter","length":{"value":30,"unit":"min",
                    "system":"http://unitsofmeasure.org","code":"min"}})",
                "length"),
            (std::vector<QuantityValue>{
                {30, 29.5, 30.5, "http://unitsofmeasure.org", "min", "min", 1800, "s"}}));
  EXPECT_EQ(
      ValuesAs<QuantityValue>(
          R"({"resourceType":"Invoice","totalNet":{"value":10.5,"currency":"USD"}})", "totalnet"),
      (std::vector<QuantityValue>{
          {10.5, 10.45, 10.55, "urn:iso:std:iso:4217", "USD", "", 10.5, "USD"}}));
}

TEST(IndexExtractorTest, QuantityOnRangeIsNotIndexed) {
  EXPECT_TRUE(Values(R"({"resourceType":"Condition","onsetRange":{"low":{"value":1,"code":"a"}}})",
                     "onset-age")
                  .empty());
  EXPECT_EQ(ValuesAs<QuantityValue>(
                R"({"resourceType":"Condition","onsetAge":{"value":4,"code":"a",
                    "system":"http://unitsofmeasure.org"}})",
                "onset-age")
                .size(),
            1u);
}

// --- reference -------------------------------------------------------------------------------

TEST(IndexExtractorTest, ReferenceForms) {
  EXPECT_EQ(
      ValuesAs<ReferenceValue>(
          R"({"resourceType":"Observation","subject":{"reference":"Patient/123"}})", "subject"),
      (std::vector<ReferenceValue>{Ref("Patient", "123")}));
  EXPECT_EQ(
      ValuesAs<ReferenceValue>(
          R"({"resourceType":"Observation","subject":{"reference":"Patient/123/_history/2"}})",
          "subject"),
      (std::vector<ReferenceValue>{Ref("Patient", "123", "", "2")}));
  EXPECT_EQ(ValuesAs<ReferenceValue>(
                R"({"resourceType":"Observation",
                    "subject":{"reference":"http://example.org/fhir/Patient/9"}})",
                "subject"),
            (std::vector<ReferenceValue>{Ref("Patient", "", "http://example.org/fhir/Patient/9")}));
  EXPECT_EQ(
      ValuesAs<ReferenceValue>(
          R"({"resourceType":"Observation","subject":{"reference":"urn:uuid:0f0e","type":"Group"}})",
          "subject"),
      (std::vector<ReferenceValue>{Ref("Group", "", "urn:uuid:0f0e")}));
  ReferenceValue by_identifier;
  by_identifier.identifier_system = "urn:mrn";
  by_identifier.identifier_value = "77";
  EXPECT_EQ(ValuesAs<ReferenceValue>(
                R"({"resourceType":"Observation","subject":{"identifier":{"system":"urn:mrn",
                    "value":"77"},"display":"someone"}})",
                "subject"),
            (std::vector<ReferenceValue>{by_identifier}));
  EXPECT_TRUE(Values(R"({"resourceType":"Observation","subject":{"display":"someone"}})", "subject")
                  .empty());
  EXPECT_TRUE(
      Values(R"({"resourceType":"Observation","subject":{"reference":"Patient?x=1"}})", "subject")
          .empty());
}

TEST(IndexExtractorTest, ReferenceToAContainedResourceTakesItsType) {
  EXPECT_EQ(ValuesAs<ReferenceValue>(
                R"({"resourceType":"Observation","contained":[{"resourceType":"Patient","id":"p1"}],
                    "subject":{"reference":"#p1"}})",
                "patient"),
            (std::vector<ReferenceValue>{Ref("Patient", "", "#p1")}));
}

TEST(IndexExtractorTest, ResolveIsFiltersByTheReferencedType) {
  // patient = Observation.subject.where(resolve() is Patient)
  EXPECT_EQ(ValuesAs<ReferenceValue>(
                R"({"resourceType":"Observation","subject":{"reference":"Patient/1"}})", "patient"),
            (std::vector<ReferenceValue>{Ref("Patient", "1")}));
  EXPECT_TRUE(
      Values(R"({"resourceType":"Observation","subject":{"reference":"Group/1"}})", "patient")
          .empty());
  EXPECT_TRUE(
      Values(R"({"resourceType":"Observation","subject":{"reference":"urn:uuid:1"}})", "patient")
          .empty());
  EXPECT_EQ(ValuesAs<ReferenceValue>(
                R"({"resourceType":"Observation",
                    "subject":{"reference":"urn:uuid:1","type":"Patient"}})",
                "patient"),
            (std::vector<ReferenceValue>{Ref("Patient", "", "urn:uuid:1")}));
  // Appointment.participant.actor.where(resolve() is Practitioner), one of several actors.
  EXPECT_EQ(ValuesAs<ReferenceValue>(
                R"({"resourceType":"Appointment","participant":[{"actor":{"reference":"Patient/1"}},
                    {"actor":{"reference":"Practitioner/2"}}]})",
                "practitioner"),
            (std::vector<ReferenceValue>{Ref("Practitioner", "2")}));
}

TEST(IndexExtractorTest, ReferenceFromCanonicalAndFromAResource) {
  EXPECT_EQ(ValuesAs<ReferenceValue>(
                R"({"resourceType":"QuestionnaireResponse",
                    "questionnaire":"http://example.org/Questionnaire/phq|2.0"})",
                "questionnaire"),
            (std::vector<ReferenceValue>{
                Ref("Questionnaire", "", "http://example.org/Questionnaire/phq", "2.0")}));
  EXPECT_EQ(ValuesAs<ReferenceValue>(
                R"({"resourceType":"Bundle","type":"document","entry":[
                    {"resource":{"resourceType":"Composition","id":"c1"}}]})",
                "composition"),
            (std::vector<ReferenceValue>{Ref("Composition", "c1")}));
}

TEST(ParseReferenceTest, RejectsWhatIsNotALiteralReference) {
  for (const char* bad : {"", "Patient", "Patient/", "Nonsense/1", "Patient/a b",
                          "Patient/1/_history/", "Patient?name=x"}) {
    EXPECT_FALSE(ParseReference(bad).has_value()) << bad;
  }
}

// --- uri -------------------------------------------------------------------------------------

TEST(IndexExtractorTest, UriFromUriAndCanonical) {
  const std::string value_set =
      R"({"resourceType":"ValueSet","url":"http://example.org/vs/1",
          "meta":{"profile":["http://example.org/sd/a","http://example.org/sd/b"],
          "source":"urn:src"}})";
  EXPECT_EQ(ValuesAs<UriValue>(value_set, "url"),
            (std::vector<UriValue>{{"http://example.org/vs/1"}}));
  EXPECT_EQ(ValuesAs<UriValue>(value_set, "_profile"),
            (std::vector<UriValue>{{"http://example.org/sd/a"}, {"http://example.org/sd/b"}}));
  EXPECT_EQ(ValuesAs<UriValue>(value_set, "_source"), (std::vector<UriValue>{{"urn:src"}}));
}

// --- composite -------------------------------------------------------------------------------

TEST(IndexExtractorTest, CompositePairsEachCodingWithTheValue) {
  const std::vector<IndexValue> values = Values(
      R"({"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org",
          "code":"8480-6"},{"system":"urn:x","code":"sys"}]},"valueQuantity":{"value":120,
          "system":"http://unitsofmeasure.org","code":"mm[Hg]"}})",
      "code-value-quantity");
  ASSERT_EQ(values.size(), 2u);
  const QuantityValue quantity{120,      119.5, 120.5,    "http://unitsofmeasure.org",
                               "mm[Hg]", "",    15998640, "g.m-1.s-2"};
  const TokenValue codes[] = {Token("http://loinc.org", "8480-6"), Token("urn:x", "sys")};
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& composite = std::get<std::shared_ptr<CompositeValue>>(values[i]);
    ASSERT_EQ(composite->components.size(), 2u);
    EXPECT_EQ(std::get<TokenValue>(composite->components[0]), codes[i]);
    const QuantityValue& value = std::get<QuantityValue>(composite->components[1]);
    EXPECT_DOUBLE_EQ(value.canonical_value, quantity.canonical_value);
    EXPECT_EQ(value.canonical_code, quantity.canonical_code);
    EXPECT_EQ(value.code, quantity.code);
    EXPECT_EQ(value.value, quantity.value);
  }
}

TEST(IndexExtractorTest, CompositeOverComponents) {
  const std::string observation =
      R"({"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org",
          "code":"85354-9"}]},"component":[
          {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},
           "valueQuantity":{"value":120,"code":"mm[Hg]"}},
          {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},
           "valueQuantity":{"value":80,"code":"mm[Hg]"}}]})";
  const std::vector<std::string> components =
      Described(observation, "component-code-value-quantity");
  ASSERT_EQ(components.size(), 2u);
  EXPECT_NE(components[0].find("8480-6"), std::string::npos);
  EXPECT_NE(components[0].find("Quantity{120 "), std::string::npos);
  EXPECT_NE(components[1].find("8462-4"), std::string::npos);
  EXPECT_NE(components[1].find("Quantity{80 "), std::string::npos);
  // combo-: the Observation itself (no value here, so nothing) and each component.
  EXPECT_EQ(Described(observation, "combo-code-value-quantity"), components);
  EXPECT_TRUE(Values(observation, "code-value-quantity").empty());
}

TEST(IndexExtractorTest, CompositeWithDateValueUsesTheCorrectedDefinition) {
  // R4 writes value.ofType(DateTime), which selects nothing; read as dateTime.
  EXPECT_EQ(
      Described(R"({"resourceType":"Observation","code":{"coding":[{"code":"c"}]},
                          "valueDateTime":"2020-01-01"})",
                "code-value-date"),
      (std::vector<std::string>{"Composite{Token{|c, text=, of_type=}; Date{1577836800000000, "
                                "1577923199999999}; }"}));
}

TEST(IndexExtractorTest, CompositeComponentsMayReadTheWholeResource) {
  // chromosome-variant-coordinate: %resource.referenceSeq.chromosome $ start $ end per variant.
  EXPECT_EQ(
      Described(R"({"resourceType":"MolecularSequence","type":"dna",
                          "referenceSeq":{"chromosome":{"coding":[{"system":"urn:chr","code":"1"}]}},
                          "variant":[{"start":10,"end":20}]})",
                "chromosome-variant-coordinate"),
      (std::vector<std::string>{"Composite{Token{urn:chr|1, text=, of_type=}; Number{10 [9.5, "
                                "10.5]}; Number{20 [19.5, 20.5]}; }"}));
}

TEST(IndexExtractorTest, CompositeWithSwappedDefinitionsIsReadInExpressionOrder) {
  EXPECT_EQ(Described(R"({"resourceType":"DocumentReference","relatesTo":[{"code":"replaces",
                          "target":{"reference":"DocumentReference/d0"}}]})",
                      "relationship"),
            (std::vector<std::string>{"Composite{Token{|replaces, text=, of_type=}; "
                                      "Reference{type=DocumentReference id=d0 url= version= "
                                      "identifier=|}; }"}));
}

// --- common behaviour ------------------------------------------------------------------------

TEST(IndexExtractorTest, EqualValuesOfOneParameterAreGivenOnce) {
  EXPECT_EQ(ValuesAs<StringValue>(
                R"({"resourceType":"Patient","name":[{"given":["Ann"]},{"given":["Ann","Bo"]}]})",
                "given"),
            (std::vector<StringValue>{Str("ann", "Ann"), Str("bo", "Bo")}));
}

TEST(SameValueTest, ComparesCompositesByContent) {
  auto composite = [](std::string code) {
    auto value = std::make_shared<CompositeValue>();
    value->components = {TokenValue{"", std::move(code), "", ""}, DateRange{1, 2}};
    return IndexValue(value);
  };
  EXPECT_TRUE(SameValue(composite("a"), composite("a")));
  EXPECT_FALSE(SameValue(composite("a"), composite("b")));
  EXPECT_FALSE(SameValue(composite("a"), IndexValue(DateRange{1, 2})));
}

// --- Synthea ---------------------------------------------------------------------------------

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Rewrites urn:uuid references to the entries' Type/id, as a server does when it stores a
// transaction Bundle (https://hl7.org/fhir/R4/http.html#trules).
void ResolveFullUrls(json::value& node, const std::map<std::string, std::string>& local) {
  if (node.is_array()) {
    for (json::value& element : node.as_array()) ResolveFullUrls(element, local);
  } else if (node.is_object()) {
    for (auto& [key, value] : node.as_object()) {
      if (key == "reference" && value.is_string()) {
        const auto it = local.find(std::string(value.as_string()));
        if (it != local.end()) value = it->second;
      } else {
        ResolveFullUrls(value, local);
      }
    }
  }
}

TEST(IndexExtractorTest, ExtractsEverySyntheaResource) {
  const Result<std::string> text = fhir::json::Gunzip(
      ReadFile(std::string(CHARTROOM_SOURCE_DIR) + "/tests/data/synthea/patient-bundle-1.json.gz"));
  ASSERT_TRUE(text.has_value());
  json::value bundle = json::parse(*text);
  std::map<std::string, std::string> local;
  for (const json::value& entry : bundle.at("entry").as_array()) {
    const json::object& resource = entry.at("resource").as_object();
    local[std::string(entry.at("fullUrl").as_string())] =
        std::string(resource.at("resourceType").as_string()) + "/" +
        std::string(resource.at("id").as_string());
  }
  ResolveFullUrls(bundle, local);

  std::map<std::string, std::size_t> counts;    // "Type.code" -> values
  std::map<std::string, std::size_t> expected;  // the same, counted from the JSON
  std::size_t resources = 0;
  for (const json::value& entry : bundle.at("entry").as_array()) {
    const json::object& resource = entry.at("resource").as_object();
    const std::string type(resource.at("resourceType").as_string());
    const Result<std::vector<IndexEntry>> entries = Extractor().Extract(entry.at("resource"));
    ASSERT_TRUE(entries.has_value()) << type << ": " << entries.error().message();
    ++resources;
    for (const IndexEntry& e : *entries) ++counts[type + "." + std::string(e.param->code())];

    ++expected[type + "._id"];
    if (type == "Observation") {
      std::set<std::pair<std::string, std::string>> codings;
      for (const json::value& c : resource.at("code").at("coding").as_array()) {
        codings.emplace(std::string(c.at("system").as_string()),
                        std::string(c.at("code").as_string()));
      }
      expected["Observation.code"] += codings.size();
      ++expected["Observation.patient"];
      if (resource.contains("valueQuantity")) ++expected["Observation.value-quantity"];
    }
    if (type == "Encounter") {
      ++expected["Encounter.patient"];
      if (resource.contains("period")) ++expected["Encounter.date"];
    }
    if (type == "Patient") {
      for (const json::value& name : resource.at("name").as_array()) {
        expected["Patient.given"] +=
            name.as_object().contains("given") ? name.at("given").as_array().size() : 0;
      }
    }
  }
  EXPECT_EQ(resources, bundle.at("entry").as_array().size());
  for (const auto& [key, count] : expected) EXPECT_EQ(counts[key], count) << key;
  EXPECT_GT(counts["Patient.given"], 0u);
  EXPECT_GT(counts["Observation.value-quantity"], 0u);
}

}  // namespace
}  // namespace chartroom::fhir::search
