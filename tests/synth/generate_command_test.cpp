// `chartroom generate`, run in-process through RunGenerate with stdout and stderr captured.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace chartroom::cli {
namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int exit_code;
  std::string out;
  std::string err;
};

CommandRun RunWith(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = RunGenerate(views);
  std::string out = ::testing::internal::GetCapturedStdout();
  return {code, out, ::testing::internal::GetCapturedStderr()};
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class GenerateCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("generate_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(GenerateCommandTest, WritesTheBulkDataFilesAndIsRepeatable) {
  const CommandRun run = RunWith({"--patients", "25", "--seed", "9", "--out", (dir_ / "a").string(),
                                  "--reference-date", "2024-06-30"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"Patient.ndjson\":25"), std::string::npos) << run.out;
  for (const char* file :
       {"Patient.ndjson", "Encounter.ndjson", "Observation.ndjson", "DocumentReference.ndjson",
        "duplicates.csv", "not-duplicates.csv", "phi-spans.ndjson"}) {
    EXPECT_TRUE(fs::exists(dir_ / "a" / file)) << file;
  }
  ASSERT_EQ(RunWith({"--out", (dir_ / "b").string(), "--patients", "25", "--seed", "9",
                     "--reference-date", "2024-06-30"})
                .exit_code,
            0);
  EXPECT_EQ(Slurp(dir_ / "a" / "Observation.ndjson"), Slurp(dir_ / "b" / "Observation.ndjson"));
  EXPECT_EQ(Slurp(dir_ / "a" / "Patient.ndjson"), Slurp(dir_ / "b" / "Patient.ndjson"));
}

TEST_F(GenerateCommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunWith({"--out", dir_.string()}).exit_code, 2);  // no --patients
  EXPECT_EQ(RunWith({"--patients", "10"}).exit_code, 2);      // no --out
  EXPECT_EQ(RunWith({"--patients", "ten", "--out", dir_.string()}).exit_code, 2);
  EXPECT_EQ(RunWith({"--patients", "10", "--out", dir_.string(), "--duplicates", "0.9"}).exit_code,
            2);
  EXPECT_EQ(RunWith({"--patients", "10", "--out", dir_.string(), "--bogus", "1"}).exit_code, 2);
  EXPECT_EQ(RunWith({"--help"}).exit_code, 0);
}

}  // namespace
}  // namespace chartroom::cli
