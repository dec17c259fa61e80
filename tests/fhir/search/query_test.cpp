// ParseSearchQuery and CanonicalQueryString (https://hl7.org/fhir/R4/search.html): a table of
// queries and their expected parse or error, covering every modifier, prefix, value form,
// chain, _has, include, sort and the strict/lenient difference.

#include "fhir/search/query.hpp"

#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

namespace chartroom::fhir::search {
namespace {

// --- A compact, readable rendering of a parse --------------------------------------------------

std::string Instant(std::int64_t micros) {
  if (micros == kMinInstant) return "min";
  if (micros == kMaxInstant) return "max";
  std::int64_t days = micros / 86400000000;
  std::int64_t rest = micros % 86400000000;
  if (rest < 0) {
    rest += 86400000000;
    --days;
  }
  // civil_from_days (https://howardhinnant.github.io/date_algorithms.html)
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer),
                "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64 ":%02" PRId64
                ".%06" PRId64,
                year, month, day, rest / 3600000000, rest / 60000000 % 60, rest / 1000000 % 60,
                rest % 1000000);
  return buffer;
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.10g", value);
  return buffer;
}

std::string Describe(const QueryValue& value) {
  constexpr const char* kPrefixNames[] = {"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"};
  std::string out;
  if (value.prefix != Prefix::kEq) {
    out += kPrefixNames[static_cast<int>(value.prefix)];
    out += ' ';
  }
  if (value.missing) return out + "missing=" + (*value.missing ? "true" : "false");
  if (value.composite) {
    out += "(";
    for (std::size_t i = 0; i < value.composite->size(); ++i) {
      out += (i > 0 ? " $ " : "") + Describe((*value.composite)[i]);
    }
    return out + ")";
  }
  if (value.token) {
    const TokenValue& t = *value.token;
    if (!t.of_type.empty()) return out + "of-type " + t.of_type + " " + t.code;
    if (!t.text.empty()) return out + "text '" + t.text + "' ~ '" + value.string.value_or("") + "'";
    return out + "token " + (value.token_has_system_separator ? t.system + "|" : "") + t.code;
  }
  if (value.date)
    return out + "date " + Instant(value.date->low) + ".." + Instant(value.date->high);
  if (value.number) {
    return out + "number " + Number(value.number->value) + " [" + Number(value.number->low) + "," +
           Number(value.number->high) + "]";
  }
  if (value.quantity) {
    const QuantityValue& q = *value.quantity;
    return out + "quantity " + Number(q.value) + " [" + Number(q.low) + "," + Number(q.high) +
           "] " + q.system + "|" + q.code + " = " + Number(q.canonical_value) + " " +
           q.canonical_code;
  }
  if (value.reference) {
    const ReferenceValue& r = *value.reference;
    out += "ref";
    if (!r.type.empty() || !r.id.empty()) out += " " + r.type + "/" + r.id;
    if (!r.url.empty()) out += " url=" + r.url;
    if (!r.version.empty()) out += " version=" + r.version;
    if (!r.identifier_value.empty()) {
      out += " identifier=" + r.identifier_system + "|" + r.identifier_value;
    }
    return out;
  }
  if (value.string) return out + "string '" + *value.string + "'";
  if (value.uri) return out + "uri '" + *value.uri + "'";
  return out + "raw '" + value.raw + "'";
}

std::string Describe(const SearchQuery& query) {
  std::vector<std::string> parts;
  for (const Criterion& criterion : query.criteria) {
    std::string name;
    for (const HasLink& link : criterion.has) {
      name += "_has:" + link.type + ":" + std::string(link.reference_param->code()) + ":";
    }
    for (const ChainLink& link : criterion.chain) {
      name += std::string(link.param->code()) + ":" + link.target_type + ".";
    }
    name += criterion.param != nullptr ? std::string(criterion.param->code()) : "?";
    if (criterion.modifier == Modifier::kType) name += ":" + criterion.type_modifier;
    constexpr const char* kModifierNames[] = {"",     "missing", "exact",   "contains",
                                              "text", "not",     "above",   "below",
                                              "in",   "not-in",  "of-type", "identifier"};
    if (criterion.modifier != Modifier::kNone && criterion.modifier != Modifier::kType) {
      name += std::string(":") + kModifierNames[static_cast<int>(criterion.modifier)];
    }
    std::string values;
    for (const QueryValue& value : criterion.values) {
      values += (values.empty() ? "" : " , ") + Describe(value);
    }
    parts.push_back(name + " = " + values);
  }
  for (const Include& include : query.includes) {
    parts.push_back(std::string(include.reverse ? "revinclude " : "include ") +
                    include.source_type + ":" +
                    (include.param != nullptr ? std::string(include.param->code()) : "*") +
                    (include.target_type.empty() ? "" : ":" + include.target_type) +
                    (include.iterate ? " iterate" : ""));
  }
  if (!query.types.empty()) {
    std::string types;
    for (const std::string& type : query.types) types += (types.empty() ? "" : ",") + type;
    parts.push_back("types " + types);
  }
  if (!query.sort.empty()) {
    std::string keys;
    for (const SortKey& key : query.sort) {
      keys += (keys.empty() ? "" : ",") + std::string(key.descending ? "-" : "") +
              std::string(key.param->code());
    }
    parts.push_back("sort " + keys);
  }
  if (query.count) parts.push_back("count " + std::to_string(*query.count));
  if (query.total != TotalMode::kNone) {
    parts.push_back(query.total == TotalMode::kEstimate ? "total estimate" : "total accurate");
  }
  if (query.summary != SummaryMode::kFalse) {
    constexpr const char* kSummary[] = {"false", "true", "text", "data", "count"};
    parts.push_back(std::string("summary ") + kSummary[static_cast<int>(query.summary)]);
  }
  if (!query.elements.empty()) {
    std::string elements;
    for (const std::string& e : query.elements) elements += (elements.empty() ? "" : ",") + e;
    parts.push_back("elements " + elements);
  }
  if (query.page_token) parts.push_back("page " + *query.page_token);
  for (const std::string& ignored : query.ignored) parts.push_back("ignored " + ignored);
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

// --- The table -------------------------------------------------------------------------------

struct Case {
  const char* type;
  const char* query;
  // The Describe() of the parse, or "error <code>".
  const char* expected;
  Handling handling = Handling::kStrict;
};

std::string Outcome(const Case& c) {
  const Result<SearchQuery> parsed = ParseSearchQuery(c.type, c.query, c.handling);
  if (!parsed) return "error " + parsed.error().code();
  return Describe(*parsed);
}

void ExpectTable(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(Outcome(c), c.expected) << c.type << "?" << c.query;
  }
}

TEST(ParseSearchQueryTest, StringValuesAndModifiers) {
  ExpectTable({
      {"Patient", "name=Eve", "name = string 'eve'"},
      {"Patient", "name=%C3%89lodie-Ann", "name = string 'elodie ann'"},
      {"Patient", "name=Jo+Ann", "name = string 'jo ann'"},
      {"Patient", "name:exact=Eve", "name:exact = string 'Eve'"},
      {"Patient", "name:contains=EV", "name:contains = string 'ev'"},
      {"Patient", "name:missing=true", "name:missing = missing=true"},
      {"Patient", "name=---", "error search.bad-value"},
      {"Patient", "name:text=x", "error search.bad-modifier"},
      {"Patient", "name:nonsense=x", "error search.bad-modifier"},
      {"Patient", "name:Patient=x", "error search.bad-modifier"},
  });
}

TEST(ParseSearchQueryTest, TokenValuesAndModifiers) {
  ExpectTable({
      {"Observation", "code=http://loinc.org|1234-5", "code = token http://loinc.org|1234-5"},
      {"Observation", "code=%7C1234-5", "code = token |1234-5"},
      {"Observation", "code=1234-5", "code = token 1234-5"},
      {"Observation", "code=http://loinc.org|", "code = token http://loinc.org|"},
      {"Observation", "code=a|b|c", "error search.bad-value"},
      {"Observation", "code=|", "error search.bad-value"},
      {"Observation", "code:text=Body+Height", "code:text = text 'Body Height' ~ 'body height'"},
      {"Observation", "code:not=1234-5", "code:not = token 1234-5"},
      {"Observation", "code:above=http://snomed.info/sct|235856003",
       "code:above = token http://snomed.info/sct|235856003"},
      {"Observation", "code:below=http://snomed.info/sct|235856003",
       "code:below = token http://snomed.info/sct|235856003"},
      {"Observation", "code:in=http://example.org/vs/1", "code:in = uri 'http://example.org/vs/1'"},
      {"Observation", "code:not-in=http://example.org/vs/1",
       "code:not-in = uri 'http://example.org/vs/1'"},
      {"Observation", "code:exact=x", "error search.bad-modifier"},
      {"Observation", "code:identifier=x", "error search.bad-modifier"},
      {"Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345",
       "identifier:of-type = of-type http://terminology.hl7.org/CodeSystem/v2-0203|MR 12345"},
      {"Patient", "identifier:of-type=MR|12345", "error search.bad-value"},
      {"Patient", "identifier=urn:x|a\\|b", "identifier = token urn:x|a|b"},
      {"Patient", "gender=male,female", "gender = token male , token female"},
      {"Patient", "gender:missing=false", "gender:missing = missing=false"},
      {"Patient", "gender:missing=maybe", "error search.bad-value"},
      {"Patient", "active=true", "active = token true"},
  });
}

TEST(ParseSearchQueryTest, DateValuesWithPrefixes) {
  ExpectTable({
      {"Patient", "birthdate=2000",
       "birthdate = date 2000-01-01T00:00:00.000000..2000-12-31T23:59:59.999999"},
      {"Patient", "birthdate=2000-02",
       "birthdate = date 2000-02-01T00:00:00.000000..2000-02-29T23:59:59.999999"},
      {"Patient", "birthdate=eq2000-02-03",
       "birthdate = date 2000-02-03T00:00:00.000000..2000-02-03T23:59:59.999999"},
      {"Observation", "date=ne2013-01-14T10:00",
       "date = ne date 2013-01-14T10:00:00.000000..2013-01-14T10:00:59.999999"},
      {"Observation", "date=gt2013-01-14T10:00:00Z",
       "date = gt date 2013-01-14T10:00:00.000000..2013-01-14T10:00:00.999999"},
      {"Observation", "date=lt2013-01-14T10:00:00%2B05:00",
       "date = lt date 2013-01-14T05:00:00.000000..2013-01-14T05:00:00.999999"},
      // An unencoded '+' arrives as a space.
      {"Observation", "date=ge2013-01-14T10:00:00+05:00",
       "date = ge date 2013-01-14T05:00:00.000000..2013-01-14T05:00:00.999999"},
      {"Observation", "date=le2013-01-14T10:00:00.250-03:00",
       "date = le date 2013-01-14T13:00:00.250000..2013-01-14T13:00:00.250999"},
      {"Observation", "date=sa2013",
       "date = sa date 2013-01-01T00:00:00.000000..2013-12-31T23:59:59.999999"},
      {"Observation", "date=eb2013",
       "date = eb date 2013-01-01T00:00:00.000000..2013-12-31T23:59:59.999999"},
      {"Observation", "date=ap2013",
       "date = ap date 2013-01-01T00:00:00.000000..2013-12-31T23:59:59.999999"},
      {"Observation", "date=ge2013&date=lt2014",
       "date = ge date 2013-01-01T00:00:00.000000..2013-12-31T23:59:59.999999; "
       "date = lt date 2014-01-01T00:00:00.000000..2014-12-31T23:59:59.999999"},
      {"Observation", "date=xx2013", "error search.bad-prefix"},
      {"Observation", "date=2013-13", "error search.bad-value"},
      {"Observation", "date=2013-02-30", "error search.bad-value"},
      {"Observation", "date=2013T", "error search.bad-value"},
      {"Observation", "date=yesterday", "error search.bad-prefix"},
      {"Observation", "date=20130101", "error search.bad-value"},
      {"Observation", "date:exact=2013", "error search.bad-modifier"},
      {"Observation", "date:missing=true", "date:missing = missing=true"},
  });
}

TEST(ParseSearchQueryTest, NumberValuesWithPrefixes) {
  ExpectTable({
      {"RiskAssessment", "probability=100", "probability = number 100 [99.5,100.5]"},
      {"RiskAssessment", "probability=gt0.8", "probability = gt number 0.8 [0.75,0.85]"},
      {"RiskAssessment", "probability=lt0.80", "probability = lt number 0.8 [0.795,0.805]"},
      {"RiskAssessment", "probability=ge1e2", "probability = ge number 100 [50,150]"},
      {"RiskAssessment", "probability=le-1.5", "probability = le number -1.5 [-1.55,-1.45]"},
      {"RiskAssessment", "probability=ne5", "probability = ne number 5 [4.5,5.5]"},
      {"RiskAssessment", "probability=ap5", "probability = ap number 5 [4.5,5.5]"},
      {"RiskAssessment", "probability=sa5,eb6",
       "probability = sa number 5 [4.5,5.5] , eb number 6 [5.5,6.5]"},
      {"RiskAssessment", "probability=zz5", "error search.bad-prefix"},
      {"RiskAssessment", "probability=five", "error search.bad-prefix"},
      {"RiskAssessment", "probability=5x", "error search.bad-value"},
      {"RiskAssessment", "probability=gt", "error search.bad-value"},
  });
}

TEST(ParseSearchQueryTest, QuantityValues) {
  ExpectTable({
      {"Observation", "value-quantity=5.4|http://unitsofmeasure.org|mg",
       "value-quantity = quantity 5.4 [5.35,5.45] http://unitsofmeasure.org|mg = 0.0054 g"},
      {"Observation", "value-quantity=5.4||mg",
       "value-quantity = quantity 5.4 [5.35,5.45] |mg = 0.0054 g"},
      {"Observation", "value-quantity=5.4", "value-quantity = quantity 5.4 [5.35,5.45] | = 5.4 "},
      {"Observation", "value-quantity=lt1|http://unitsofmeasure.org|kg",
       "value-quantity = lt quantity 1 [0.5,1.5] http://unitsofmeasure.org|kg = 1000 g"},
      {"Observation", "value-quantity=ap5|urn:x|tablets",
       "value-quantity = ap quantity 5 [4.5,5.5] urn:x|tablets = 5 tablets"},
      {"Observation", "value-quantity=5.4|mg", "error search.bad-value"},
      {"Observation", "value-quantity=|http://unitsofmeasure.org|mg", "error search.bad-value"},
      {"Observation", "value-quantity=mg5", "error search.bad-prefix"},
  });
}

TEST(ParseSearchQueryTest, ReferenceValues) {
  ExpectTable({
      {"Observation", "subject=Patient/123", "subject = ref Patient/123"},
      {"Observation", "subject=Patient/123/_history/2", "subject = ref Patient/123 version=2"},
      // A bare id: any type when the parameter has several targets, else its only target.
      {"Observation", "subject=123", "subject = ref /123"},
      {"Observation", "patient=123", "patient = ref Patient/123"},
      {"Observation", "subject:Patient=123", "subject:Patient = ref Patient/123"},
      {"Observation", "subject:Group=Group/7", "subject:Group = ref Group/7"},
      {"Observation", "subject:Group=Patient/7", "error search.bad-value"},
      {"Observation", "subject:Practitioner=1", "error search.bad-modifier"},
      {"Observation", "subject=Practitioner/1", "error search.bad-value"},
      {"Observation", "subject=http://example.org/fhir/Patient/1",
       "subject = ref Patient/ url=http://example.org/fhir/Patient/1"},
      {"Observation", "subject=urn:uuid:0f0e", "subject = ref url=urn:uuid:0f0e"},
      {"QuestionnaireResponse", "questionnaire=http://example.org/Questionnaire/q%7C2.0",
       "questionnaire = ref Questionnaire/ url=http://example.org/Questionnaire/q version=2.0"},
      {"Observation", "subject:identifier=urn:mrn|77",
       "subject:identifier = ref identifier=urn:mrn|77"},
      {"Observation", "subject:identifier=77", "subject:identifier = ref identifier=|77"},
      {"Observation", "subject:identifier=urn:mrn|", "error search.bad-value"},
      {"Observation", "subject:missing=true", "subject:missing = missing=true"},
      {"Observation", "subject=bad%20id", "error search.bad-value"},
      {"Observation", "subject=Nonsense/1", "error search.bad-value"},
      {"Observation", "subject:text=x", "error search.bad-modifier"},
      {"Observation", "subject:above=x", "error search.bad-modifier"},
  });
}

TEST(ParseSearchQueryTest, UriValuesAndModifiers) {
  ExpectTable({
      {"ValueSet", "url=http://acme.org/fhir/ValueSet/123",
       "url = uri 'http://acme.org/fhir/ValueSet/123'"},
      {"ValueSet", "url:below=http://acme.org/fhir/", "url:below = uri 'http://acme.org/fhir/'"},
      {"ValueSet", "url:above=http://acme.org/fhir/ValueSet/123/_history/5",
       "url:above = uri 'http://acme.org/fhir/ValueSet/123/_history/5'"},
      {"ValueSet", "url:contains=acme", "url:contains = uri 'acme'"},
      {"ValueSet", "url:exact=x", "error search.bad-modifier"},
      {"ValueSet", "url:not=x", "error search.bad-modifier"},
  });
}

TEST(ParseSearchQueryTest, CompositeValues) {
  ExpectTable({
      {"Observation",
       "code-value-quantity=http://loinc.org|8480-6$gt100|http://unitsofmeasure.org|mm[Hg]",
       "code-value-quantity = (token http://loinc.org|8480-6 $ gt quantity 100 [99.5,100.5] "
       "http://unitsofmeasure.org|mm[Hg] = 13332200 g.m-1.s-2)"},
      {"Observation",
       "code-value-concept=http://loinc.org|72166-2$http://snomed.info/sct|449868002",
       "code-value-concept = (token http://loinc.org|72166-2 $ token "
       "http://snomed.info/sct|449868002)"},
      {"Observation", "code-value-date=1234$ge2020",
       "code-value-date = (token 1234 $ ge date "
       "2020-01-01T00:00:00.000000..2020-12-31T23:59:59.999999)"},
      {"Observation", "code-value-quantity=1234", "error search.bad-value"},
      {"Observation", "code-value-quantity=1234$5$6", "error search.bad-value"},
      {"Observation", "code-value-quantity=1234$xx5", "error search.bad-prefix"},
      {"Observation", "code-value-string=a\\$b$c\\,d",
       "code-value-string = (token a$b $ string 'c d')"},
      // The R4 composites are defined with multipleOr false: a single value each (AND them).
      {"ValueSet", "context-type-value=a$b", "context-type-value = (token a $ token b)"},
      {"ValueSet", "context-type-value=a$b,c$d", "error search.bad-value"},
      {"Observation", "code-value-concept=1$2,3$4", "error search.bad-value"},
      {"Observation", "code-value-concept=1$2&code-value-concept=3$4",
       "code-value-concept = (token 1 $ token 2); code-value-concept = (token 3 $ token 4)"},
      {"Observation", "code-value-quantity:missing=true",
       "code-value-quantity:missing = missing=true"},
      {"Observation", "code-value-quantity:exact=1$2", "error search.bad-modifier"},
  });
}

TEST(ParseSearchQueryTest, OrListsAndEscapes) {
  ExpectTable({
      {"Patient", "name=a,b,c", "name = string 'a' , string 'b' , string 'c'"},
      {"Patient", "name:exact=a\\,b", "name:exact = string 'a,b'"},
      {"Patient", "name:exact=a\\\\,b", "name:exact = string 'a\\' , string 'b'"},
      {"Patient", "name:exact=a\\b", "name:exact = string 'a\\b'"},
      {"Patient", "name=a,,b", "error search.bad-value"},
      {"Patient", "name=a&name=b", "name = string 'a'; name = string 'b'"},
  });
}

TEST(ParseSearchQueryTest, Chains) {
  ExpectTable({
      {"Observation", "subject:Patient.name=peter", "subject:Patient.name = string 'peter'"},
      {"Observation", "patient.name=peter", "patient:Patient.name = string 'peter'"},
      {"Observation", "patient.birthdate=ge2000",
       "patient:Patient.birthdate = ge date "
       "2000-01-01T00:00:00.000000..2000-12-31T23:59:59.999999"},
      // subject may be a Patient, Group, Device or Location; several have `name`.
      {"Observation", "subject.name=peter", "error search.bad-chain"},
      {"Observation", "subject:Patient.organization.name=acme",
       "subject:Patient.organization:Organization.name = string 'acme'"},
      {"Observation", "subject:Patient.organization.partof.name=acme",
       "subject:Patient.organization:Organization.partof:Organization.name = string 'acme'"},
      {"Observation", "subject:Patient.organization.partof.partof.name=acme",
       "error search.too-complex"},
      {"Observation", "code.name=x", "error search.bad-chain"},
      {"Observation", "subject:Practitioner.name=x", "error search.bad-chain"},
      {"Observation", "subject:Nonsense.name=x", "error search.bad-chain"},
      {"Observation", "subject:Patient.nonsense=x", "error search.unknown-parameter"},
      {"Observation", "subject:Patient.nonsense=x", "ignored subject:Patient.nonsense",
       Handling::kLenient},
      {"Observation", "patient.name:exact=Peter", "patient:Patient.name:exact = string 'Peter'"},
      {"Observation", "patient.gender:nonsense=x", "error search.bad-modifier"},
      // encounter may be an Encounter or an EpisodeOfCare; both have `patient`.
      {"Observation", "encounter.patient.name=x", "error search.bad-chain"},
      {"Observation", "encounter:Encounter.patient.name=x",
       "encounter:Encounter.patient:Patient.name = string 'x'"},
  });
}

TEST(ParseSearchQueryTest, ReverseChains) {
  ExpectTable({
      {"Patient", "_has:Observation:patient:code=1234",
       "_has:Observation:patient:code = token 1234"},
      {"Patient", "_has:Observation:subject:code:text=bp",
       "_has:Observation:subject:code:text = text 'bp' ~ 'bp'"},
      {"Patient", "_has:Observation:patient:_has:AuditEvent:entity:agent=Practitioner/1",
       "_has:Observation:patient:_has:AuditEvent:entity:agent = ref Practitioner/1"},
      {"Patient", "_has:Observation:patient:encounter:Encounter.status=finished",
       "_has:Observation:patient:encounter:Encounter.status = token finished"},
      {"Patient",
       "_has:Observation:patient:_has:Observation:has-member:_has:Observation:has-member:_has:"
       "Observation:has-member:code=1",
       "error search.too-complex"},
      {"Patient", "_has:Observation:code:code=1", "error search.bad-chain"},
      {"Patient", "_has:Nonsense:patient:code=1", "error search.bad-chain"},
      {"Patient", "_has:Observation:patient=1", "error search.bad-chain"},
      {"Patient", "_has:Observation:nonsense:code=1", "error search.unknown-parameter"},
      {"Patient", "_has:Observation:patient:nonsense=1", "error search.unknown-parameter"},
      {"Patient", "_has:Observation:patient:nonsense=1",
       "ignored _has:Observation:patient:nonsense", Handling::kLenient},
      {"Practitioner", "_has:Observation:patient:code=1", "error search.bad-chain"},
  });
}

TEST(ParseSearchQueryTest, Includes) {
  ExpectTable({
      {"Observation", "_include=Observation:subject", "include Observation:subject"},
      {"Observation", "_include=Observation:subject:Patient",
       "include Observation:subject:Patient"},
      {"Observation", "_include=*", "include *:*"},
      {"Observation", "_include=Observation:*", "include Observation:*"},
      {"Observation", "_include:iterate=Patient:organization",
       "include Patient:organization iterate"},
      {"Observation", "_include:recurse=Patient:organization",
       "include Patient:organization iterate"},
      {"Patient", "_revinclude=Provenance:target", "revinclude Provenance:target"},
      {"Patient", "_revinclude=Observation:subject&_revinclude:iterate=Provenance:target",
       "revinclude Observation:subject; revinclude Provenance:target iterate"},
      {"Observation", "_include=Patient:organization", "error search.bad-include"},
      {"Observation", "_include=Observation:code", "error search.bad-include"},
      {"Observation", "_include=Observation", "error search.bad-include"},
      {"Observation", "_include=Nonsense:x", "error search.bad-include"},
      {"Observation", "_include=Observation:subject:Practitioner", "error search.bad-include"},
      {"Observation", "_include:deep=Observation:subject", "error search.bad-include"},
      {"Patient", "_revinclude=Observation:performer:Practitioner", "error search.bad-include"},
      {"Practitioner", "_revinclude=Observation:patient", "error search.bad-include"},
  });
}

TEST(ParseSearchQueryTest, ResultParameters) {
  ExpectTable({
      {"Observation", "_sort=date,-_lastUpdated,_id", "sort date,-_lastUpdated,_id"},
      {"Observation", "_sort=-code", "sort -code"},
      {"Observation", "_sort=nonsense", "error search.bad-sort"},
      {"Observation", "_sort=code-value-quantity", "error search.bad-sort"},
      {"Observation", "_sort=date,", "error search.bad-sort"},
      {"Observation", "_sort=date&_sort=code", "error search.bad-sort"},
      {"Observation", "_sort=a,b,c,d,e,f,g,h,i", "error search.bad-sort"},
      {"Observation", "_count=10", "count 10"},
      {"Observation", "_count=0", "count 0"},
      {"Observation", "_count=5000", "count 1000"},
      {"Observation", "_count=99999999999999999999999", "count 1000"},
      {"Observation", "_count=-1", "error search.bad-count"},
      {"Observation", "_count=1.5", "error search.bad-count"},
      {"Observation", "_count=ten", "error search.bad-count"},
      {"Observation", "_count=1&_count=2", "error search.bad-count"},
      {"Observation", "_total=accurate", "total accurate"},
      {"Observation", "_total=estimate", "total estimate"},
      {"Observation", "_total=none", ""},
      {"Observation", "_total=maybe", "error search.bad-value"},
      {"Observation", "_summary=count", "summary count"},
      {"Observation", "_summary=true", "summary true"},
      {"Observation", "_summary=text", "summary text"},
      {"Observation", "_summary=data", "summary data"},
      {"Observation", "_summary=false", ""},
      {"Observation", "_summary=some", "error search.bad-value"},
      {"Observation", "_elements=status,code,value", "elements status,code,value"},
      {"Observation", "_elements=valueQuantity", "elements valueQuantity"},
      {"Observation", "_elements=nonsense", "error search.bad-value"},
      {"Observation", "_elements=code.coding", "error search.bad-value"},
      {"Observation", "_page=c2VhcmNo-1_x.y~", "page c2VhcmNo-1_x.y~"},
      {"Observation", "_page=a%20b", "error search.bad-value"},
      {"Observation", "_page=a&_page=b", "error search.bad-value"},
      {"Observation", "_count:exact=1", "error search.bad-modifier"},
      {"Observation", "_format=json&_pretty=true", ""},
  });
}

TEST(ParseSearchQueryTest, CommonParameters) {
  ExpectTable({
      {"Observation", "_id=a1,b2", "_id = token a1 , token b2"},
      {"Observation", "_lastUpdated=gt2020-01-01T00:00:00Z",
       "_lastUpdated = gt date 2020-01-01T00:00:00.000000..2020-01-01T00:00:00.999999"},
      {"Observation", "_tag=urn:t|a", "_tag = token urn:t|a"},
      {"Observation", "_security:not=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R",
       "_security:not = token http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R"},
      {"Observation", "_profile=http://example.org/sd", "_profile = uri 'http://example.org/sd'"},
      {"Observation", "_source=urn:src", "_source = uri 'urn:src'"},
      {"Observation", "_text=fever", "_text = string 'fever'"},
      {"Observation", "_content=Fever", "_content = string 'fever'"},
      {"Observation", "_list=42", "? = ref List/42"},
      {"Observation", "_list=$current-problems", "? = raw '$current-problems'"},
      {"Observation", "_list:missing=true", "?:missing = missing=true"},
      {"Observation", "_list:exact=42", "error search.bad-modifier"},
      {"Observation", "_query=x", "error search.unknown-parameter"},
      {"Observation", "_type=Patient", "error search.unknown-parameter"},
      {"Observation", "_type=Patient", "ignored _type", Handling::kLenient},
  });
}

TEST(ParseSearchQueryTest, SystemSearch) {
  ExpectTable({
      {"", "_id=1&_type=Patient,Observation", "_id = token 1; types Patient,Observation"},
      {"", "_lastUpdated=gt2020&_sort=-_lastUpdated",
       "_lastUpdated = gt date 2020-01-01T00:00:00.000000..2020-12-31T23:59:59.999999; "
       "sort -_lastUpdated"},
      {"", "_type=Nonsense", "error search.bad-value"},
      {"", "_type=Patient&_type=Group", "error search.bad-value"},
      {"", "name=x", "error search.unknown-parameter"},
      {"", "name=x", "ignored name", Handling::kLenient},
      {"", "_has:Observation:patient:code=1", "error search.bad-chain"},
      {"", "_sort=name", "error search.bad-sort"},
      {"", "_elements=anything", "elements anything"},
      {"", "_include=Observation:subject", "include Observation:subject"},
  });
}

TEST(ParseSearchQueryTest, StrictAndLenientHandling) {
  ExpectTable({
      {"Patient", "nonsense=1&name=x", "error search.unknown-parameter"},
      {"Patient", "nonsense=1&name=x", "name = string 'x'; ignored nonsense", Handling::kLenient},
      {"Patient", "nonsense:exact=1", "ignored nonsense:exact", Handling::kLenient},
      // Bad values and modifiers of known parameters are errors either way.
      {"Patient", "birthdate=soon", "error search.bad-prefix", Handling::kLenient},
      {"Patient", "name:bogus=x", "error search.bad-modifier", Handling::kLenient},
  });
}

TEST(ParseSearchQueryTest, EncodingAndEmptyParameters) {
  ExpectTable({
      {"Patient", "na%6De=x", "name = string 'x'"},
      {"Patient", "name=%E2%82%AC", "name = string '\xE2\x82\xAC'"},
      {"Patient", "name=%ZZ", "error search.bad-encoding"},
      {"Patient", "name=%4", "error search.bad-encoding"},
      {"Patient", "name=%FF", "error search.bad-encoding"},
      {"Patient", "name=%C0%AF", "error search.bad-encoding"},
      {"Patient", "name=a%00b", "error search.bad-encoding"},
      {"Patient", "name=a%0Ab", "error search.bad-encoding"},
      {"Patient", "name=&&gender=male&", "gender = token male"},
      {"Patient", "name", ""},
      {"Patient", "=x", "error search.unknown-parameter"},
      {"Patient", "", ""},
  });
}

TEST(ParseSearchQueryTest, UnknownTypeFails) {
  const Result<SearchQuery> parsed = ParseSearchQuery("Nonsense", "name=x", Handling::kStrict);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code(), "search.unknown-type");
  EXPECT_EQ(parsed.error().category(), ErrorCategory::kInvalid);
  EXPECT_FALSE(ParseSearchQuery("Resource", "", Handling::kStrict).has_value());
}

TEST(ParseSearchQueryTest, LimitsGiveTooComplex) {
  std::string many_parameters;
  for (int i = 0; i <= static_cast<int>(kMaxParameters); ++i) many_parameters += "name=a&";
  EXPECT_EQ(Outcome({"Patient", many_parameters.c_str(), ""}), "error search.too-complex");
  std::string many_values = "name=a";
  for (int i = 0; i < static_cast<int>(kMaxValuesPerCriterion); ++i) many_values += ",a";
  EXPECT_EQ(Outcome({"Patient", many_values.c_str(), ""}), "error search.too-complex");
}

TEST(ParseSearchQueryTest, CriteriaKnowTheirParameterAndType) {
  const Result<SearchQuery> parsed = ParseSearchQuery(
      "Observation", "_id=1&code=2&patient.name=x&_has:Provenance:target:agent=Practitioner/1",
      Handling::kStrict);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->criteria.size(), 4u);
  EXPECT_EQ(parsed->type, "Observation");
  EXPECT_EQ(parsed->criteria[0].common, CommonParam::kId);
  EXPECT_EQ(parsed->criteria[0].param, FindSearchParam("Observation", "_id"));
  EXPECT_EQ(parsed->criteria[0].type, SearchParamType::kToken);
  EXPECT_EQ(parsed->criteria[1].common, CommonParam::kNone);
  EXPECT_EQ(parsed->criteria[1].param, FindSearchParam("Observation", "code"));
  EXPECT_EQ(parsed->criteria[2].param, FindSearchParam("Patient", "name"));
  EXPECT_EQ(parsed->criteria[2].type, SearchParamType::kString);
  ASSERT_EQ(parsed->criteria[2].chain.size(), 1u);
  EXPECT_EQ(parsed->criteria[2].chain[0].param, FindSearchParam("Observation", "patient"));
  EXPECT_EQ(parsed->criteria[3].param, FindSearchParam("Provenance", "agent"));
  EXPECT_EQ(parsed->criteria[3].type, SearchParamType::kReference);
  ASSERT_EQ(parsed->criteria[3].has.size(), 1u);
  EXPECT_EQ(parsed->criteria[3].has[0].type, "Provenance");
  EXPECT_EQ(parsed->criteria[3].has[0].reference_param, FindSearchParam("Provenance", "target"));
  EXPECT_EQ(parsed->criteria[0].values[0].raw, "1");
}

TEST(ParseSearchQueryTest, MessagesNameTheParameterButNotTheValue) {
  for (const char* query :
       {"birthdate=SECRET1", "name:exact=SECRET1&name:bogus=SECRET1", "value-quantity=SECRET1|x",
        "subject=SECRET1/x", "_count=SECRET1", "identifier:of-type=SECRET1"}) {
    const Result<SearchQuery> parsed = ParseSearchQuery("Patient", query, Handling::kStrict);
    ASSERT_FALSE(parsed.has_value()) << query;
    EXPECT_EQ(parsed.error().message().find("SECRET1"), std::string::npos)
        << parsed.error().message();
  }
  const Result<SearchQuery> parsed =
      ParseSearchQuery("Patient", "birthdate=SECRET1", Handling::kStrict);
  EXPECT_NE(parsed.error().message().find("birthdate"), std::string::npos);
}

// --- Canonical form --------------------------------------------------------------------------

TEST(CanonicalQueryStringTest, SortsEncodesAndNamesChainTargets) {
  const struct {
    const char* type;
    const char* query;
    const char* canonical;
  } kCases[] = {
      {"Patient", "name=b&gender=male&name=a", "gender=male&name=a&name=b"},
      {"Observation", "code=http://loinc.org|1234&_count=5&_sort=-date",
       "code=http://loinc.org%7C1234&_sort=-date&_count=5"},
      {"Observation", "patient.name=Jo+Ann", "patient:Patient.name=Jo%20Ann"},
      {"Patient", "name:exact=a\\,b,c", "name:exact=a%5C,b,c"},
      {"Observation", "date=ge2013-01-14T10:00:00+05:00", "date=ge2013-01-14T10:00:00%2005:00"},
      {"Observation", "_include:iterate=Patient:organization&_include=Observation:subject",
       "_include:iterate=Patient:organization&_include=Observation:subject"},
      {"Patient", "_has:Observation:patient:code=1&_total=accurate&_summary=count",
       "_has:Observation:patient:code=1&_total=accurate&_summary=count"},
      {"Patient", "_page=abc&nonsense=1&name=x", "name=x"},
      {"", "_type=Patient,Group&_id=1&_elements=id", "_id=1&_type=Patient,Group&_elements=id"},
  };
  for (const auto& c : kCases) {
    const Result<SearchQuery> parsed = ParseSearchQuery(c.type, c.query, Handling::kLenient);
    ASSERT_TRUE(parsed.has_value()) << c.query << ": " << parsed.error().message();
    EXPECT_EQ(CanonicalQueryString(*parsed), c.canonical) << c.query;
  }
}

TEST(CanonicalQueryStringTest, ParsesBackToTheSameQuery) {
  const struct {
    const char* type;
    const char* query;
  } kCases[] = {
      {"Observation",
       "code-value-quantity=http://loinc.org|8480-6$gt100|http://unitsofmeasure.org|mm[Hg]"},
      {"Observation", "code-value-string=a\\$b$c\\,d&subject:identifier=urn:x|a\\|b"},
      {"Observation", "subject:Patient=1&_include=*&_revinclude=Provenance:target"},
      {"Patient", "name=%E2%82%AC&birthdate=sa2000,eb1990&_elements=name,gender"},
      {"Observation", "_has:Provenance:target:agent:Practitioner=1&code:text=a+b"},
      {"Patient", "identifier:of-type=http://x|MR|1&gender:missing=true&_list=42"},
  };
  for (const auto& c : kCases) {
    const Result<SearchQuery> parsed = ParseSearchQuery(c.type, c.query, Handling::kStrict);
    ASSERT_TRUE(parsed.has_value()) << c.query << ": " << parsed.error().message();
    const std::string canonical = CanonicalQueryString(*parsed);
    const Result<SearchQuery> again = ParseSearchQuery(c.type, canonical, Handling::kStrict);
    ASSERT_TRUE(again.has_value()) << canonical << ": " << again.error().message();
    EXPECT_EQ(CanonicalQueryString(*again), canonical);
    // The same criteria (as a set: the canonical form sorts them) and result parameters.
    std::vector<std::string> before;
    std::vector<std::string> after;
    for (const Criterion& criterion : parsed->criteria) {
      SearchQuery one;
      one.criteria.push_back(criterion);
      before.push_back(Describe(one));
    }
    for (const Criterion& criterion : again->criteria) {
      SearchQuery one;
      one.criteria.push_back(criterion);
      after.push_back(Describe(one));
    }
    std::sort(before.begin(), before.end());
    std::sort(after.begin(), after.end());
    EXPECT_EQ(before, after) << c.query;
  }
}

}  // namespace
}  // namespace chartroom::fhir::search
