// Runs the real `chartroom coding check` on request files: the edits as JSON on stdout, exit 0;
// a request that is not valid: a message and exit 2.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace chartroom::cli {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Ran RunCoding(const std::string& file) {
  const fs::path err = fs::temp_directory_path() / ("coding-err-" + std::to_string(::getpid()));
  const std::string command = std::string(CHARTROOM_BINARY) + " coding check " + file + " --data " +
                              (fs::temp_directory_path() / "coding-cli-data").string() + " 2>" +
                              err.string();
  Ran ran;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    ran.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err);
  ran.err.assign(std::istreambuf_iterator<char>(in), {});
  fs::remove(err);
  return ran;
}

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

}  // namespace
}  // namespace chartroom::cli
