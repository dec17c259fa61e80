#include "ingest/pipeline.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "fhir/json/writer.hpp"
#include "support/compress.hpp"

namespace chartroom::ingest {
namespace {

namespace fs = std::filesystem;

// A ResourceStore that keeps what transactions commit in a map, and can be told to fail one.
class FakeStore final : public store::ResourceStore {
 public:
  struct Payload final : store::PreparedResource::Payload {
    std::string json;
  };

  class Tx final : public store::Transaction {
   public:
    explicit Tx(FakeStore& store) : store_(store) {}
    std::map<std::string, std::string> writes;

    Result<store::ResourceVersion> Read(std::string_view, std::string_view) override {
      return Unsupported();
    }
    Result<store::ResourceVersion> ReadVersion(std::string_view, std::string_view,
                                               std::int64_t) override {
      return Unsupported();
    }
    Result<store::ResourceVersion> Create(boost::json::object resource) override {
      auto prepared = store_.Prepare(std::move(resource));
      if (!prepared) return tl::unexpected(prepared.error());
      return Create(std::move(*prepared));
    }
    Result<store::ResourceVersion> Create(store::PreparedResource resource) override {
      return Write(resource, "gen-" + std::to_string(++store_.created_));
    }
    Result<store::ResourceVersion> Update(boost::json::object resource,
                                          std::optional<std::int64_t>) override {
      auto prepared = store_.Prepare(std::move(resource));
      if (!prepared) return tl::unexpected(prepared.error());
      return Write(*prepared, prepared->id());
    }
    Result<store::ResourceVersion> Update(store::PreparedResource resource,
                                          std::optional<std::int64_t>) override {
      return Write(resource, resource.id());
    }
    Result<store::ResourceVersion> Delete(std::string_view, std::string_view,
                                          std::optional<std::int64_t>) override {
      return Unsupported();
    }
    Result<store::SearchPage> Search(const fhir::search::SearchQuery&) override {
      return Unsupported();
    }

   private:
    static tl::unexpected<Error> Unsupported() {
      return Fail(ErrorCategory::kUnsupported, "test.unsupported", "not in the fake");
    }
    Result<store::ResourceVersion> Write(const store::PreparedResource& resource,
                                         const std::string& id) {
      auto* payload = dynamic_cast<Payload*>(resource.payload());
      if (payload == nullptr) {
        return Fail(ErrorCategory::kInvalid, "store.foreign-prepared", "spent or foreign");
      }
      writes[resource.type() + "/" + id] = payload->json;
      store::ResourceVersion version;
      version.type = resource.type();
      version.id = id;
      version.version = 1;
      return version;
    }
    FakeStore& store_;
  };

  Status InTransaction(const std::function<Status(store::Transaction& tx)>& work) override {
    std::lock_guard lock(mutex_);
    ++transactions_;
    Tx tx(*this);
    Status status = work(tx);
    if (status && rerun_transaction_ == transactions_) {
      tx.writes.clear();
      status = work(tx);  // as a backend retrying a serialization failure does
    }
    if (!status) return status;
    if (fail_transaction_ == transactions_) {
      return Fail(ErrorCategory::kUnavailable, "store.sqlite", "disk full");
    }
    for (auto& [key, json] : tx.writes) committed_[key] = json;
    batch_sizes_.push_back(tx.writes.size());
    return Ok();
  }

  Result<store::PreparedResource> Prepare(boost::json::object resource,
                                          fhir::json::NumberTexts numbers = {}) override {
    const boost::json::value* type = resource.if_contains("resourceType");
    if (type == nullptr || !type->is_string()) {
      return Fail(ErrorCategory::kInvalid, "store.bad-resource", "no resourceType");
    }
    std::string id;
    if (const auto* v = resource.if_contains("id"); v != nullptr && v->is_string()) {
      id = std::string(v->get_string());
    }
    auto payload = std::make_unique<Payload>();
    payload->json = fhir::json::Serialize(resource, numbers);
    return store::PreparedResource(std::string(type->get_string()), id, std::move(payload));
  }

  Result<store::ResourceVersion> Read(std::string_view, std::string_view) override {
    return Fail(ErrorCategory::kUnsupported, "test.unsupported", "");
  }
  Result<store::ResourceVersion> ReadVersion(std::string_view, std::string_view,
                                             std::int64_t) override {
    return Fail(ErrorCategory::kUnsupported, "test.unsupported", "");
  }
  Result<store::SearchPage> Search(const fhir::search::SearchQuery&) override {
    return Fail(ErrorCategory::kUnsupported, "test.unsupported", "");
  }
  Result<store::HistoryPage> History(const store::HistoryQuery&) override {
    return Fail(ErrorCategory::kUnsupported, "test.unsupported", "");
  }
  Result<std::vector<store::ResourceVersion>> Everything(std::string_view,
                                                         const std::vector<std::string>&,
                                                         std::optional<core::Timestamp>) override {
    return Fail(ErrorCategory::kUnsupported, "test.unsupported", "");
  }
  Status ForEachCurrent(const std::vector<std::string>&, std::optional<core::Timestamp>,
                        const std::function<bool(const store::ResourceVersion&)>&) override {
    return Fail(ErrorCategory::kUnsupported, "test.unsupported", "");
  }

  std::map<std::string, std::string> committed_;
  std::vector<std::size_t> batch_sizes_;
  int transactions_ = 0;
  int fail_transaction_ = 0;   // this transaction (1-based) fails after its work ran
  int rerun_transaction_ = 0;  // this transaction runs its work twice
  int created_ = 0;
  std::mutex mutex_;
};

class RecordingListener final : public ImportListener {
 public:
  void OnSkipped(const SkippedRecord& record) override {
    std::lock_guard lock(mutex_);
    skipped.push_back(record);
  }
  void OnFileError(const std::string& file, const Error& error) override {
    std::lock_guard lock(mutex_);
    file_errors.emplace_back(file, error.code() + ": " + error.message());
  }
  std::vector<SkippedRecord> skipped;
  std::vector<std::pair<std::string, std::string>> file_errors;

 private:
  std::mutex mutex_;
};

std::string PatientLine(const std::string& id, const std::string& family = "Doe") {
  return R"({"resourceType":"Patient","id":")" + id + R"(","name":[{"family":")" + family +
         R"("}]})";
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("chartroom-pipeline-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  ImportSummary Import(const std::vector<fs::path>& files, ImportOptions options = {}) {
    Importer importer(store_, options, listener_);
    return importer.Run(files);
  }

  fs::path dir_;
  FakeStore store_;
  RecordingListener listener_;
};

TEST_F(PipelineTest, ImportsPlainGzipAndZstdFilesKeepingIds) {
  const std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:0d3c5e1a-0000-4000-8000-000000000001",
     "resource":{"resourceType":"Patient","id":"0d3c5e1a-0000-4000-8000-000000000001"}},
    {"fullUrl":"urn:uuid:0d3c5e1a-0000-4000-8000-000000000002",
     "resource":{"resourceType":"Observation","id":"obs1","status":"final","code":{"text":"t"},
       "valueQuantity":{"value":2.50},
       "subject":{"reference":"urn:uuid:0d3c5e1a-0000-4000-8000-000000000001"}}}]})";
  const auto a = Write("a.ndjson", PatientLine("a1") + "\n" + PatientLine("a2") + "\n");
  const auto b = Write("b.json.gz", testing::Gzip(bundle));
  const auto c = Write("c.bin", testing::Zstd(PatientLine("c1") + "\n"));
  const ImportSummary summary = Import({a, b, c});
  EXPECT_EQ(summary.files, 3u);
  EXPECT_EQ(summary.files_failed, 0u);
  EXPECT_EQ(summary.records_read, 5u);
  EXPECT_EQ(summary.written, 5u);
  EXPECT_EQ(summary.skipped, 0u);
  EXPECT_FALSE(summary.store_error);
  EXPECT_TRUE(store_.committed_.contains("Patient/a1"));
  EXPECT_TRUE(store_.committed_.contains("Patient/c1"));
  ASSERT_TRUE(store_.committed_.contains("Observation/obs1"));
  EXPECT_EQ(boost::json::parse(store_.committed_["Observation/obs1"]).at("subject").at("reference"),
            "Patient/0d3c5e1a-0000-4000-8000-000000000001");
  // Numbers reach the store as written.
  EXPECT_NE(store_.committed_["Observation/obs1"].find("2.50"), std::string::npos);
}

TEST_F(PipelineTest, InvalidResourceIsReportedWithPositionAndNotWritten) {
  const auto file =
      Write("obs.ndjson", PatientLine("p1") + "\n" + R"({"resourceType":"Observation","id":"o2"})" +
                              "\n{broken\n" + PatientLine("p3") + "\n");
  const ImportSummary summary = Import({file});
  EXPECT_EQ(summary.records_read, 4u);
  EXPECT_EQ(summary.written, 2u);
  EXPECT_EQ(summary.skipped, 2u);
  ASSERT_EQ(listener_.skipped.size(), 2u);
  std::sort(listener_.skipped.begin(), listener_.skipped.end(),
            [](const auto& x, const auto& y) { return x.position < y.position; });
  EXPECT_EQ(listener_.skipped[0].file, file.string());
  EXPECT_EQ(listener_.skipped[0].position, "2");
  EXPECT_EQ(listener_.skipped[0].resource, "Observation/o2");
  EXPECT_TRUE(listener_.skipped[0].reason.starts_with("fhir.cardinality-min"))
      << listener_.skipped[0].reason;
  EXPECT_EQ(listener_.skipped[1].position, "3");
  EXPECT_EQ(listener_.skipped[1].resource, "-");
  EXPECT_TRUE(listener_.skipped[1].reason.starts_with("fhir.json-syntax"));
  EXPECT_FALSE(store_.committed_.contains("Observation/o2"));
  EXPECT_TRUE(store_.committed_.contains("Patient/p3"));
}

TEST_F(PipelineTest, ResourcesWithoutIdAreCreatedWithServerIds) {
  const auto file = Write("x.ndjson", R"({"resourceType":"Patient","active":true})"
                                      "\n");
  const ImportSummary summary = Import({file});
  EXPECT_EQ(summary.written, 1u);
  EXPECT_TRUE(store_.committed_.contains("Patient/gen-1"));
}

TEST_F(PipelineTest, BatchesHoldAtMostBatchSizeResources) {
  std::string text;
  for (int i = 0; i < 7; ++i) text += PatientLine("p" + std::to_string(i)) + "\n";
  const auto file = Write("p.ndjson", text);
  ImportOptions options;
  options.batch_size = 3;
  const ImportSummary summary = Import({file}, options);
  EXPECT_EQ(summary.written, 7u);
  EXPECT_EQ(store_.batch_sizes_, (std::vector<std::size_t>{3, 3, 1}));
}

TEST_F(PipelineTest, StoreErrorStopsImportAndKeepsEarlierBatches) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += PatientLine("p" + std::to_string(i)) + "\n";
  const auto first = Write("1.ndjson", text);
  const auto second = Write("2.ndjson", PatientLine("later") + "\n");
  store_.fail_transaction_ = 2;
  ImportOptions options;
  options.batch_size = 4;
  options.workers = 2;
  const ImportSummary summary = Import({first, second}, options);
  ASSERT_TRUE(summary.store_error);
  EXPECT_EQ(summary.store_error->code(), "store.sqlite");
  EXPECT_EQ(summary.written, 4u);
  EXPECT_EQ(store_.committed_.size(), 4u);
  EXPECT_EQ(summary.records_read, summary.written + summary.skipped + summary.not_written);
  EXPECT_GE(summary.not_written, 4u);
  EXPECT_FALSE(store_.committed_.contains("Patient/p4"));
  EXPECT_FALSE(store_.committed_.contains("Patient/later"));
}

TEST_F(PipelineTest, TransactionRunTwiceWritesFromText) {
  const auto file = Write("p.ndjson", PatientLine("p1") + "\n" +
                                          R"({"resourceType":"Observation","id":"o1",)"
                                          R"("status":"final","code":{"text":"t"},)"
                                          R"("valueQuantity":{"value":3.10}})"
                                          "\n");
  store_.rerun_transaction_ = 1;
  const ImportSummary summary = Import({file});
  EXPECT_FALSE(summary.store_error) << summary.store_error->message();
  EXPECT_EQ(store_.committed_.size(), 2u);
  EXPECT_NE(store_.committed_["Observation/o1"].find("3.10"), std::string::npos);
}

TEST_F(PipelineTest, TruncatedFileIsReportedAndNextFileImported) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += PatientLine("t" + std::to_string(i)) + "\n";
  const std::string packed = testing::Gzip(text);
  const auto cut = Write("cut.ndjson.gz", packed.substr(0, packed.size() / 2));
  const auto missing = dir_ / "missing.ndjson";
  const auto next = Write("next.ndjson", PatientLine("n1") + "\n");
  const ImportSummary summary = Import({cut, missing, next});
  EXPECT_EQ(summary.files_failed, 2u);
  ASSERT_EQ(listener_.file_errors.size(), 2u);
  EXPECT_EQ(listener_.file_errors[0].first, cut.string());
  EXPECT_TRUE(listener_.file_errors[0].second.starts_with("ingest.truncated"));
  EXPECT_EQ(listener_.file_errors[1].first, missing.string());
  EXPECT_TRUE(store_.committed_.contains("Patient/n1"));
  EXPECT_GT(summary.written, 1u);
  EXPECT_EQ(summary.written, summary.records_read);
}

TEST_F(PipelineTest, LastVersionOfRepeatedIdWinsWithManyWorkers) {
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text += PatientLine("p" + std::to_string(i % 7), "F" + std::to_string(i)) + "\n";
  }
  const auto file = Write("p.ndjson", text);
  ImportOptions options;
  options.workers = 4;
  options.batch_size = 3;
  options.chunks_in_flight = 5;
  const ImportSummary summary = Import({file}, options);
  EXPECT_EQ(summary.written, 500u);
  for (int id = 0; id < 7; ++id) {
    const int last = 499 - ((499 - id) % 7);
    const auto json = boost::json::parse(store_.committed_["Patient/p" + std::to_string(id)]);
    EXPECT_EQ(json.at("name").at(0).at("family").as_string(), "F" + std::to_string(last));
  }
}

TEST_F(PipelineTest, ExpandInputWalksDirectoriesSortedWithoutHiddenFiles) {
  Write("b/2.ndjson", "");
  Write("b/1.ndjson", "");
  Write("a.ndjson", "");
  Write(".hidden/x.ndjson", "");
  Write("b/.y.ndjson", "");
  auto files = ExpandInput(dir_);
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0], dir_ / "a.ndjson");
  EXPECT_EQ((*files)[1], dir_ / "b/1.ndjson");
  EXPECT_EQ((*files)[2], dir_ / "b/2.ndjson");
  auto missing = ExpandInput(dir_ / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().category(), ErrorCategory::kNotFound);
}

}  // namespace
}  // namespace chartroom::ingest
