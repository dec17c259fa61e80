// `chartroom validate`, run in-process through RunValidate with stdout and stderr captured.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>

#include "cli/commands.hpp"

namespace chartroom::cli {
namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int exit_code;
  std::vector<boost::json::value> outcomes;  // one per stdout line
  std::string err;
};

CommandRun RunWith(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = RunValidate(views);
  const std::string out = ::testing::internal::GetCapturedStdout();
  CommandRun run{code, {}, ::testing::internal::GetCapturedStderr()};
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    run.outcomes.push_back(boost::json::parse(line));
  return run;
}

// The details codes of an OperationOutcome's issues.
std::vector<std::string> Codes(const boost::json::value& outcome) {
  std::vector<std::string> out;
  for (const boost::json::value& issue : outcome.at("issue").as_array()) {
    out.emplace_back(issue.at("details").at("coding").at(0).at("code").as_string());
  }
  return out;
}

class ValidateCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("validate_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  fs::path dir_;
};

const char kValid[] = R"({"resourceType":"Patient","id":"p1","gender":"female"})";
const char kInvalid[] = R"({"resourceType":"Patient","id":"p1","gender":"girl"})";

TEST_F(ValidateCommandTest, ValidFilePrintsAnInformationOutcomeAndExitsZero) {
  const CommandRun run = RunWith({Write("ok.json", kValid)});
  EXPECT_EQ(run.exit_code, 0);
  ASSERT_EQ(run.outcomes.size(), 1u);
  EXPECT_EQ(run.outcomes[0].at("resourceType").as_string(), "OperationOutcome");
  EXPECT_EQ(Codes(run.outcomes[0]), std::vector<std::string>{"fhir.valid"});
  EXPECT_EQ(run.outcomes[0].at("issue").at(0).at("severity").as_string(), "information");
}

TEST_F(ValidateCommandTest, InvalidFileExitsOneAndNamesTheIssue) {
  const CommandRun run = RunWith({Write("bad.json", kInvalid)});
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.outcomes.size(), 1u);
  EXPECT_EQ(Codes(run.outcomes[0]), std::vector<std::string>{"fhir.binding-code"});
  EXPECT_EQ(run.outcomes[0].at("issue").at(0).at("expression").at(0).as_string(), "Patient.gender");
}

TEST_F(ValidateCommandTest, PrintsOneLinePerFileInArgumentOrder) {
  const CommandRun run = RunWith({Write("a.json", kInvalid), Write("b.json", kValid),
                                  Write("c.json", "{\"resourceType\":\"Patient\",\"foo\":1}")});
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.outcomes.size(), 3u);
  EXPECT_EQ(Codes(run.outcomes[0]), std::vector<std::string>{"fhir.binding-code"});
  EXPECT_EQ(Codes(run.outcomes[1]), std::vector<std::string>{"fhir.valid"});
  EXPECT_EQ(Codes(run.outcomes[2]), std::vector<std::string>{"fhir.unknown-element"});
}

TEST_F(ValidateCommandTest, SyntaxErrorIsAnInvalidResource) {
  const CommandRun run = RunWith({Write("syntax.json", "{\n\"resourceType\": \"Patient\",\n}")});
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.outcomes.size(), 1u);
  EXPECT_EQ(Codes(run.outcomes[0]), std::vector<std::string>{"fhir.json-syntax"});
  EXPECT_EQ(run.outcomes[0].at("issue").at(0).at("location").at(0).as_string(), "line 3, column 1");
}

TEST_F(ValidateCommandTest, WarningsAloneExitZero) {
  const CommandRun run = RunWith({Write(
      "warn.json", R"({"resourceType":"Observation","status":"final","code":{"text":"x"},)"
                   R"("subject":{"reference":"Patient?identifier=http://example.org|1"}})")});
  EXPECT_EQ(run.exit_code, 0);
  ASSERT_EQ(run.outcomes.size(), 1u);
  EXPECT_EQ(Codes(run.outcomes[0]), std::vector<std::string>{"fhir.conditional-reference"});
}

TEST_F(ValidateCommandTest, UnreadableFileExitsTwoButTheOthersAreStillValidated) {
  const CommandRun run = RunWith(
      {(dir_ / "missing.json").string(), Write("bad.json", kInvalid), Write("ok.json", kValid)});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("missing.json"), std::string::npos);
  const CommandRun directory = RunWith({dir_.string()});
  EXPECT_EQ(directory.exit_code, 2);
  EXPECT_TRUE(directory.outcomes.empty());
  ASSERT_EQ(run.outcomes.size(), 2u);
  EXPECT_EQ(Codes(run.outcomes[0]), std::vector<std::string>{"fhir.binding-code"});
  EXPECT_EQ(Codes(run.outcomes[1]), std::vector<std::string>{"fhir.valid"});
}

TEST_F(ValidateCommandTest, ReadsGzipCompressedFiles) {
  const fs::path bundle =
      fs::path(CHARTROOM_SOURCE_DIR) / "tests/data/synthea/patient-bundle-1.json.gz";
  const CommandRun run = RunWith({bundle.string()});
  EXPECT_EQ(run.exit_code, 0);
  ASSERT_EQ(run.outcomes.size(), 1u);
  EXPECT_EQ(Codes(run.outcomes[0]), std::vector<std::string>{"fhir.valid"});
  // Damaged gzip data cannot be read.
  const CommandRun damaged =
      RunWith({Write("damaged.json.gz", std::string("\x1f\x8b\x08\x00garbage"))});
  EXPECT_EQ(damaged.exit_code, 2);
  EXPECT_TRUE(damaged.outcomes.empty());
}

TEST_F(ValidateCommandTest, NdjsonIssuesNameTheirLine) {
  const CommandRun run =
      RunWith({Write("data.ndjson", std::string(kValid) + "\n\n" + kInvalid + "\n" + kValid +
                                        "\n{\"resourceType\":\n")});
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.outcomes.size(), 1u);
  EXPECT_EQ(Codes(run.outcomes[0]),
            (std::vector<std::string>{"fhir.binding-code", "fhir.json-syntax"}));
  const boost::json::array& issues = run.outcomes[0].at("issue").as_array();
  EXPECT_EQ(issues[0].at("location").at(0).as_string(), "line 3");
  EXPECT_EQ(issues[0].at("expression").at(0).as_string(), "Patient.gender");
  EXPECT_EQ(issues[1].at("location").at(0).as_string().subview().substr(0, 7), "line 5,");
}

TEST_F(ValidateCommandTest, DashReadsStdin) {
  std::istringstream input(kInvalid);
  std::streambuf* saved = std::cin.rdbuf(input.rdbuf());
  const CommandRun run = RunWith({"-"});
  std::cin.rdbuf(saved);
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(run.outcomes.size(), 1u);
  EXPECT_EQ(Codes(run.outcomes[0]), std::vector<std::string>{"fhir.binding-code"});
}

TEST_F(ValidateCommandTest, NoArgumentsIsAUsageError) {
  const CommandRun run = RunWith({});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(run.outcomes.empty());
  EXPECT_NE(run.err.find("usage"), std::string::npos);
}

}  // namespace
}  // namespace chartroom::cli
