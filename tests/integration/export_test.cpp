// Bulk Data $export over real HTTP (https://hl7.org/fhir/uv/bulkdata/STU2/export.html): kick-off,
// status, download and cancel at the system, Patient and Group levels; _type and _since; bad
// kick-offs; sealed files on disk; expiry by the injected clock.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>

#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

namespace fs = std::filesystem;

const Headers kAsync = {{"Accept", "application/fhir+json"}, {"Prefer", "respond-async"}};
constexpr std::string_view kBase = "http://localhost";

std::string PatientJson(std::string_view family) {
  return R"({"resourceType":"Patient","name":[{"family":")" + std::string(family) + R"("}]})";
}

std::string ObservationJson(std::string_view patient_id) {
  return R"({"resourceType":"Observation","status":"final","code":{"text":"pulse"},"subject":{"reference":"Patient/)" +
         std::string(patient_id) + R"("}})";
}

std::string Create(HttpClient& client, std::string_view type, const std::string& body) {
  HttpResult created = client.Post("/fhir/" + std::string(type), body);
  EXPECT_EQ(created.status, 201) << created.body;
  return IdOf(created);
}

// The path of an absolute URL of the test server.
std::string PathOf(const std::string& url) {
  EXPECT_EQ(url.substr(0, kBase.size()), kBase) << url;
  return url.substr(kBase.size());
}

// Kicks off an export at `path` and returns the status URL's path.
std::string KickOff(HttpClient& client, const std::string& path) {
  HttpResult kicked = client.Get(path, kAsync);
  EXPECT_EQ(kicked.status, 202) << kicked.body;
  EXPECT_FALSE(kicked.header("Content-Location").empty());
  return PathOf(kicked.header("Content-Location"));
}

// Polls until the job is no longer running; the last answer.
HttpResult Poll(HttpClient& client, const std::string& status_path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    HttpResult polled = client.Get(status_path);
    if (polled.status != 202 || std::chrono::steady_clock::now() > deadline) return polled;
    EXPECT_FALSE(polled.header("X-Progress").empty());
    EXPECT_FALSE(polled.header("Retry-After").empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

struct Exported {
  boost::json::value manifest;
  std::map<std::string, std::set<std::string>> ids;  // type -> ids, over every output file
  std::map<std::string, std::int64_t> counts;        // type -> the manifest's counts
  std::vector<std::string> lines;                    // every line of every output file
};

// Kicks off, waits, downloads every output file and checks that each line is one resource of
// the file's type and that the manifest's counts are right.
Exported Export(HttpClient& client, const std::string& path) {
  Exported out;
  const std::string status = KickOff(client, path);
  HttpResult done = Poll(client, status);
  EXPECT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.header("Content-Type"), "application/json; charset=utf-8");
  out.manifest = done.json();
  const boost::json::value* outputs = At(out.manifest, "output");
  if (outputs == nullptr || !outputs->is_array()) {
    ADD_FAILURE() << "no output array: " << done.body;
    return out;
  }
  for (const boost::json::value& output : outputs->as_array()) {
    const std::string type(output.at("type").as_string());
    HttpResult file = client.Get(PathOf(std::string(output.at("url").as_string())));
    EXPECT_EQ(file.status, 200) << file.body;
    EXPECT_EQ(file.header("Content-Type"), "application/fhir+ndjson");
    std::int64_t lines = 0;
    std::size_t start = 0;
    while (start < file.body.size()) {
      const std::size_t end = file.body.find('\n', start);
      EXPECT_NE(end, std::string::npos) << "the last line has no newline";
      const std::string line =
          file.body.substr(start, end == std::string::npos ? std::string::npos : end - start);
      start = end == std::string::npos ? file.body.size() : end + 1;
      const boost::json::value resource = boost::json::parse(line);
      EXPECT_EQ(Str(resource, "resourceType"), type);
      out.ids[type].insert(Str(resource, "id"));
      out.lines.push_back(line);
      ++lines;
    }
    EXPECT_EQ(output.at("count").as_int64(), lines);
    out.counts[type] += lines;
  }
  return out;
}

std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  return files;
}

class ExportTest : public ::testing::Test {
 protected:
  fs::path ExportDir() const { return server_.config().data_dir / "exports"; }

  TestServer server_{
      [](app::Config& config) { config.rest.bulk_export.expiry = std::chrono::seconds(60); }};
  HttpClient client_ = server_.Client();
};

TEST_F(ExportTest, SystemExportWritesEveryCurrentResourceByTypeAndLeavesOutDeletions) {
  const std::string a = Create(client_, "Patient", PatientJson("Alpha"));
  const std::string b = Create(client_, "Patient", PatientJson("Beta"));
  const std::string o1 = Create(client_, "Observation", ObservationJson(a));
  const std::string o2 = Create(client_, "Observation", ObservationJson(b));
  const std::string gone = Create(client_, "Observation", ObservationJson(b));
  const std::string p = Create(client_, "Practitioner", R"({"resourceType":"Practitioner"})");
  ASSERT_EQ(client_.Delete("/fhir/Observation/" + gone).status, 204);

  Exported exported = Export(client_, "/fhir/$export");
  EXPECT_EQ(exported.ids["Patient"], (std::set<std::string>{a, b}));
  EXPECT_EQ(exported.ids["Observation"], (std::set<std::string>{o1, o2}));
  EXPECT_EQ(exported.ids["Practitioner"], (std::set<std::string>{p}));
  EXPECT_EQ(exported.ids.size(), 3u);
  EXPECT_EQ(Str(exported.manifest, "request"), "http://localhost/fhir/$export");
  EXPECT_EQ(Str(exported.manifest, "requiresAccessToken"), "false");
  EXPECT_EQ(Str(exported.manifest, "transactionTime"), core::FormatInstant(server_.clock().Now()));
  EXPECT_TRUE(At(exported.manifest, "error")->as_array().empty());
}

TEST_F(ExportTest, TypeAndSinceFilterWhatIsExported) {
  const std::string early = Create(client_, "Patient", PatientJson("Early"));
  Create(client_, "Observation", ObservationJson(early));
  server_.clock().Advance(std::chrono::hours(1));
  const std::string late = Create(client_, "Patient", PatientJson("Late"));
  const std::string late_obs = Create(client_, "Observation", ObservationJson(late));
  Create(client_, "Practitioner", R"({"resourceType":"Practitioner"})");

  Exported types = Export(client_, "/fhir/$export?_type=Patient,Observation");
  EXPECT_EQ(types.ids["Patient"], (std::set<std::string>{early, late}));
  EXPECT_EQ(types.ids["Observation"].size(), 2u);
  EXPECT_EQ(types.ids.count("Practitioner"), 0u);

  Exported since =
      Export(client_, "/fhir/$export?_type=Patient,Observation&_since=2024-03-01T09:30:00Z");
  EXPECT_EQ(since.ids["Patient"], (std::set<std::string>{late}));
  EXPECT_EQ(since.ids["Observation"], (std::set<std::string>{late_obs}));
  EXPECT_EQ(Str(since.manifest, "request"),
            "http://localhost/fhir/$export?_type=Patient,Observation&_since=2024-03-01T09:30:00Z");
}

TEST_F(ExportTest, PatientExportCoversEveryPatientCompartment) {
  const std::string a = Create(client_, "Patient", PatientJson("Alpha"));
  const std::string b = Create(client_, "Patient", PatientJson("Beta"));
  const std::string removed = Create(client_, "Patient", PatientJson("Removed"));
  const std::string oa = Create(client_, "Observation", ObservationJson(a));
  const std::string ob = Create(client_, "Observation", ObservationJson(b));
  Create(client_, "Practitioner", R"({"resourceType":"Practitioner"})");
  ASSERT_EQ(client_.Delete("/fhir/Patient/" + removed).status, 204);

  Exported exported = Export(client_, "/fhir/Patient/$export");
  EXPECT_EQ(exported.ids["Patient"], (std::set<std::string>{a, b}));
  EXPECT_EQ(exported.ids["Observation"], (std::set<std::string>{oa, ob}));
  EXPECT_EQ(exported.ids.count("Practitioner"), 0u) << "not in a patient compartment";

  Exported observations = Export(client_, "/fhir/Patient/$export?_type=Observation");
  EXPECT_EQ(observations.ids.size(), 1u);
  EXPECT_EQ(observations.ids["Observation"], (std::set<std::string>{oa, ob}));
}

TEST_F(ExportTest, GroupExportCoversItsMembersOnlyAndReportsMissingOnes) {
  const std::string a = Create(client_, "Patient", PatientJson("Alpha"));
  const std::string b = Create(client_, "Patient", PatientJson("Beta"));
  const std::string outside = Create(client_, "Patient", PatientJson("Outside"));
  const std::string oa = Create(client_, "Observation", ObservationJson(a));
  Create(client_, "Observation", ObservationJson(outside));
  const std::string group = Create(
      client_, "Group",
      R"({"resourceType":"Group","type":"person","actual":true,"member":[{"entity":{"reference":"Patient/)" +
          a + R"("}},{"entity":{"reference":"Patient/)" + b +
          R"("}},{"entity":{"reference":"Patient/no-such-patient"}}]})");

  Exported exported = Export(client_, "/fhir/Group/" + group + "/$export");
  EXPECT_EQ(exported.ids["Patient"], (std::set<std::string>{a, b}));
  EXPECT_EQ(exported.ids["Observation"], (std::set<std::string>{oa}));
  const auto& errors = At(exported.manifest, "error")->as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(Str(errors[0], "type"), "OperationOutcome");
  HttpResult file = client_.Get(PathOf(std::string(errors[0].at("url").as_string())));
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(IssueCode(boost::json::parse(file.body.substr(0, file.body.find('\n')))),
            "store.not-found");

  HttpResult unknown = client_.Get("/fhir/Group/no-such-group/$export", kAsync);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(IssueCode(unknown.json()), "store.not-found");
}

TEST_F(ExportTest, PostKickOffReadsAParametersBody) {
  const std::string a = Create(client_, "Patient", PatientJson("Alpha"));
  Create(client_, "Practitioner", R"({"resourceType":"Practitioner"})");
  Headers headers = kAsync;
  headers.push_back({"Content-Type", "application/fhir+json"});
  HttpResult kicked = client_.Post(
      "/fhir/$export",
      R"({"resourceType":"Parameters","parameter":[{"name":"_type","valueString":"Patient"},)"
      R"({"name":"_outputFormat","valueString":"application/fhir+ndjson"}]})",
      headers);
  ASSERT_EQ(kicked.status, 202) << kicked.body;
  HttpResult done = Poll(client_, PathOf(kicked.header("Content-Location")));
  ASSERT_EQ(done.status, 200) << done.body;
  const boost::json::value manifest = done.json();
  const auto& outputs = At(manifest, "output")->as_array();
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(Str(outputs[0], "type"), "Patient");
  EXPECT_EQ(Str(outputs[0], "count"), "1");
  (void)a;

  HttpResult not_parameters = client_.Post("/fhir/$export", PatientJson("X"), headers);
  EXPECT_EQ(not_parameters.status, 400);
  EXPECT_EQ(IssueCode(not_parameters.json()), "rest.type-mismatch");
}

TEST_F(ExportTest, LargeOutputIsSplitIntoBoundedFiles) {
  TestServer server([](app::Config& config) { config.rest.bulk_export.max_file_bytes = 4096; });
  HttpClient client = server.Client();
  std::set<std::string> ids;
  for (int i = 0; i < 60; ++i) ids.insert(Create(client, "Patient", PatientJson("Split")));
  Exported exported = Export(client, "/fhir/$export");
  EXPECT_EQ(exported.ids["Patient"], ids);
  const auto& outputs = At(exported.manifest, "output")->as_array();
  EXPECT_GT(outputs.size(), 1u);
  for (const auto& output : outputs) {
    HttpResult file = client.Get(PathOf(std::string(output.at("url").as_string())));
    EXPECT_LE(file.body.size(), 4096u);
  }
}

TEST_F(ExportTest, FilesOnDiskAreSealedAndPrivate) {
  constexpr std::string_view kMarker = "PlaintextMarkerZq7";
  Create(client_, "Patient", PatientJson(kMarker));
  Exported exported = Export(client_, "/fhir/$export");
  ASSERT_EQ(exported.lines.size(), 1u);
  EXPECT_NE(exported.lines[0].find(kMarker), std::string::npos) << "the download is plaintext";

  struct stat info {};
  ASSERT_EQ(::stat(ExportDir().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  const std::vector<fs::path> files = FilesUnder(ExportDir());
  ASSERT_FALSE(files.empty());
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(kMarker), std::string::npos) << file << " holds plaintext";
    EXPECT_EQ(bytes.find("resourceType"), std::string::npos) << file << " holds plaintext";
    ASSERT_EQ(::stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u) << file;
    ASSERT_EQ(::stat(file.parent_path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u) << file.parent_path();
  }
}

TEST_F(ExportTest, CancelDeletesTheJobAndItsFiles) {
  Create(client_, "Patient", PatientJson("Alpha"));
  const std::string status = KickOff(client_, "/fhir/$export");
  HttpResult cancelled = client_.Delete(status);
  EXPECT_EQ(cancelled.status, 202) << cancelled.body;
  HttpResult after = client_.Get(status);
  EXPECT_EQ(after.status, 404);
  EXPECT_EQ(IssueCode(after.json()), "rest.export-job-not-found");
  EXPECT_EQ(client_.Delete(status).status, 404);
  // A job still running deletes its files when it stops.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!FilesUnder(ExportDir()).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(FilesUnder(ExportDir()).empty());
}

TEST_F(ExportTest, FinishedJobsExpireWithTheirFiles) {
  Create(client_, "Patient", PatientJson("Alpha"));
  const std::string status = KickOff(client_, "/fhir/$export");
  HttpResult done = Poll(client_, status);
  ASSERT_EQ(done.status, 200);
  EXPECT_EQ(done.header("Expires"), "Fri, 01 Mar 2024 09:01:00 GMT");
  const std::string file = PathOf(Str(done.json(), "output.0.url"));
  EXPECT_FALSE(FilesUnder(ExportDir()).empty());

  server_.clock().Advance(std::chrono::seconds(59));
  EXPECT_EQ(client_.Get(status).status, 200);
  server_.clock().Advance(std::chrono::seconds(1));
  HttpResult expired = client_.Get(status);
  EXPECT_EQ(expired.status, 404);
  EXPECT_EQ(IssueCode(expired.json()), "rest.export-job-not-found");
  EXPECT_EQ(client_.Get(file).status, 404);
  EXPECT_TRUE(FilesUnder(ExportDir()).empty());
}

TEST_F(ExportTest, ARestartDeletesTheFilesOfEarlierJobs) {
  Create(client_, "Patient", PatientJson("Alpha"));
  const std::string status = KickOff(client_, "/fhir/$export");
  ASSERT_EQ(Poll(client_, status).status, 200);
  ASSERT_FALSE(FilesUnder(ExportDir()).empty());
  server_.Stop();
  // A crash leaves files behind; the next start removes them.
  fs::create_directories(ExportDir() / "leftover");
  std::ofstream(ExportDir() / "leftover" / "Patient-1.ndjson.sealed") << "sealed bytes";
  server_.Restart();
  EXPECT_TRUE(FilesUnder(ExportDir()).empty());
  HttpClient client = server_.Client();
  EXPECT_EQ(client.Get(status).status, 404);
}

TEST_F(ExportTest, BadKickOffsAre400WithAnOperationOutcome) {
  struct Case {
    std::string path;
    Headers headers;
    std::string code;
  };
  const Case cases[] = {
      {"/fhir/$export", {{"Accept", "application/fhir+json"}}, "rest.export-prefer-async"},
      {"/fhir/$export", {{"Prefer", "respond-async"}}, "rest.export-accept"},
      {"/fhir/$export",
       {{"Accept", "application/xml"}, {"Prefer", "respond-async"}},
       "rest.export-accept"},
      {"/fhir/$export?_outputFormat=text/csv", kAsync, "rest.export-bad-format"},
      {"/fhir/$export?_type=Patient,NotAType", kAsync, "rest.bad-parameter"},
      {"/fhir/$export?_type=Resource", kAsync, "rest.bad-parameter"},
      {"/fhir/$export?_since=yesterday", kAsync, "rest.bad-parameter"},
      {"/fhir/$export?_since=2024-03-01", kAsync, "rest.bad-parameter"},
  };
  for (const Case& c : cases) {
    HttpResult result = client_.Get(c.path, c.headers);
    EXPECT_EQ(result.status, 400) << c.path;
    EXPECT_EQ(Str(result.json(), "resourceType"), "OperationOutcome") << c.path;
    EXPECT_EQ(IssueCode(result.json()), c.code) << c.path;
  }
  for (const char* format :
       {"application/fhir%2Bndjson", "application/fhir+ndjson", "application/ndjson", "ndjson"}) {
    HttpResult ok = client_.Get(std::string("/fhir/$export?_outputFormat=") + format, kAsync);
    EXPECT_EQ(ok.status, 202) << format << ok.body;
    ASSERT_EQ(Poll(client_, PathOf(ok.header("Content-Location"))).status, 200);
  }
}

TEST_F(ExportTest, UnsupportedParametersFollowPreferHandling) {
  Headers strict = kAsync;
  strict.push_back({"Prefer", "handling=strict"});
  HttpResult refused = client_.Get("/fhir/$export?_typeFilter=Patient%3Factive%3Dtrue", strict);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(IssueCode(refused.json()), "rest.unsupported-parameter");
  HttpResult unknown = client_.Get("/fhir/$export?colour=blue", strict);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(IssueCode(unknown.json()), "rest.unknown-parameter");

  const std::string status = KickOff(client_, "/fhir/$export?_elements=id&includeAssociatedData=x");
  HttpResult done = Poll(client_, status);
  ASSERT_EQ(done.status, 200);
  const boost::json::value manifest = done.json();
  const auto& errors = At(manifest, "error")->as_array();
  ASSERT_EQ(errors.size(), 1u);
  HttpResult outcome = client_.Get(PathOf(std::string(errors[0].at("url").as_string())));
  EXPECT_EQ(IssueCode(boost::json::parse(outcome.body)), "rest.ignored-parameter");
  EXPECT_EQ(At(boost::json::parse(outcome.body), "issue")->as_array().size(), 2u);
}

TEST_F(ExportTest, UnknownJobsAndFilesAre404) {
  HttpResult job = client_.Get("/fhir/$export-status/0123456789abcdef0123456789abcdef");
  EXPECT_EQ(job.status, 404);
  EXPECT_EQ(IssueCode(job.json()), "rest.export-job-not-found");
  EXPECT_EQ(client_.Delete("/fhir/$export-status/nope").status, 404);

  Create(client_, "Patient", PatientJson("Alpha"));
  const std::string status = KickOff(client_, "/fhir/$export");
  HttpResult done = Poll(client_, status);
  ASSERT_EQ(done.status, 200);
  const std::string job_id = status.substr(status.rfind('/') + 1);
  HttpResult file = client_.Get("/fhir/$export-file/" + job_id + "/Observation-1.ndjson");
  EXPECT_EQ(file.status, 404);
  EXPECT_EQ(IssueCode(file.json()), "rest.export-file-not-found");
  HttpResult traversal = client_.Get("/fhir/$export-file/" + job_id + "/..");
  EXPECT_EQ(traversal.status, 404);
  HttpResult put = client_.Put(status, "{}");
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.header("Allow"), "GET, DELETE");
  HttpResult other = client_.Get("/fhir/Observation/$export", kAsync);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(IssueCode(other.json()), "rest.unknown-operation");
}

TEST_F(ExportTest, TheCapabilityStatementListsTheExportOperations) {
  const boost::json::value statement = client_.Get("/fhir/metadata").json();
  EXPECT_EQ(Str(statement, "rest.0.operation.0.name"), "export");
  EXPECT_EQ(Str(statement, "instantiates.0"),
            "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data");
  std::set<std::string> with_export;
  for (const auto& resource : statement.at("rest").at(0).at("resource").as_array()) {
    if (const auto* operations = resource.as_object().if_contains("operation")) {
      for (const auto& op : operations->as_array()) {
        if (op.at("name") == "export")
          with_export.insert(std::string(resource.at("type").as_string()));
      }
    }
  }
  EXPECT_EQ(with_export, (std::set<std::string>{"Patient", "Group"}));
}

}  // namespace
}  // namespace chartroom::test
