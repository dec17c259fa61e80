// Attachments over real HTTP: a Binary with about 1 MiB of data and a DocumentReference written
// in a transaction Bundle go to the blob store (data_dir/blobs) and read back identical through
// read, vread, search, history and $everything. All fixture data is synthetic.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include <boost/json/serialize.hpp>

#include "crypto/keyed_hash.hpp"
#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

namespace bj = boost::json;

std::string Content(std::size_t n, std::uint32_t seed) {
  std::string bytes = "SYNTHETIC-UPLOAD-" + std::to_string(seed) + "-";
  std::uint32_t x = seed;
  while (bytes.size() < n) {
    x = x * 1664525u + 1013904223u;
    bytes += static_cast<char>(x >> 24);
  }
  bytes.resize(n);
  return bytes;
}

std::size_t CountFiles(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().parent_path().filename() != "tmp") ++n;
  }
  return n;
}

bool FileContains(const std::filesystem::path& path, std::string_view needle) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes.find(needle) != std::string::npos;
}

TEST(AttachmentsTest, BinaryOfOneMebibyteReadsBackIdentical) {
  TestServer server;
  HttpClient client = server.Client();
  const std::string data = crypto::EncodeBase64(Content(1 << 20, 1));
  const std::string body =
      R"({"resourceType":"Binary","contentType":"application/pdf","data":")" + data + R"("})";
  HttpResult created = client.Post("/fhir/Binary", body);
  ASSERT_EQ(created.status, 201) << created.body.substr(0, 500);
  EXPECT_EQ(Str(created.json(), "data"), data);
  const std::string id = IdOf(created);

  HttpResult read = client.Get("/fhir/Binary/" + id);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(Str(read.json(), "data"), data);
  EXPECT_EQ(Str(read.json(), "contentType"), "application/pdf");
  HttpResult vread = client.Get("/fhir/Binary/" + id + "/_history/1");
  ASSERT_EQ(vread.status, 200);
  EXPECT_EQ(Str(vread.json(), "data"), data);
  HttpResult search = client.Get("/fhir/Binary?_id=" + id);
  ASSERT_EQ(search.status, 200);
  EXPECT_EQ(Str(search.json(), "entry.0.resource.data"), data);
  HttpResult history = client.Get("/fhir/Binary/" + id + "/_history");
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(Str(history.json(), "entry.0.resource.data"), data);

  // The data lives sealed in one blob file; neither it nor the database holds it in clear.
  const std::filesystem::path data_dir = server.config().data_dir;
  EXPECT_EQ(CountFiles(data_dir / "blobs"), 1u);
  const std::string probe = data.substr(4096, 64);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data_dir)) {
    if (!entry.is_regular_file()) continue;
    EXPECT_FALSE(FileContains(entry.path(), probe)) << entry.path();
    EXPECT_FALSE(FileContains(entry.path(), "SYNTHETIC-UPLOAD-1-")) << entry.path();
  }

  // And it survives a restart.
  server.Restart();
  HttpClient again = server.Client();
  HttpResult after = again.Get("/fhir/Binary/" + id);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(Str(after.json(), "data"), data);
}

TEST(AttachmentsTest, DocumentReferenceInATransactionReadsBackThroughEverything) {
  TestServer server;
  HttpClient client = server.Client();
  const std::string data = crypto::EncodeBase64(Content(64 * 1024, 2));
  const std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:6d1c9f7e-0000-4000-8000-000000000001",
     "resource":{"resourceType":"Patient","name":[{"family":"Testfamily"}]},
     "request":{"method":"POST","url":"Patient"}},
    {"resource":{"resourceType":"DocumentReference","status":"current",
       "subject":{"reference":"urn:uuid:6d1c9f7e-0000-4000-8000-000000000001"},
       "content":[{"attachment":{"contentType":"application/pdf","data":")" +
                             data + R"("}}]},
     "request":{"method":"POST","url":"DocumentReference"}}]})";
  HttpResult result = client.Post("/fhir", bundle);
  ASSERT_EQ(result.status, 200) << result.body.substr(0, 500);
  HttpResult documents = client.Get("/fhir/DocumentReference");
  ASSERT_EQ(documents.status, 200);
  EXPECT_EQ(Str(documents.json(), "entry.0.resource.content.0.attachment.data"), data);
  const std::string subject =
      Str(documents.json(), "entry.0.resource.subject.reference");  // Patient/<id>
  ASSERT_TRUE(subject.starts_with("Patient/")) << subject;
  HttpResult everything = client.Get("/fhir/" + subject + "/$everything");
  ASSERT_EQ(everything.status, 200) << everything.body.substr(0, 500);
  EXPECT_NE(everything.body.find(data), std::string::npos);
  EXPECT_EQ(CountFiles(server.config().data_dir / "blobs"), 1u);
}

}  // namespace
}  // namespace chartroom::test
