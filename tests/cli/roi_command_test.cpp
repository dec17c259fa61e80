// Runs the real `chartroom roi` on a data directory filled by `chartroom import`: a request
// taken from intake to a packet file and the accounting, with the exit codes of refusals.

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "run_chartroom.hpp"

namespace chartroom::cli {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::temp_directory_path() / ("roi-cli-" + std::to_string(::getpid()));

Ran Command(const std::string& arguments) { return RunChartroom(arguments, kDir / "data"); }

fs::path Write(const std::string& name, const std::string& text) {
  const fs::path path = kDir / name;
  std::ofstream(path) << text;
  return path;
}

std::string Intake(std::string_view family) {
  return R"({"requester":{"type":"public-health","name":"County Health Department"},)"
         R"("patient":"p1","identification":{"family":")" +
         std::string(family) +
         R"(","given":"Ann","birth_date":"1970-06-15"},"requested":{"record_types":)"
         R"(["problems"]},"purpose":"public-health"})";
}

TEST(RoiCommandTest, ARequestGoesFromIntakeToAPacketFileAndIntoTheAccounting) {
  fs::remove_all(kDir);
  fs::create_directories(kDir / "in");
  std::ofstream(kDir / "in" / "Patient.ndjson")
      << R"({"resourceType":"Patient","id":"p1","name":[{"family":"Example","given":["Ann"]}],)"
         R"("birthDate":"1970-06-15"})"
      << "\n";
  std::ofstream(kDir / "in" / "Condition.ndjson")
      << R"({"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},)"
         R"("code":{"text":"Influenza"},"recordedDate":"2024-01-10"})"
      << "\n";
  const Ran imported = Command("import --no-match " + (kDir / "in").string());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  EXPECT_EQ(Command("roi intake " + Write("wrong.json", Intake("Sample")).string()).exit_code, 3);
  const Ran intake = Command("roi intake " + Write("intake.json", Intake("Example")).string());
  ASSERT_EQ(intake.exit_code, 0) << intake.err;
  EXPECT_EQ(boost::json::parse(intake.out).at("id").as_string(), "R-000001");

  const Ran fulfil = Command("roi fulfil R-000001");
  ASSERT_EQ(fulfil.exit_code, 0) << fulfil.err;
  EXPECT_EQ(boost::json::parse(fulfil.out).at("status").as_string(), "fulfilled");
  EXPECT_EQ(Command("roi fulfil R-000001").exit_code, 3);  // closed
  EXPECT_EQ(Command("roi show R-000009").exit_code, 1);

  ASSERT_EQ(Command("roi packet R-000001 --out " + (kDir / "p.pdf").string()).exit_code, 0);
  std::ifstream pdf(kDir / "p.pdf", std::ios::binary);
  std::string head(5, '\0');
  pdf.read(head.data(), 5);
  EXPECT_EQ(head, "%PDF-");
  ASSERT_EQ(Command("roi packet R-000001 --bundle --out " + (kDir / "p.json").string()).exit_code,
            0);
  std::ifstream bundle(kDir / "p.json");
  const std::string bundle_text((std::istreambuf_iterator<char>(bundle)), {});
  EXPECT_NE(bundle_text.find(R"("id":"c1")"), std::string::npos);

  const Ran accounting = Command("roi accounting p1");
  ASSERT_EQ(accounting.exit_code, 0) << accounting.err;
  EXPECT_NE(accounting.out.find("County Health Department"), std::string::npos);
  EXPECT_EQ(Command("roi queue").out, "{\"requests\":[]}\n");  // nothing open
  EXPECT_EQ(Command("roi queue --status lost").exit_code, 2);
  EXPECT_EQ(Command("roi packet R-000001").exit_code, 2);  // no --out

  // Every change is in the audit trail, and the trail verifies.
  const Ran verify = Command("audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.err << verify.out;
  fs::remove_all(kDir);
}

}  // namespace
}  // namespace chartroom::cli
