// Runs the real `chartroom coding check` on request files: the edits as JSON on stdout, exit 0;
// a request that is not valid: a message and exit 2.

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "coding/load.hpp"
#include "run_chartroom.hpp"

namespace chartroom::cli {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::temp_directory_path() / ("coding-cli-" + std::to_string(::getpid()));

Ran Command(const std::string& arguments) { return RunChartroom(arguments, kData); }

Ran RunCoding(const std::string& file) { return Command("coding check " + file); }

fs::path Write(const std::string& name, const std::string& text) {
  const fs::path path = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::ofstream(path) << text;
  return path;
}

TEST(CodingCommandTest, PrintsTheEditsAsJson) {
  const fs::path file = Write("coding-case.json", R"({"sex": "male", "age_years": 30,
      "discharge_date": "2021-06-01", "diagnoses": [{"code": "O80", "poa": "Y"}]})");
  const Ran ran = RunCoding(file.string());
  fs::remove(file);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  const boost::json::value out = boost::json::parse(ran.out);
  const auto& edits = out.at("edits").as_array();
  ASSERT_FALSE(edits.empty()) << ran.out;
  EXPECT_EQ(edits[0].at("code").as_string(), "sex-conflict");  // O80: a delivery
  EXPECT_EQ(edits[0].at("target").as_string(), "diagnoses[0]");
}

TEST(CodingCommandTest, AnInvalidRequestExitsTwoWithAMessage) {
  const fs::path file = Write("coding-bad.json", R"({"sex": "male", "age_years": "thirty"})");
  const Ran ran = RunCoding(file.string());
  fs::remove(file);
  EXPECT_EQ(ran.exit_code, 2);
  EXPECT_NE(ran.err.find("age_years"), std::string::npos) << ran.err;
  EXPECT_EQ(RunCoding("/nonexistent/case.json").exit_code, 2);
}

TEST(CodingCommandTest, AnImportedReleaseEndsTheCodesItLeavesOut) {
  fs::remove_all(kData);
  // The FY2021 order file again as a release of 2021-10-01, without U07.0.
  auto shipped = coding::ReadReleaseText(fs::path(CHARTROOM_SOURCE_DIR) /
                                         "data/codes/icd10cm-2021/icd10cm-order-Jan-2021.txt.gz");
  ASSERT_TRUE(shipped);
  std::string next;
  std::size_t dropped = 0;
  for (std::size_t at = 0; at < shipped->size();) {
    const std::size_t end = std::min(shipped->find('\n', at), shipped->size());
    const std::string_view line(shipped->data() + at, end - at);
    if (line.substr(6, 7).starts_with("U070 ")) {
      ++dropped;
    } else {
      next.append(line).append("\n");
    }
    at = end + 1;
  }
  ASSERT_EQ(dropped, 1u);
  const fs::path release = Write("order-2022.txt", next);
  const Ran imported = Command("codes import icd10cm-order 2021-10-01 " + release.string());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(Command("codes import icd10cm-order 2021-10-01 /etc/hostname").exit_code, 3);
  EXPECT_EQ(Command("codes import icd10cm-order 2021-13-01 " + release.string()).exit_code, 2);
  fs::remove(release);
  EXPECT_NE(Command("codes list").out.find("2021-10-01\ticd10cm"), std::string::npos);

  auto check = [](const std::string& date) {
    const fs::path file =
        Write("coding-u070.json", R"({"age_years": 20, "discharge_date": ")" + date +
                                      R"(", "diagnoses": [{"code": "U07.0", "poa": "Y"}]})");
    const Ran ran = RunCoding(file.string());
    fs::remove(file);
    return ran.out;
  };
  EXPECT_EQ(check("2021-05-01").find("code-not-valid-on-date"), std::string::npos);
  EXPECT_NE(check("2022-01-15").find("code-not-valid-on-date"), std::string::npos);
  fs::remove_all(kData);
}

}  // namespace
}  // namespace chartroom::cli
