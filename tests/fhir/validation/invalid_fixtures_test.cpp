// Every file in tests/data/invalid/ is a small synthetic resource with exactly one defect;
// tests/data/invalid/expected.json records, per file, the check it exercises and the one issue
// (code, FHIRPath expression, severity) validation must report for it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "fhir/validation/validator.hpp"

namespace chartroom::fhir {
namespace {

const std::filesystem::path kDir =
    std::filesystem::path(CHARTROOM_SOURCE_DIR) / "tests/data/invalid";

struct Expectation {
  std::string file;
  std::string check;
  std::string code;
  std::string expression;
  std::string severity;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<Expectation> LoadManifest() {
  std::vector<Expectation> out;
  boost::json::value manifest = boost::json::parse(ReadFile(kDir / "expected.json"));
  for (const boost::json::value& entry : manifest.as_array()) {
    const boost::json::object& o = entry.as_object();
    out.push_back({std::string(o.at("file").as_string()), std::string(o.at("check").as_string()),
                   std::string(o.at("code").as_string()),
                   std::string(o.at("expression").as_string()),
                   std::string(o.at("severity").as_string())});
  }
  return out;
}

class InvalidFixturesTest : public ::testing::TestWithParam<Expectation> {};

TEST_P(InvalidFixturesTest, ValidateReportsExactlyTheExpectedIssue) {
  const Expectation& expected = GetParam();
  SCOPED_TRACE(expected.file + ": " + expected.check);
  const std::string text = ReadFile(kDir / expected.file);
  ASSERT_FALSE(text.empty());
  boost::json::monotonic_resource storage;
  const ParsedDocument parsed = ParseAndValidate(text, &storage);

  std::vector<const Issue*> findings;  // errors and warnings; information does not count
  for (const Issue& issue : parsed.outcome.issues()) {
    if (issue.severity != IssueSeverity::kInformation) findings.push_back(&issue);
  }
  ASSERT_EQ(findings.size(), 1u) << "first: " << (findings.empty() ? "" : findings[0]->details_code)
                                 << " " << (findings.empty() ? "" : findings[0]->expression);
  EXPECT_EQ(findings[0]->details_code, expected.code);
  EXPECT_EQ(findings[0]->expression, expected.expression);
  EXPECT_EQ(IssueSeverityCode(findings[0]->severity), expected.severity);
  EXPECT_FALSE(findings[0]->diagnostics.empty());
}

std::string FixtureName(const ::testing::TestParamInfo<Expectation>& info) {
  std::string name = info.param.file.substr(0, info.param.file.rfind('.'));
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, InvalidFixturesTest, ::testing::ValuesIn(LoadManifest()),
                         FixtureName);

TEST(InvalidFixturesManifestTest, ListsEveryFixtureOnceAndCoversEveryCheck) {
  std::set<std::string> listed;
  std::set<std::string> codes;
  for (const Expectation& e : LoadManifest()) {
    EXPECT_TRUE(listed.insert(e.file).second) << e.file << " is listed twice";
    codes.insert(e.code);
  }
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    const std::string name = entry.path().filename().string();
    if (name == "expected.json") continue;
    EXPECT_TRUE(listed.count(name) == 1) << name << " is not in expected.json";
  }
  EXPECT_GE(listed.size(), 30u);
  for (const char* code : {"fhir.json-syntax",
                           "fhir.duplicate-key",
                           "fhir.json-too-deep",
                           "fhir.resource-type-missing",
                           "fhir.unknown-resource-type",
                           "fhir.unknown-element",
                           "fhir.choice-conflict",
                           "fhir.wrong-json-type",
                           "fhir.invalid-primitive",
                           "fhir.empty-value",
                           "fhir.null-value",
                           "fhir.primitive-array-mismatch",
                           "fhir.cardinality-min",
                           "fhir.cardinality-max",
                           "fhir.binding-code",
                           "fhir.extension-content",
                           "fhir.invalid-reference",
                           "fhir.reference-target",
                           "fhir.reference-unresolved",
                           "fhir.conditional-reference",
                           "fhir.contained-nested",
                           "fhir.contained-unreferenced",
                           "fhir.contained-meta",
                           "fhir.contained-security"}) {
    EXPECT_TRUE(codes.count(code) == 1) << "no fixture for " << code;
  }
}

}  // namespace
}  // namespace chartroom::fhir
