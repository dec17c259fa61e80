// Runs the real `chartroom import` binary on fixtures made here (plain, gzip and zstd), then
// opens the store it wrote, as the server would, to check what landed.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/store_open.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "support/compress.hpp"

namespace chartroom::cli {
namespace {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string output;  // stderr (and stdout)
};

RunResult RunImport(const std::string& args) {
  const std::string command = std::string(CHARTROOM_BINARY) + " import " + args + " 2>&1";
  RunResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

const std::string kBundle = R"({
  "resourceType": "Bundle", "type": "transaction",
  "entry": [
    {"fullUrl": "urn:uuid:7f1c0a52-0000-4000-8000-00000000000a",
     "resource": {"resourceType": "Patient", "id": "7f1c0a52-0000-4000-8000-00000000000a",
                  "name": [{"family": "Testperson"}]}},
    {"fullUrl": "urn:uuid:7f1c0a52-0000-4000-8000-00000000000b",
     "resource": {"resourceType": "Observation", "id": "obs-b", "status": "final",
                  "code": {"text": "a test"},
                  "subject": {"reference": "urn:uuid:7f1c0a52-0000-4000-8000-00000000000a"}}}
  ]
})";

std::string PatientLine(const std::string& id) {
  return R"({"resourceType":"Patient","id":")" + id + R"(","active":true})";
}

class ImportCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("chartroom-import-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "in");
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path Write(const std::string& name, const std::string& content) {
    const fs::path path = root_ / "in" / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::string DataArg() const { return " --data " + (root_ / "data").string(); }

  // The current version of type/id in the store the command wrote; "" when absent.
  std::string Stored(const std::string& type, const std::string& id) {
    auto config = app::LoadConfig(std::nullopt, [](std::string_view) { return std::nullopt; },
                                  {{"data_dir", (root_ / "data").string()}});
    EXPECT_TRUE(config);
    if (!config) return "";
    core::SystemClock clock;
    core::SystemRandom random;
    auto opened = app::OpenStore(*config, clock, random);
    EXPECT_TRUE(opened) << opened.error().message();
    if (!opened) return "";
    auto version = opened->store->Read(type, id);
    return version ? version->json : "";
  }

  // The keys of the MPI worklist in the store the command wrote.
  std::vector<std::string> Worklist() {
    auto config = app::LoadConfig(std::nullopt, [](std::string_view) { return std::nullopt; },
                                  {{"data_dir", (root_ / "data").string()}});
    core::SystemClock clock;
    core::SystemRandom random;
    auto opened = app::OpenStore(*config, clock, random);
    EXPECT_TRUE(opened);
    std::vector<std::string> keys;
    if (!opened) return keys;
    auto records = opened->store->ListRecords("mpi-pair", "", 100);
    EXPECT_TRUE(records);
    for (const auto& r : *records) keys.push_back(r.key);
    return keys;
  }

  fs::path root_;
};

TEST_F(ImportCommandTest, ImportsGzipNdjsonAndZstdBundleAndExitsZero) {
  Write("a/patients.ndjson.gz",
        ingest::testing::Gzip(PatientLine("p1") + "\n" + PatientLine("p2") + "\n"));
  Write("b/bundle.dat", ingest::testing::Zstd(kBundle));
  const RunResult run = RunImport((root_ / "in").string() + DataArg());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("2 files, 4 resources read, 4 written, 0 skipped"), std::string::npos)
      << run.output;
  EXPECT_NE(Stored("Patient", "p2"), "");
  const std::string observation = Stored("Observation", "obs-b");
  ASSERT_NE(observation, "");
  EXPECT_EQ(boost::json::parse(observation).at("subject").at("reference"),
            "Patient/7f1c0a52-0000-4000-8000-00000000000a");
}

std::string Registration(const std::string& id, const std::string& given) {
  return R"({"resourceType":"Patient","id":")" + id +
         R"(","name":[{"family":"Okonkwo","given":[")" + given +
         R"("]}],"gender":"male","birthDate":"1970-03-12","address":[{"line":["12 Elm St"],"postalCode":"60601"}]})";
}

TEST_F(ImportCommandTest, ImportedDuplicatesJoinTheWorklistUnlessToldNot) {
  Write("patients.ndjson",
        Registration("a1", "Robert") + "\n" + Registration("a2", "Bob") + "\n" +
            R"({"resourceType":"Patient","id":"a3","name":[{"family":"Lindqvist"}]})" + "\n");
  RunResult run = RunImport((root_ / "in").string() + DataArg() + " --no-match");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(Worklist().empty());

  run = RunImport((root_ / "in").string() + DataArg());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("3 patients matched against 3, 1 likely duplicate pairs"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(Worklist(), std::vector<std::string>{"a1|a2"});
}

TEST_F(ImportCommandTest, InvalidResourceIsReportedWithLineAndSkippedExitOne) {
  const fs::path file =
      Write("mixed.ndjson", PatientLine("good1") + "\n" +
                                R"({"resourceType":"Observation","id":"bad2","status":"final"})" +
                                "\n" + PatientLine("good3") + "\n");
  const RunResult run = RunImport(file.string() + DataArg());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find(file.string() + ":2: Observation/bad2: fhir.cardinality-min"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("3 resources read, 2 written, 1 skipped"), std::string::npos)
      << run.output;
  EXPECT_EQ(Stored("Observation", "bad2"), "");
  EXPECT_NE(Stored("Patient", "good3"), "");
}

TEST_F(ImportCommandTest, CorruptAndMissingInputsExitThreeAfterImportingTheRest) {
  std::string packed = ingest::testing::Gzip(PatientLine("lost") + "\n");
  packed.resize(packed.size() - 6);  // cut into the trailer: truncated
  const fs::path cut = Write("1-cut.ndjson.gz", packed);
  Write("2-good.ndjson", PatientLine("kept") + "\n");
  const RunResult run =
      RunImport((root_ / "in").string() + " " + (root_ / "missing.ndjson").string() + DataArg());
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find(cut.string() + ": gzip data ends early"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("missing.ndjson: no such file or directory"), std::string::npos)
      << run.output;
  EXPECT_NE(Stored("Patient", "kept"), "");
}

TEST_F(ImportCommandTest, TextThatIsNotJsonExitsThree) {
  const fs::path file = Write("notes.txt", "not FHIR at all\n");
  const RunResult run = RunImport(file.string() + DataArg());
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("does not begin a JSON object"), std::string::npos) << run.output;
}

TEST_F(ImportCommandTest, UnusableStoreExitsFour) {
  const fs::path file = Write("p.ndjson", PatientLine("p1") + "\n");
  std::ofstream(root_ / "data") << "a file where the data directory should be";
  const RunResult run = RunImport(file.string() + DataArg());
  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_NE(run.output.find("cannot open the store"), std::string::npos) << run.output;
}

TEST_F(ImportCommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunImport("").exit_code, 2);
  EXPECT_EQ(RunImport("x.ndjson --batch 0").exit_code, 2);
  EXPECT_EQ(RunImport("x.ndjson --bogus").exit_code, 2);
}

}  // namespace
}  // namespace chartroom::cli
