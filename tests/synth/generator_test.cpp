// The synthetic population as a whole: determinism, FHIR validity, resolvable references,
// the duplicate / twin / namesake ground truth, clinical plausibility and the PHI span file.
// One population of a few hundred patients is generated once and shared by the read-only tests.

#include "synth/generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "coding/load.hpp"
#include "fhir/validation/validator.hpp"
#include "synth/calendar.hpp"
#include "synth/tables.hpp"
#include "synth/text.hpp"

namespace chartroom::synth {
namespace {

namespace json = boost::json;

class MemorySink final : public OutputSink {
 public:
  Status Append(OutputFile file, std::string_view bytes) override {
    files[static_cast<std::size_t>(file)] += bytes;
    return Ok();
  }
  const std::string& operator[](OutputFile file) const {
    return files[static_cast<std::size_t>(file)];
  }
  std::array<std::string, kOutputFileCount> files;
};

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return lines;
}

std::vector<std::vector<std::string>> Csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string_view> lines = Lines(text);
  for (std::size_t i = 1; i < lines.size(); ++i) {  // skip the header
    std::vector<std::string> row;
    std::string_view rest = lines[i];
    while (true) {
      const std::size_t comma = rest.find(',');
      row.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

MemorySink GenerateOrDie(const GenerateOptions& options) {
  MemorySink sink;
  Result<GenerateSummary> summary = Generate(options, sink);
  EXPECT_TRUE(summary.has_value()) << (summary ? "" : summary.error().message());
  return sink;
}

// The shared population: 300 patients, the default 5% duplicates.
const MemorySink& Population() {
  static const MemorySink sink = [] {
    GenerateOptions options;
    options.patients = 300;
    options.seed = 42;
    return GenerateOrDie(options);
  }();
  return sink;
}

struct Indexed {
  std::map<std::string, json::value> by_ref;  // "Type/id" -> resource
  std::map<std::string, std::vector<json::value>> by_type;
};

const Indexed& Resources() {
  static const Indexed index = [] {
    Indexed out;
    for (std::size_t i = 0; i < kOutputFileCount; ++i) {
      const auto file = static_cast<OutputFile>(i);
      if (!IsResourceFile(file)) continue;
      for (std::string_view line : Lines(Population()[file])) {
        json::value v = json::parse(line);
        const std::string type(v.at("resourceType").as_string());
        const std::string ref = type + "/" + std::string(v.at("id").as_string());
        out.by_ref.emplace(ref, v);
        out.by_type[type].push_back(std::move(v));
      }
    }
    return out;
  }();
  return index;
}

std::string Str(const json::value& v, std::string_view key) {
  const json::value* found = v.as_object().if_contains(key);
  return found != nullptr && found->is_string() ? std::string(found->as_string()) : "";
}

// The date part of a FHIR date or dateTime.
Days DayOf(std::string_view text) { return *ParseDate(text.substr(0, 10)); }

const json::value& PatientOf(const json::value& resource) {
  const json::object& o = resource.as_object();
  const json::value* subject = o.if_contains("subject");
  if (subject == nullptr) subject = o.if_contains("patient");
  return Resources().by_ref.at(std::string(subject->at("reference").as_string()));
}

TEST(GeneratorTest, SameOptionsGiveIdenticalBytesAndAnotherSeedDoesNot) {
  GenerateOptions options;
  options.patients = 60;
  options.seed = 7;
  const MemorySink first = GenerateOrDie(options);
  const MemorySink second = GenerateOrDie(options);
  for (std::size_t i = 0; i < kOutputFileCount; ++i) {
    EXPECT_EQ(first.files[i], second.files[i]) << FileName(static_cast<OutputFile>(i));
  }
  options.seed = 8;
  const MemorySink other = GenerateOrDie(options);
  EXPECT_NE(first[OutputFile::kPatient], other[OutputFile::kPatient]);
  EXPECT_NE(first[OutputFile::kObservation], other[OutputFile::kObservation]);
}

TEST(GeneratorTest, SmallerPopulationIsAPrefixOfALargerOne) {
  GenerateOptions options;
  options.patients = 30;
  const MemorySink small = GenerateOrDie(options);
  options.patients = 60;
  const MemorySink large = GenerateOrDie(options);
  for (OutputFile file : {OutputFile::kPatient, OutputFile::kEncounter, OutputFile::kPhiSpans}) {
    const std::string& prefix = small[file];
    ASSERT_FALSE(prefix.empty());
    EXPECT_EQ(large[file].substr(0, prefix.size()), prefix) << FileName(file);
    EXPECT_GT(large[file].size(), prefix.size());
  }
}

TEST(GeneratorTest, EveryResourceIsValidFhirR4InTheFileOfItsType) {
  std::size_t checked = 0;
  for (std::size_t i = 0; i < kOutputFileCount; ++i) {
    const auto file = static_cast<OutputFile>(i);
    if (!IsResourceFile(file)) continue;
    const std::string_view name = FileName(file);
    const std::string_view type = name.substr(0, name.find('.'));
    const std::vector<std::string_view> lines = Lines(Population()[file]);
    EXPECT_FALSE(lines.empty()) << name;
    for (std::string_view line : lines) {
      const fhir::ParsedDocument parsed = fhir::ParseAndValidate(line);
      ASSERT_FALSE(parsed.value.is_null()) << name;
      EXPECT_EQ(parsed.value.at("resourceType").as_string(), type);
      for (const fhir::Issue& issue : parsed.outcome.issues()) {
        EXPECT_NE(issue.severity, fhir::IssueSeverity::kError)
            << name << " " << issue.details_code << " at " << issue.expression;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 10000u);
}

void CollectReferences(const json::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [key, child] : v.as_object()) {
      if (key == "reference" && child.is_string()) out.emplace_back(child.as_string());
      CollectReferences(child, out);
    }
  } else if (v.is_array()) {
    for (const json::value& child : v.as_array()) CollectReferences(child, out);
  }
}

TEST(GeneratorTest, EveryReferenceResolvesWithinTheOutput) {
  std::size_t references = 0;
  for (const auto& [ref, resource] : Resources().by_ref) {
    std::vector<std::string> found;
    CollectReferences(resource, found);
    for (const std::string& target : found) {
      EXPECT_TRUE(Resources().by_ref.count(target) == 1) << ref << " -> " << target;
      ++references;
    }
  }
  EXPECT_GT(references, 10000u);
  // Ground-truth files name resources of the output too.
  for (OutputFile file : {OutputFile::kDuplicates, OutputFile::kNotDuplicates}) {
    for (const auto& row : Csv(Population()[file])) {
      EXPECT_EQ(Resources().by_ref.count("Patient/" + row[0]), 1u);
      EXPECT_EQ(Resources().by_ref.count("Patient/" + row[1]), 1u);
    }
  }
}

// ------------------------------------------------------------------------- linkage ground truth

struct Demographics {
  std::string given;
  std::string family;
  std::string birth;
  std::string gender;
  std::string ssn;
  std::string line;
  std::string phone;
};

Demographics Of(const json::value& patient) {
  Demographics d;
  const json::object& name = patient.at("name").at(0).as_object();
  d.family = std::string(name.at("family").as_string());
  d.given = std::string(name.at("given").at(0).as_string());
  d.birth = Str(patient, "birthDate");
  d.gender = Str(patient, "gender");
  for (const json::value& id : patient.at("identifier").as_array()) {
    if (Str(id, "system") == "http://hl7.org/fhir/sid/us-ssn") d.ssn = Str(id, "value");
  }
  d.line = std::string(patient.at("address").at(0).at("line").at(0).as_string());
  d.phone = std::string(patient.at("telecom").at(0).at("value").as_string());
  return d;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

bool Nicknamed(std::string_view a, std::string_view b) {
  for (const Nickname& n : Nicknames()) {
    const bool a_formal = n.formal == a;
    const bool b_formal = n.formal == b;
    if (!a_formal && !b_formal) continue;
    std::string_view other = a_formal ? b : a;
    std::string_view rest = n.nicknames;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      if (rest.substr(0, comma) == other) return true;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return false;
}

bool NameSimilar(std::string_view a, std::string_view b) {
  const std::string fa = AsciiLower(FoldAscii(a));
  const std::string fb = AsciiLower(FoldAscii(b));
  if (EditDistance(fa, fb) <= 2 || Nicknamed(a, b)) return true;
  // A hyphenated surname and one of its parts.
  return (fa.find('-') != std::string::npos && fa.find(fb) != std::string::npos) ||
         (fb.find('-') != std::string::npos && fb.find(fa) != std::string::npos);
}

bool BirthSimilar(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  std::size_t differences = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differences += a[i] != b[i];
  if (differences <= 1) return true;
  // Day and month transposed.
  std::string swapped(a);
  swapped.replace(5, 2, a.substr(8, 2));
  swapped.replace(8, 2, a.substr(5, 2));
  return swapped == b;
}

TEST(GeneratorTest, DuplicatePairsAreNearIdenticalRegistrationsOfOnePerson) {
  const auto pairs = Csv(Population()[OutputFile::kDuplicates]);
  EXPECT_EQ(pairs.size(), 15u);  // 5% of 300
  for (const auto& pair : pairs) {
    const Demographics dup = Of(Resources().by_ref.at("Patient/" + pair[0]));
    const Demographics orig = Of(Resources().by_ref.at("Patient/" + pair[1]));
    EXPECT_NE(pair[0], pair[1]);
    EXPECT_EQ(dup.gender, orig.gender);
    const bool swapped = NameSimilar(dup.given, orig.family) && NameSimilar(dup.family, orig.given);
    const int agreements = (swapped || NameSimilar(dup.given, orig.given)) +
                           (swapped || NameSimilar(dup.family, orig.family)) +
                           BirthSimilar(dup.birth, orig.birth) +
                           (!dup.ssn.empty() && dup.ssn == orig.ssn) + (dup.line == orig.line) +
                           (dup.phone == orig.phone);
    EXPECT_GE(agreements, 3) << pair[0] << " " << pair[1];
    const bool identical = dup.given == orig.given && dup.family == orig.family &&
                           dup.birth == orig.birth && dup.ssn == orig.ssn &&
                           dup.line == orig.line && dup.phone == orig.phone;
    EXPECT_FALSE(identical) << "a duplicate carries at least one registration error";
  }
}

TEST(GeneratorTest, TwinsAndNamesakesAreDistinctPeopleNeverListedAsDuplicates) {
  GenerateOptions options;
  options.patients = 1500;
  options.seed = 3;
  const MemorySink sink = GenerateOrDie(options);
  std::map<std::string, json::value> patients;
  for (std::string_view line : Lines(sink[OutputFile::kPatient])) {
    json::value v = json::parse(line);
    patients.emplace(std::string(v.at("id").as_string()), std::move(v));
  }
  std::set<std::pair<std::string, std::string>> duplicates;
  for (const auto& row : Csv(sink[OutputFile::kDuplicates])) {
    duplicates.insert({row[0], row[1]});
    duplicates.insert({row[1], row[0]});
  }
  int twins = 0;
  int namesakes = 0;
  for (const auto& row : Csv(sink[OutputFile::kNotDuplicates])) {
    ASSERT_EQ(row.size(), 3u);
    EXPECT_EQ(duplicates.count({row[0], row[1]}), 0u);
    const Demographics a = Of(patients.at(row[0]));
    const Demographics b = Of(patients.at(row[1]));
    if (row[2] == "twin") {
      ++twins;
      EXPECT_EQ(a.birth, b.birth);
      EXPECT_EQ(a.line, b.line);
      EXPECT_EQ(a.family, b.family);
      EXPECT_NE(a.given, b.given);
      EXPECT_FALSE(Nicknamed(a.given, b.given));
      EXPECT_EQ(patients.at(row[0]).at("multipleBirthInteger").as_int64(), 2);
      EXPECT_EQ(patients.at(row[1]).at("multipleBirthInteger").as_int64(), 1);
    } else {
      ASSERT_EQ(row[2], "same-name");
      ++namesakes;
      EXPECT_EQ(a.given, b.given);
      EXPECT_EQ(a.family, b.family);
      EXPECT_GE(std::abs(DayOf(a.birth) - DayOf(b.birth)), 730);
    }
  }
  EXPECT_GT(twins, 0);
  EXPECT_GT(namesakes, 0);
}

// ------------------------------------------------------------------------- clinical plausibility

TEST(GeneratorTest, ConditionsFitTheAgeAndSexOfTheirPatient) {
  std::size_t checked = 0;
  for (const json::value& condition : Resources().by_type.at("Condition")) {
    const json::value& patient = PatientOf(condition);
    const std::string code(condition.at("code").at("coding").at(0).at("code").as_string());
    const Diagnosis* dx = FindDiagnosis(code);
    ASSERT_NE(dx, nullptr) << code;
    const std::string gender = Str(patient, "gender");
    if (dx->sex == SexRule::kFemale) {
      EXPECT_EQ(gender, "female") << code;
    }
    if (dx->sex == SexRule::kMale) {
      EXPECT_EQ(gender, "male") << code;
    }
    const Days birth = DayOf(Str(patient, "birthDate"));
    const int age = AgeOn(birth, DayOf(Str(condition, "recordedDate")));
    EXPECT_GE(age, dx->min_age) << code;
    EXPECT_LE(age, dx->max_age) << code;
    EXPECT_GE(DayOf(Str(condition, "onsetDateTime")), birth) << code;
    ++checked;
  }
  EXPECT_GT(checked, 1000u);
}

// The CMS Medicare Code Editor's age and sex edits (public domain), as Chartroom ships them.
TEST(GeneratorTest, ConditionsPassTheMedicareCodeEditorAgeAndSexEdits) {
  auto table = coding::ReadReleaseText(std::filesystem::path(CHARTROOM_SOURCE_DIR) /
                                       "data/codes/mce-v37/MCE_Simple_Code_Edits_v37.txt.gz");
  ASSERT_TRUE(table) << table.error().message();
  std::istringstream in(*table);
  std::map<std::string, std::set<std::string>> edits;  // undotted code -> edit types
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    for (std::string field; std::getline(stream, field, '\t');) fields.push_back(field);
    if (fields.size() >= 7 && fields[5] == "D") edits[fields[6]].insert(fields[4]);
  }
  ASSERT_GT(edits.size(), 1000u);
  std::size_t edited = 0;
  for (const json::value& condition : Resources().by_type.at("Condition")) {
    std::string code(condition.at("code").at("coding").at(0).at("code").as_string());
    code.erase(std::remove(code.begin(), code.end(), '.'), code.end());
    const auto found = edits.find(code);
    if (found == edits.end()) continue;
    const json::value& patient = PatientOf(condition);
    const std::string gender = Str(patient, "gender");
    const int age = AgeOn(DayOf(Str(patient, "birthDate")), DayOf(Str(condition, "recordedDate")));
    for (const std::string& edit : found->second) {
      if (edit == "Female_Only") {
        EXPECT_EQ(gender, "female") << code;
      }
      if (edit == "Male_Only") {
        EXPECT_EQ(gender, "male") << code;
      }
      if (edit == "Newborn_Only") {
        EXPECT_EQ(age, 0) << code;
      }
      if (edit == "Pediatric_Only") {
        EXPECT_LE(age, 17) << code;
      }
      if (edit == "Maternity_Only") {
        EXPECT_TRUE(age >= 12 && age <= 55) << code << " " << age;
      }
      if (edit == "Adult_Only") {
        EXPECT_GE(age, 15) << code;
      }
    }
    ++edited;
  }
  EXPECT_GT(edited, 100u);
}

TEST(GeneratorTest, EncountersFallBetweenBirthAndDeathAndObservationsWithinThem) {
  const Days reference = *ParseDate("2025-01-01");
  for (const json::value& encounter : Resources().by_type.at("Encounter")) {
    const json::value& patient = PatientOf(encounter);
    const Days start = DayOf(Str(encounter.at("period"), "start"));
    EXPECT_GE(start, DayOf(Str(patient, "birthDate")));
    EXPECT_LE(start, reference);
    const std::string deceased = Str(patient, "deceasedDateTime");
    if (!deceased.empty()) {
      EXPECT_LE(start, DayOf(deceased));
    }
    const std::string end = Str(encounter.at("period"), "end");
    EXPECT_EQ(end.empty(), Str(encounter, "status") == "in-progress");
    if (!end.empty()) {
      EXPECT_GE(DayOf(end), start);
    }
  }
  for (const json::value& observation : Resources().by_type.at("Observation")) {
    const json::value& encounter =
        Resources().by_ref.at(std::string(observation.at("encounter").at("reference").as_string()));
    const Days day = DayOf(Str(observation, "effectiveDateTime"));
    EXPECT_GE(day, DayOf(Str(encounter.at("period"), "start")));
    const std::string end = Str(encounter.at("period"), "end");
    if (!end.empty()) {
      EXPECT_LE(day, DayOf(end));
    }
  }
}

TEST(GeneratorTest, IdentifiersAreUniqueAndNeverRealSsns) {
  std::set<std::string> mrns;
  std::size_t ssns = 0;
  for (const json::value& patient : Resources().by_type.at("Patient")) {
    for (const json::value& id : patient.at("identifier").as_array()) {
      const std::string system = Str(id, "system");
      const std::string value = Str(id, "value");
      if (system == "http://hl7.org/fhir/sid/us-ssn") {
        ASSERT_EQ(value.size(), 11u);
        EXPECT_EQ(value[0], '9') << "SSA never issues 9XX area numbers";
        ++ssns;
      } else {
        EXPECT_EQ(system.rfind("https://chartroom.dev/fhir/sid/mrn/", 0), 0u);
        EXPECT_TRUE(mrns.insert(system + "|" + value).second) << "MRN repeated";
      }
    }
  }
  EXPECT_GT(ssns, 200u);
}

// ------------------------------------------------------------------------- notes and PHI spans

std::string Base64Decode(std::string_view in) {
  std::string out;
  int bits = 0;
  unsigned buffer = 0;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+') v = 62;
    if (c == '/') v = 63;
    if (v < 0) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

TEST(GeneratorTest, PhiSpansPointAtThePatientsIdentifiersInTheNotes) {
  std::map<std::string, std::string> notes;  // "DocumentReference/id" -> text
  std::map<std::string, std::string> note_patient;
  for (const json::value& doc : Resources().by_type.at("DocumentReference")) {
    const json::value& attachment = doc.at("content").at(0).at("attachment");
    EXPECT_EQ(Str(attachment, "contentType"), "text/plain");
    const std::string ref = "DocumentReference/" + Str(doc, "id");
    notes[ref] = Base64Decode(attachment.at("data").as_string());
    EXPECT_EQ(static_cast<std::size_t>(attachment.at("size").as_int64()), notes[ref].size());
    note_patient[ref] = std::string(doc.at("subject").at("reference").as_string());
  }
  std::map<std::string, std::set<std::string>> categories;  // per note
  std::size_t spans = 0;
  for (std::string_view line : Lines(Population()[OutputFile::kPhiSpans])) {
    const json::value span = json::parse(line);
    const std::string doc = Str(span, "document");
    ASSERT_EQ(notes.count(doc), 1u) << doc;
    const std::string& text = notes[doc];
    const auto start = static_cast<std::size_t>(span.at("start").as_int64());
    const auto end = static_cast<std::size_t>(span.at("end").as_int64());
    ASSERT_LT(start, end);
    ASSERT_LE(end, text.size());
    EXPECT_EQ(text.substr(start, end - start), Str(span, "text"));
    const std::string category = Str(span, "category");
    categories[doc].insert(category);
    const json::value& patient = Resources().by_ref.at(note_patient[doc]);
    const Demographics who = Of(patient);
    if (category == "mrn") {
      EXPECT_EQ(Str(span, "text"), Str(patient.at("identifier").at(0), "value"));
    } else if (category == "patient-name") {
      const std::string upper = AsciiUpper(Str(span, "text"));
      EXPECT_TRUE(upper.find(AsciiUpper(who.family)) != std::string::npos ||
                  upper.find(AsciiUpper(who.given)) != std::string::npos)
          << Str(span, "text");
    } else if (category == "zip") {
      EXPECT_EQ(Str(span, "text"), Str(patient.at("address").at(0), "postalCode"));
    } else if (category == "phone") {
      EXPECT_NE(Str(span, "text").find(") 555-01"), std::string::npos);
    }
    ++spans;
  }
  EXPECT_GT(spans, 5000u);
  for (const auto& [doc, text] : notes) {
    EXPECT_TRUE(categories[doc].count("patient-name")) << doc;
    EXPECT_TRUE(categories[doc].count("date")) << doc;
    EXPECT_TRUE(categories[doc].count("mrn")) << doc;
  }
}

TEST(GeneratorTest, NotesCoverTheRequiredTypesAndStatuses) {
  std::set<std::string> types;
  std::set<std::string> statuses;
  for (const json::value& doc : Resources().by_type.at("DocumentReference")) {
    types.insert(std::string(doc.at("type").at("coding").at(0).at("code").as_string()));
    statuses.insert(Str(doc, "docStatus"));
  }
  for (const char* code : {"18842-5", "34117-2", "11506-3", "11504-8"}) {
    EXPECT_TRUE(types.count(code)) << code;
  }
  for (const char* status : {"final", "amended"}) {
    EXPECT_TRUE(statuses.count(status)) << status;
  }
}

TEST(GeneratorTest, SensitiveCategoriesArePresent) {
  std::set<Sensitivity> seen;
  for (const json::value& condition : Resources().by_type.at("Condition")) {
    const std::string code(condition.at("code").at("coding").at(0).at("code").as_string());
    seen.insert(FindDiagnosis(code)->sensitivity);
  }
  EXPECT_TRUE(seen.count(Sensitivity::kMentalHealth));
  EXPECT_TRUE(seen.count(Sensitivity::kSubstanceUse));
  EXPECT_TRUE(seen.count(Sensitivity::kReproductive));
}

// ------------------------------------------------------------------------- options and sinks

TEST(GeneratorTest, InvalidOptionsFailBeforeAnythingIsWritten) {
  const auto expect_invalid = [](GenerateOptions options) {
    MemorySink sink;
    Result<GenerateSummary> result = Generate(options, sink);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().category(), ErrorCategory::kInvalid);
    EXPECT_EQ(result.error().code(), "synth.invalid-option");
    for (const std::string& file : sink.files) {
      EXPECT_TRUE(file.empty());
    }
  };
  GenerateOptions options;
  options.patients = 0;
  expect_invalid(options);
  options = {};
  options.duplicate_fraction = 0.9;
  expect_invalid(options);
  options = {};
  options.reference_date = "2025-02-30";
  expect_invalid(options);
  options = {};
  options.mrn_format = "MRN-##";  // room for 100 MRNs only
  options.patients = 101;
  expect_invalid(options);
}

TEST(GeneratorTest, MrnFormatShapesEveryMrn) {
  GenerateOptions options;
  options.patients = 40;
  options.mrn_format = "X@##-#";
  const MemorySink sink = GenerateOrDie(options);
  for (std::string_view line : Lines(sink[OutputFile::kPatient])) {
    const json::value patient = json::parse(line);
    const std::string mrn = Str(patient.at("identifier").at(0), "value");
    ASSERT_EQ(mrn.size(), 6u);
    EXPECT_EQ(mrn[0], 'X');
    EXPECT_TRUE(mrn[1] >= 'A' && mrn[1] <= 'Z');
    EXPECT_EQ(mrn[4], '-');
  }
}

class FailingSink final : public OutputSink {
 public:
  Status Append(OutputFile, std::string_view) override {
    if (++calls_ > 100) return Fail(ErrorCategory::kUnavailable, "test.disk-full", "disk full");
    return Ok();
  }
  int calls() const { return calls_; }

 private:
  int calls_ = 0;
};

TEST(GeneratorTest, SinkFailureStopsGenerationAndIsReturned) {
  GenerateOptions options;
  options.patients = 1000;
  FailingSink sink;
  Result<GenerateSummary> result = Generate(options, sink);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), "test.disk-full");
  EXPECT_EQ(sink.calls(), 101);
}

class CountingSink final : public OutputSink {
 public:
  Status Append(OutputFile, std::string_view bytes) override {
    bytes_ += bytes.size();
    return Ok();
  }
  std::size_t bytes_ = 0;
};

TEST(GeneratorTest, TwoThousandPatientsGenerateInSeconds) {
  GenerateOptions options;
  options.patients = 2000;
  CountingSink sink;
  const auto start = std::chrono::steady_clock::now();
  Result<GenerateSummary> summary = Generate(options, sink);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->lines[static_cast<std::size_t>(OutputFile::kPatient)], 2000u);
  EXPECT_GT(summary->resources, 100'000u);
  // About 1.2 s in the dev build; the bound leaves room for sanitizer builds on a busy machine.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count(), 60);
}

}  // namespace
}  // namespace chartroom::synth
