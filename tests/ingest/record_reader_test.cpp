#include "ingest/record_reader.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "support/compress.hpp"

namespace chartroom::ingest {
namespace {

struct ReadResult {
  std::vector<Record> records;
  std::optional<Error> error;
  InputFormat format = InputFormat::kUnknown;
};

ReadResult ReadText(const std::string& text, RecordReaderOptions options = {}) {
  ReadResult result;
  auto decoded = Decompress(ReadMemory(text));
  if (!decoded) {
    result.error = decoded.error();
    return result;
  }
  RecordReader reader(std::move(*decoded), options);
  for (;;) {
    Record record;
    Result<bool> more = reader.Next(record);
    if (!more) {
      result.error = more.error();
      break;
    }
    if (!*more) break;
    result.records.push_back(std::move(record));
  }
  result.format = reader.format();
  return result;
}

const std::string kPatient = R"({"resourceType":"Patient","id":"p1"})";
const std::string kObservation =
    R"({"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}})";

TEST(RecordReaderTest, NdjsonGivesOneRecordPerLineWithLineNumbers) {
  const ReadResult r = ReadText(kPatient + "\n\n" + kObservation + "\r\n");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.format, InputFormat::kNdjson);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].json, kPatient);
  EXPECT_EQ(r.records[0].position, 1u);
  EXPECT_EQ(r.records[1].json, kObservation);
  EXPECT_EQ(r.records[1].position, 3u);
  EXPECT_EQ(FormatPosition(r.records[1]), "3");
}

TEST(RecordReaderTest, NdjsonWithoutFinalNewlineKeepsLastLine) {
  const ReadResult r = ReadText(kPatient + "\n" + kObservation);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].json, kObservation);
}

TEST(RecordReaderTest, NdjsonBadLineIsPassedOnForValidation) {
  const ReadResult r = ReadText("{\"resourceType\": oops\n" + kPatient + "\n");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.format, InputFormat::kNdjson);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].position, 1u);
  EXPECT_EQ(r.records[1].json, kPatient);
}

TEST(RecordReaderTest, NdjsonLineOverBoundBecomesProblemRecord) {
  RecordReaderOptions options;
  options.max_line_bytes = 50;
  options.block_bytes = 16;  // lines span many reads
  const std::string long_line =
      R"({"resourceType":"Patient","id":"p2","gender":"female","active":true})";
  const ReadResult r = ReadText(kPatient + "\n" + long_line + "\n" + kPatient + "\n", options);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_TRUE(r.records[0].problem.empty());
  EXPECT_TRUE(r.records[1].json.empty());
  EXPECT_TRUE(r.records[1].problem.starts_with("ingest.line-too-long")) << r.records[1].problem;
  EXPECT_EQ(r.records[2].json, kPatient);
  EXPECT_EQ(r.records[2].position, 3u);
}

TEST(RecordReaderTest, ByteOrderMarkIsIgnored) {
  const ReadResult r = ReadText("\xEF\xBB\xBF" + kPatient + "\n");
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].json, kPatient);
}

TEST(RecordReaderTest, EmptyInputGivesNoRecords) {
  const ReadResult r = ReadText("\n  \n");
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.records.empty());
}

TEST(RecordReaderTest, TextThatIsNotJsonFailsWithNotJson) {
  const ReadResult r = ReadText("MSH|^~\\&|SENDER\nPID|1\n");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code(), "ingest.not-json");
  EXPECT_TRUE(r.records.empty());
}

TEST(RecordReaderTest, PrettyPrintedResourceIsOneRecord) {
  const std::string text = "\n{\n  \"resourceType\": \"Patient\",\n  \"id\": \"p9\"\n}\n";
  const ReadResult r = ReadText(text);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.format, InputFormat::kResource);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].position, 2u);
  EXPECT_EQ(boost::json::parse(r.records[0].json).at("id"), "p9");
}

TEST(RecordReaderTest, BrokenDocumentFailsWithLineAndColumn) {
  const ReadResult r = ReadText("{\n  \"resourceType\": \"Bundle\",\n  \"entry\": [,]\n}\n");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code(), "ingest.not-json");
  EXPECT_NE(r.error->message().find("line 3"), std::string::npos) << r.error->message();
}

const std::string kBundle = R"({
  "resourceType": "Bundle",
  "type": "transaction",
  "entry": [
    {"fullUrl": "urn:uuid:11111111-2222-3333-4444-555555555555",
     "resource": {"resourceType": "Patient", "id": "11111111-2222-3333-4444-555555555555"},
     "request": {"method": "POST", "url": "Patient"}},
    {"fullUrl": "urn:uuid:aaaaaaaa-2222-3333-4444-555555555555",
     "resource": {"resourceType": "Encounter", "status": "finished",
                  "class": {"code": "AMB"},
                  "subject": {"reference": "urn:uuid:11111111-2222-3333-4444-555555555555"}}},
    {"fullUrl": "urn:uuid:bbbbbbbb-2222-3333-4444-555555555555",
     "resource": {"resourceType": "Observation", "id": "o1", "status": "final",
                  "code": {"text": "x"},
                  "subject": {"reference": "urn:uuid:11111111-2222-3333-4444-555555555555"},
                  "encounter": {"reference": "urn:uuid:aaaaaaaa-2222-3333-4444-555555555555"},
                  "performer": [{"reference": "urn:uuid:99999999-2222-3333-4444-555555555555"}]}},
    {"request": {"method": "DELETE", "url": "Patient/gone"}},
    {"resource": {"resourceType": "Patient", "id": "dup", "gender": "male", "gender": "female"}}
  ]
})";

TEST(RecordReaderTest, BundleGivesEntriesWithUrnReferencesRewritten) {
  const ReadResult r = ReadText(kBundle);
  ASSERT_FALSE(r.error) << r.error->message();
  EXPECT_EQ(r.format, InputFormat::kBundle);
  ASSERT_EQ(r.records.size(), 5u);
  EXPECT_EQ(FormatPosition(r.records[0]), "entry[0]");
  const auto encounter = boost::json::parse(r.records[1].json);
  // An entry without an id gets the UUID of its fullUrl, so that references to it resolve.
  EXPECT_EQ(encounter.at("id"), "aaaaaaaa-2222-3333-4444-555555555555");
  EXPECT_EQ(encounter.at("subject").at("reference"),
            "Patient/11111111-2222-3333-4444-555555555555");
  const auto observation = boost::json::parse(r.records[2].json);
  EXPECT_EQ(observation.at("encounter").at("reference"),
            "Encounter/aaaaaaaa-2222-3333-4444-555555555555");
  // A reference to no entry of the Bundle stays as written.
  EXPECT_EQ(observation.at("performer").at(0).at("reference"),
            "urn:uuid:99999999-2222-3333-4444-555555555555");
  EXPECT_TRUE(r.records[3].problem.starts_with("ingest.entry-without-resource"));
  EXPECT_EQ(r.records[3].position, 3u);
  EXPECT_TRUE(r.records[4].problem.starts_with("fhir.duplicate-key")) << r.records[4].problem;
}

TEST(RecordReaderTest, CompactBundleOnOneLineIsABundle) {
  const std::string compact = boost::json::serialize(boost::json::parse(kBundle));
  const ReadResult r = ReadText(compact + "\n");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.format, InputFormat::kBundle);
  EXPECT_EQ(r.records.size(), 5u);
}

TEST(RecordReaderTest, BundlesInNdjsonAreRecordsOfTheirOwn) {
  const std::string compact = boost::json::serialize(boost::json::parse(kBundle));
  const ReadResult r = ReadText(compact + "\n" + compact + "\n");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.format, InputFormat::kNdjson);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].position, 2u);
}

TEST(RecordReaderTest, DocumentOverBoundFailsWithTooLarge) {
  RecordReaderOptions options;
  options.max_document_bytes = 100;
  const ReadResult r = ReadText(kBundle, options);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code(), "ingest.too-large");
}

TEST(RecordReaderTest, GzipNdjsonTruncatedKeepsWholeLinesOnly) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += kObservation + "\n";
  const std::string packed = testing::Gzip(text);
  const std::string cut = packed.substr(0, packed.size() / 2);
  const ReadResult r = ReadText(cut);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code(), "ingest.truncated");
  ASSERT_GT(r.records.size(), 0u);
  EXPECT_LT(r.records.size(), 20000u);
  for (const Record& record : r.records) EXPECT_EQ(record.json, kObservation);
}

TEST(RecordReaderTest, ZstdBundleReadsEntries) {
  const ReadResult r = ReadText(testing::Zstd(kBundle));
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.format, InputFormat::kBundle);
  EXPECT_EQ(r.records.size(), 5u);
}

}  // namespace
}  // namespace chartroom::ingest

namespace chartroom::ingest {
namespace {

TEST(RecordReaderTest, BundleEntriesKeepNumbersAsWritten) {
  const std::string bundle = R"({"resourceType":"Bundle","type":"collection","entry":[
    {"resource":{"resourceType":"Patient","id":"p","multipleBirthInteger":2}},
    {"resource":{"resourceType":"Observation","id":"o","status":"final","code":{"text":"t"},
      "valueQuantity":{"value":1.50,"unit":"mg"},
      "referenceRange":[{"low":{"value":1e2},"high":{"value":100.000}}]}}]})";
  const ReadResult r = ReadText(bundle);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_NE(r.records[1].json.find(R"("value":1.50,)"), std::string::npos) << r.records[1].json;
  EXPECT_NE(r.records[1].json.find(R"("value":1e2)"), std::string::npos) << r.records[1].json;
  EXPECT_NE(r.records[1].json.find(R"("value":100.000)"), std::string::npos) << r.records[1].json;
}

}  // namespace
}  // namespace chartroom::ingest
