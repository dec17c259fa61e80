// Black-box tests of `chartroom fhirpath`: they run the real binary and check stdout, stderr and
// the exit-code contract (0 ok, 1 evaluation error, 2 syntax/semantic error, bad input or usage).

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <string>

namespace chartroom::cli {
namespace {

namespace json = boost::json;

struct RunResult {
  int exit_code = -1;
  std::string out;
};

std::string Quote(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

RunResult RunFhirpath(const std::string& args) {
  std::string command = std::string(CHARTROOM_BINARY) + " fhirpath " + args + " 2>/dev/null";
  RunResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

const std::string kPatient = std::string(CHARTROOM_SOURCE_DIR) +
                             "/tests/data/fhirpath-r4/r4/input-json/patient-example.json";

TEST(FhirpathCommandTest, PrintsTypedItemsAsOneJsonArray) {
  RunResult r = RunFhirpath("--input " + Quote(kPatient) + " " +
                            Quote("Patient.name.given.first() | birthDate | gender"));
  ASSERT_EQ(r.exit_code, 0);
  json::value v = json::parse(r.out);
  ASSERT_TRUE(v.is_array());
  ASSERT_EQ(v.as_array().size(), 3u);
  EXPECT_EQ(v.as_array()[0].at("type"), "string");
  EXPECT_EQ(v.as_array()[0].at("value"), "Peter");
  EXPECT_EQ(v.as_array()[1].at("type"), "date");
  EXPECT_EQ(v.as_array()[1].at("value"), "1974-12-25");
  EXPECT_EQ(v.as_array()[2].at("type"), "code");
  EXPECT_EQ(v.as_array()[2].at("value"), "male");
}

TEST(FhirpathCommandTest, ComplexTypesPrintTheirFhirJson) {
  RunResult r = RunFhirpath("--input " + Quote(kPatient) + " " + Quote("Patient.name.first()"));
  ASSERT_EQ(r.exit_code, 0);
  json::value v = json::parse(r.out);
  EXPECT_EQ(v.at(0).at("type"), "HumanName");
  EXPECT_EQ(v.at(0).at("value").at("family"), "Chalmers");
}

TEST(FhirpathCommandTest, ExpressionMayBeginWithMinus) {
  RunResult r = RunFhirpath(Quote("-1.abs()"));
  ASSERT_EQ(r.exit_code, 0);
  json::value v = json::parse(r.out);
  EXPECT_EQ(v.at(0).at("type"), "integer");
  EXPECT_EQ(v.at(0).at("value"), -1);  // polarity binds looser than invocation: -(1.abs())
}

TEST(FhirpathCommandTest, QuantityAndTemporalValues) {
  RunResult r = RunFhirpath(Quote("4.50 'mg' | @2014-01-02T10:30:00Z | @T10:30 | 1.50"));
  ASSERT_EQ(r.exit_code, 0);
  json::value v = json::parse(r.out);
  ASSERT_EQ(v.as_array().size(), 4u);
  EXPECT_EQ(v.at(0).at("type"), "Quantity");
  EXPECT_EQ(v.at(0).at("value").at("unit"), "mg");
  EXPECT_DOUBLE_EQ(v.at(0).at("value").at("value").to_number<double>(), 4.5);
  EXPECT_EQ(v.at(1).at("type"), "dateTime");
  EXPECT_EQ(v.at(1).at("value"), "2014-01-02T10:30:00Z");
  EXPECT_EQ(v.at(2).at("type"), "time");
  EXPECT_EQ(v.at(2).at("value"), "10:30");
  EXPECT_EQ(v.at(3).at("type"), "decimal");
  EXPECT_NE(r.out.find("1.50"), std::string::npos);  // exact digits kept
}

TEST(FhirpathCommandTest, DecimalsFromTheInputPrintInPlainNotation) {
  std::string file = ::testing::TempDir() + "fhirpath_obs.json";
  std::ofstream(file) << R"({"resourceType": "Observation", "status": "final",
    "code": {"text": "weight"}, "valueQuantity": {"value": 64.595, "unit": "kg"}})";
  RunResult r = RunFhirpath("--input " + Quote(file) + " " + Quote("Observation.value.value"));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("64.595"), std::string::npos) << r.out;
  EXPECT_EQ(json::parse(r.out).at(0).at("type"), "decimal");
}

TEST(FhirpathCommandTest, EmptyInputGivesEmptyArrayForPaths) {
  RunResult r = RunFhirpath(Quote("Patient.name"));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(json::parse(r.out), json::array());
}

TEST(FhirpathCommandTest, EnvironmentVariablesAreDefined) {
  RunResult r = RunFhirpath("--input " + Quote(kPatient) + " " + Quote("%resource.id | %ucum"));
  ASSERT_EQ(r.exit_code, 0);
  json::value v = json::parse(r.out);
  EXPECT_EQ(v.at(0).at("value"), "example");
  EXPECT_EQ(v.at(1).at("value"), "http://unitsofmeasure.org");
}

TEST(FhirpathCommandTest, SyntaxErrorExitsTwo) {
  EXPECT_EQ(RunFhirpath(Quote("1 +")).exit_code, 2);
}

TEST(FhirpathCommandTest, SemanticErrorExitsTwo) {
  EXPECT_EQ(RunFhirpath(Quote("Patient.name.foo()")).exit_code, 2);
  EXPECT_EQ(RunFhirpath(Quote("Patient.nmae")).exit_code, 2);
}

TEST(FhirpathCommandTest, EvaluationErrorExitsOne) {
  RunResult r = RunFhirpath(Quote("(1 | 2).single()"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
}

TEST(FhirpathCommandTest, UnreadableOrInvalidInputExitsTwo) {
  EXPECT_EQ(RunFhirpath("--input /nonexistent/file.json " + Quote("1")).exit_code, 2);
  std::string bad = ::testing::TempDir() + "fhirpath_bad.json";
  std::ofstream(bad) << "{not json";
  EXPECT_EQ(RunFhirpath("--input " + Quote(bad) + " " + Quote("1")).exit_code, 2);
}

TEST(FhirpathCommandTest, BadUsageExitsTwo) {
  EXPECT_EQ(RunFhirpath("").exit_code, 2);
  EXPECT_EQ(RunFhirpath("--bogus " + Quote("1")).exit_code, 2);
  EXPECT_EQ(RunFhirpath("--input").exit_code, 2);
}

}  // namespace
}  // namespace chartroom::cli
