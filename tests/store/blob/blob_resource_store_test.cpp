// Contract tests of BlobResourceStore (store/blob/blob_resource_store.hpp) over every backend of
// support/backends.hpp: large attachment data leaves the backend's content for sealed blob files
// and comes back byte for byte through every read path. All fixture data is synthetic.

#include "store/blob/blob_resource_store.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/result_macros.hpp"
#include "crypto/keyed_hash.hpp"
#include "store/blob/attachments.hpp"
#include "support/store_fixture.hpp"

namespace chartroom::store::blob {
namespace {

namespace bj = boost::json;
using test::Json;

constexpr std::size_t kMinBytes = 1024;

// Synthetic binary content: `n` bytes of a pattern seeded by `seed`, starting with a tag that
// the raw-bytes checks look for.
std::string Content(std::size_t n, int seed) {
  std::string bytes = "SYNTHETIC-SCAN-" + std::to_string(seed) + "-";
  std::uint32_t x = static_cast<std::uint32_t>(seed) * 2654435761u + 1;
  while (bytes.size() < n) {
    x = x * 1664525u + 1013904223u;
    bytes += static_cast<char>(x >> 24);
  }
  bytes.resize(n);
  return bytes;
}

std::string BinaryJson(std::string_view id, const std::string& data) {
  return R"({"resourceType":"Binary","id":")" + std::string(id) +
         R"(","contentType":"application/pdf","data":")" + data + R"("})";
}

std::string DocumentJson(std::string_view id, std::string_view patient, const std::string& data) {
  return R"({"resourceType":"DocumentReference","id":")" + std::string(id) +
         R"(","status":"current","subject":{"reference":"Patient/)" + std::string(patient) +
         R"("},"content":[{"attachment":{"contentType":"application/pdf","data":")" + data +
         R"(","title":"scan"}},{"attachment":{"url":"http://example.org/x"}}]})";
}

// Every Attachment / Binary data value of a stored JSON text, in document order.
std::vector<std::string> DataOf(std::string_view json) {
  bj::object resource = bj::parse(json).as_object();
  std::vector<std::string> out;
  Status status = ForEachDataHolder(resource, [&](bj::object& holder) -> Status {
    out.emplace_back(holder.at("data").as_string());
    return Ok();
  });
  EXPECT_TRUE(status.has_value());
  return out;
}

std::vector<std::filesystem::path> BlobFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().parent_path().filename() != "tmp") {
      files.push_back(entry.path());
    }
  }
  return files;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class BlobResourceStoreTest : public test::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    auto* keys = dynamic_cast<KeyProvider*>(&backend().store());
    if (keys == nullptr) GTEST_SKIP() << "the backend offers no KeyProvider";
    auto blobs = BlobStore::Open(dir_->path() / "blobs");
    ASSERT_TRUE(blobs.has_value()) << blobs.error().message();
    BlobResourceStore::Options options;
    options.min_bytes = kMinBytes;
    options.index = test::RealIndex();
    blob_store_ =
        std::make_unique<BlobResourceStore>(backend().store(), *keys, std::move(*blobs), options);
  }
  void TearDown() override { blob_store_.reset(); }

  BlobResourceStore& blobs() { return *blob_store_; }

  Result<ResourceVersion> Write(std::string_view json) {
    Result<ResourceVersion> out = Fail(ErrorCategory::kInternal, "test.not-run", "not run");
    Status status = blobs().InTransaction([&](Transaction& tx) -> Status {
      out = tx.Update(Json(json), std::nullopt);
      return out ? Ok() : Status(tl::unexpected(out.error()));
    });
    if (!status) return tl::unexpected(status.error());
    return out;
  }

  // Writes through Prepare, as the REST layer does.
  Result<ResourceVersion> WritePrepared(std::string_view json) {
    CHARTROOM_ASSIGN_OR_RETURN(PreparedResource prepared, blobs().Prepare(Json(json)));
    Result<ResourceVersion> out = Fail(ErrorCategory::kInternal, "test.not-run", "not run");
    Status status = blobs().InTransaction([&](Transaction& tx) -> Status {
      out = tx.Update(std::move(prepared), std::nullopt);
      return out ? Ok() : Status(tl::unexpected(out.error()));
    });
    if (!status) return tl::unexpected(status.error());
    return out;
  }

  std::unique_ptr<BlobResourceStore> blob_store_;
};

TEST_P(BlobResourceStoreTest, LargeDataRoundTripsThroughEveryReadPath) {
  const std::string binary_data = crypto::EncodeBase64(Content(300 * 1024, 1));
  const std::string document_data = crypto::EncodeBase64(Content(200 * 1024, 2));
  ASSERT_TRUE(Write(R"({"resourceType":"Patient","id":"p1","gender":"female"})").has_value());
  auto binary = WritePrepared(BinaryJson("b1", binary_data));
  ASSERT_TRUE(binary.has_value()) << binary.error().message();
  auto document = Write(DocumentJson("d1", "p1", document_data));
  ASSERT_TRUE(document.has_value()) << document.error().message();

  // What the writes return, and what the backend keeps: markers, not data.
  EXPECT_EQ(DataOf(binary->json), std::vector<std::string>{binary_data});
  EXPECT_EQ(DataOf(document->json), std::vector<std::string>{document_data});
  auto raw = backend().store().Read("DocumentReference", "d1");
  ASSERT_TRUE(raw.has_value());
  ASSERT_EQ(DataOf(raw->json).size(), 1u);
  EXPECT_TRUE(DataOf(raw->json)[0].starts_with(kMarkerPrefix));
  EXPECT_LT(raw->json.size(), 1000u);

  auto check = [&](const ResourceVersion& v) {
    if (v.type == "Binary") {
      EXPECT_EQ(DataOf(v.json), std::vector<std::string>{binary_data}) << "Binary";
    } else if (v.type == "DocumentReference") {
      EXPECT_EQ(DataOf(v.json), std::vector<std::string>{document_data}) << "DocumentReference";
    }
  };
  for (auto [type, id] : {std::pair{"Binary", "b1"}, std::pair{"DocumentReference", "d1"}}) {
    auto read = blobs().Read(type, id);
    ASSERT_TRUE(read.has_value()) << read.error().message();
    check(*read);
    auto version = blobs().ReadVersion(type, id, 1);
    ASSERT_TRUE(version.has_value());
    check(*version);
    EXPECT_EQ(read->json, version->json);
  }
  // The stored JSON is the backend's, byte for byte, except for the data.
  EXPECT_EQ(blobs().Read("DocumentReference", "d1")->json, document->json);

  // Search: matches and _revinclude.
  auto page = blobs().Search(
      test::Search("Patient", {test::Common(fhir::search::CommonParam::kId, {test::Tok("p1")})}));
  ASSERT_TRUE(page.has_value());
  fhir::search::SearchQuery with_included =
      test::Search("Patient", {test::Common(fhir::search::CommonParam::kId, {test::Tok("p1")})});
  with_included.includes.push_back(test::RevInclude("DocumentReference", "subject"));
  page = blobs().Search(with_included);
  ASSERT_TRUE(page.has_value()) << page.error().message();
  ASSERT_EQ(page->included.size(), 1u);
  check(page->included[0]);
  page = blobs().Search(test::Search("Binary"));
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->matches.size(), 1u);
  check(page->matches[0]);

  // History: system and instance.
  auto history = blobs().History(HistoryQuery{});
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(history->versions.size(), 3u);
  for (const auto& v : history->versions) check(v);

  // Everything and ForEachCurrent.
  auto everything = blobs().Everything("p1", {}, std::nullopt);
  ASSERT_TRUE(everything.has_value());
  EXPECT_EQ(everything->size(), 2u);
  for (const auto& v : *everything) check(v);
  std::set<std::string> streamed;
  ASSERT_TRUE(blobs()
                  .ForEachCurrent({}, std::nullopt,
                                  [&](const ResourceVersion& v) {
                                    check(v);
                                    streamed.insert(v.type);
                                    return true;
                                  })
                  .has_value());
  EXPECT_EQ(streamed, (std::set<std::string>{"Binary", "DocumentReference", "Patient"}));

  // Inside a transaction.
  ASSERT_TRUE(blobs()
                  .InTransaction([&](Transaction& tx) -> Status {
                    auto read = tx.Read("Binary", "b1");
                    EXPECT_TRUE(read.has_value());
                    if (read) check(*read);
                    auto search = tx.Search(test::Search("DocumentReference"));
                    EXPECT_TRUE(search.has_value());
                    if (search) {
                      EXPECT_EQ(search->matches.size(), 1u);
                      for (const auto& v : search->matches) check(v);
                    }
                    return Ok();
                  })
                  .has_value());
}

TEST_P(BlobResourceStoreTest, RawStorageHoldsNeitherThePlaintextNorItsBase64) {
  const std::string content = Content(64 * 1024, 3);
  const std::string data = crypto::EncodeBase64(content);
  ASSERT_TRUE(Write(DocumentJson("d1", "p1", data)).has_value());
  ASSERT_TRUE(Write(BinaryJson("b1", data)).has_value());
  auto files = BlobFiles(dir_->path() / "blobs");
  EXPECT_EQ(files.size(), 2u);  // two compartments: Patient/p1 and the system's
  for (const auto& file : files) {
    const std::string raw = ReadFile(file);
    EXPECT_EQ(raw.find("SYNTHETIC-SCAN-3"), std::string::npos);
    EXPECT_EQ(raw.find(content.substr(1000, 64)), std::string::npos);
    EXPECT_EQ(raw.find(data.substr(1000, 64)), std::string::npos);
  }
  auto in_backend = backend().RawStorageContains(data.substr(1000, 64));
  if (in_backend) {
    EXPECT_FALSE(*in_backend);
  }
  auto plain_in_backend = backend().RawStorageContains("SYNTHETIC-SCAN-3");
  if (plain_in_backend) {
    EXPECT_FALSE(*plain_in_backend);
  }
}

TEST_P(BlobResourceStoreTest, TamperedBlobIsReportedCorruptNeverReturned) {
  ASSERT_TRUE(Write(BinaryJson("b1", crypto::EncodeBase64(Content(8192, 4)))).has_value());
  auto files = BlobFiles(dir_->path() / "blobs");
  ASSERT_EQ(files.size(), 1u);
  std::string raw = ReadFile(files[0]);
  raw[raw.size() / 2] = static_cast<char>(raw[raw.size() / 2] ^ 0x10);
  std::ofstream(files[0], std::ios::binary | std::ios::trunc) << raw;

  auto read = blobs().Read("Binary", "b1");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().category(), ErrorCategory::kInternal);
  EXPECT_EQ(read.error().code(), "store.corrupt");
  auto search = blobs().Search(test::Search("Binary"));
  ASSERT_FALSE(search.has_value());
  EXPECT_EQ(search.error().code(), "store.corrupt");
  bool streamed = false;
  auto stream = blobs().ForEachCurrent({"Binary"}, std::nullopt, [&](const ResourceVersion&) {
    streamed = true;
    return true;
  });
  ASSERT_FALSE(stream.has_value());
  EXPECT_EQ(stream.error().code(), "store.corrupt");
  EXPECT_FALSE(streamed);
}

TEST_P(BlobResourceStoreTest, MissingBlobIsAnErrorNotAnEmptyAttachment) {
  ASSERT_TRUE(Write(R"({"resourceType":"Patient","id":"p1"})").has_value());
  ASSERT_TRUE(Write(DocumentJson("d1", "p1", crypto::EncodeBase64(Content(8192, 5)))).has_value());
  auto files = BlobFiles(dir_->path() / "blobs");
  ASSERT_EQ(files.size(), 1u);
  std::filesystem::remove(files[0]);
  auto read = blobs().Read("DocumentReference", "d1");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().category(), ErrorCategory::kInternal);
  EXPECT_EQ(read.error().code(), "store.corrupt");
  auto everything = blobs().Everything("p1", {}, std::nullopt);
  ASSERT_FALSE(everything.has_value());
  EXPECT_EQ(everything.error().code(), "store.corrupt");
}

TEST_P(BlobResourceStoreTest, EqualContentIsStoredOncePerPatientAndUnrelatedAcrossPatients) {
  const std::string data = crypto::EncodeBase64(Content(16 * 1024, 6));
  ASSERT_TRUE(Write(DocumentJson("d1", "p1", data)).has_value());
  ASSERT_TRUE(Write(DocumentJson("d2", "p1", data)).has_value());
  EXPECT_EQ(BlobFiles(dir_->path() / "blobs").size(), 1u);
  ASSERT_TRUE(Write(DocumentJson("d3", "p2", data)).has_value());
  EXPECT_EQ(BlobFiles(dir_->path() / "blobs").size(), 2u);

  auto marker_of = [&](std::string_view id) {
    auto raw = backend().store().Read("DocumentReference", id);
    EXPECT_TRUE(raw.has_value());
    return ParseMarker(DataOf(raw->json).at(0)).value();
  };
  EXPECT_EQ(marker_of("d1").address, marker_of("d2").address);
  EXPECT_NE(marker_of("d1").address, marker_of("d3").address);
  EXPECT_EQ(marker_of("d3").patient_id, std::optional<std::string>("p2"));
  for (std::string_view id : {"d1", "d2", "d3"}) {
    auto read = blobs().Read("DocumentReference", id);
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(DataOf(read->json), std::vector<std::string>{data});
  }
}

TEST_P(BlobResourceStoreTest, EveryVersionKeepsItsOwnBlobs) {
  const std::string first = crypto::EncodeBase64(Content(4096, 7));
  const std::string second = crypto::EncodeBase64(Content(4096, 8));
  ASSERT_TRUE(Write(BinaryJson("b1", first)).has_value());
  ASSERT_TRUE(Write(BinaryJson("b1", second)).has_value());
  ASSERT_TRUE(Write(BinaryJson("b1", second)).has_value());  // same data: no new blob
  EXPECT_EQ(BlobFiles(dir_->path() / "blobs").size(), 2u);
  ASSERT_TRUE(Delete("Binary", "b1").has_value());
  auto v1 = blobs().ReadVersion("Binary", "b1", 1);
  auto v2 = blobs().ReadVersion("Binary", "b1", 2);
  ASSERT_TRUE(v1.has_value() && v2.has_value());
  EXPECT_EQ(DataOf(v1->json), std::vector<std::string>{first});
  EXPECT_EQ(DataOf(v2->json), std::vector<std::string>{second});
  auto history = blobs().History(HistoryQuery{"Binary", "b1", std::nullopt, 10, std::nullopt});
  ASSERT_TRUE(history.has_value());
  ASSERT_EQ(history->versions.size(), 4u);
  EXPECT_TRUE(history->versions[0].deleted());
  EXPECT_EQ(DataOf(history->versions[1].json), std::vector<std::string>{second});
  EXPECT_EQ(DataOf(history->versions[3].json), std::vector<std::string>{first});
}

TEST_P(BlobResourceStoreTest, SmallNonCanonicalAndPatientDataStayInline) {
  const std::string small = crypto::EncodeBase64(Content(kMinBytes - 1, 9));
  std::string spaced = crypto::EncodeBase64(Content(4096, 10));
  spaced.insert(76, " ");  // valid base64Binary, not canonical
  const std::string photo = crypto::EncodeBase64(Content(4096, 11));
  ASSERT_TRUE(Write(BinaryJson("small", small)).has_value());
  ASSERT_TRUE(Write(BinaryJson("spaced", spaced)).has_value());
  ASSERT_TRUE(Write(R"({"resourceType":"Patient","id":"p1","photo":[{"data":")" + photo + "\"}]}")
                  .has_value());
  EXPECT_TRUE(BlobFiles(dir_->path() / "blobs").empty());
  EXPECT_EQ(DataOf(blobs().Read("Binary", "small")->json), std::vector<std::string>{small});
  EXPECT_EQ(DataOf(blobs().Read("Binary", "spaced")->json), std::vector<std::string>{spaced});
  EXPECT_EQ(DataOf(blobs().Read("Patient", "p1")->json), std::vector<std::string>{photo});
}

TEST_P(BlobResourceStoreTest, DataThatLooksLikeAMarkerIsRefused) {
  const std::string forged = FormatMarker({std::string("p2"), std::string(64, 'a'), 10});
  auto written = Write(BinaryJson("b1", forged));
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().category(), ErrorCategory::kInvalid);
  EXPECT_EQ(written.error().code(), "store.bad-resource");
  auto prepared = blobs().Prepare(Json(DocumentJson("d1", "p1", forged)));
  ASSERT_FALSE(prepared.has_value());
  EXPECT_EQ(prepared.error().code(), "store.bad-resource");
}

TEST_P(BlobResourceStoreTest, ResourcesWithoutLargeDataAreStoredUnchanged) {
  auto written = Write(R"({"resourceType":"Observation","id":"o1","status":"final",)"
                       R"("code":{"text":"x"},"subject":{"reference":"Patient/p1"}})");
  ASSERT_TRUE(written.has_value());
  auto raw = backend().store().Read("Observation", "o1");
  auto read = blobs().Read("Observation", "o1");
  ASSERT_TRUE(raw.has_value() && read.has_value());
  EXPECT_EQ(raw->json, read->json);
  EXPECT_EQ(written->json, read->json);
  EXPECT_FALSE(std::filesystem::exists(dir_->path() / "blobs" / "00"));
  EXPECT_TRUE(BlobFiles(dir_->path() / "blobs").empty());
}

TEST_P(BlobResourceStoreTest, NumbersKeepTheTextTheClientWrote) {
  // Media.height 1.50 as written (ordinal 0: the resource's first number), next to a blob.
  const std::string data = crypto::EncodeBase64(Content(4096, 15));
  const std::string json = R"({"resourceType":"Media","id":"m1","status":"completed",)"
                           R"("subject":{"reference":"Patient/p1"},"duration":1.50,)"
                           R"("content":{"data":")" +
                           data + R"("}})";
  auto prepared = blobs().Prepare(Json(json), fhir::json::NumberTexts{{0, "1.50"}});
  ASSERT_TRUE(prepared.has_value()) << prepared.error().message();
  Result<ResourceVersion> written = Fail(ErrorCategory::kInternal, "test.not-run", "not run");
  ASSERT_TRUE(blobs()
                  .InTransaction([&](Transaction& tx) -> Status {
                    written = tx.Update(std::move(*prepared), std::nullopt);
                    return written ? Ok() : Status(tl::unexpected(written.error()));
                  })
                  .has_value());
  EXPECT_NE(written->json.find(R"("duration":1.50,)"), std::string::npos);
  auto read = blobs().Read("Media", "m1");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->json, written->json);
  EXPECT_EQ(DataOf(read->json), std::vector<std::string>{data});
  EXPECT_EQ(BlobFiles(dir_->path() / "blobs").size(), 1u);
}

TEST_P(BlobResourceStoreTest, PrepareInsideAWorkUsesItsTransactionForANewPatient) {
  // As the REST layer writes a transaction Bundle: the Patient and a document of it, both new,
  // the document prepared inside the work.
  const std::string data = crypto::EncodeBase64(Content(8192, 14));
  Status status = blobs().InTransaction([&](Transaction& tx) -> Status {
    CHARTROOM_RETURN_IF_ERROR(tx.Update(Json(R"({"resourceType":"Patient","id":"p7"})"), {}));
    CHARTROOM_ASSIGN_OR_RETURN(PreparedResource prepared,
                               blobs().Prepare(Json(DocumentJson("d7", "p7", data))));
    CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion written, tx.Create(std::move(prepared)));
    EXPECT_EQ(DataOf(written.json), std::vector<std::string>{data});
    auto read = blobs().Read("Patient", "p7");  // outside the transaction: not there yet
    EXPECT_FALSE(read.has_value());
    return Ok();
  });
  ASSERT_TRUE(status.has_value()) << status.error().code() << ": " << status.error().message();
  EXPECT_EQ(BlobFiles(dir_->path() / "blobs").size(), 1u);
  auto page = blobs().Search(test::Search("DocumentReference"));
  ASSERT_TRUE(page.has_value()) << page.error().message();
  ASSERT_EQ(page->matches.size(), 1u);
  EXPECT_EQ(DataOf(page->matches[0].json), std::vector<std::string>{data});
}

TEST_P(BlobResourceStoreTest, ARolledBackTransactionLeavesOnlyAnUnreferencedBlob) {
  const std::string data = crypto::EncodeBase64(Content(4096, 12));
  Status status = blobs().InTransaction([&](Transaction& tx) -> Status {
    auto created = tx.Create(Json(DocumentJson("ignored", "p9", data)));
    EXPECT_TRUE(created.has_value());
    return Fail(ErrorCategory::kConflict, "test.rollback", "rolled back on purpose");
  });
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(BlobFiles(dir_->path() / "blobs").size(), 1u);  // harmless orphan
  auto page = blobs().Search(test::Search("DocumentReference"));
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->matches.empty());
  // The compartment created in the rolled-back transaction is gone; a new write works.
  auto again = Write(DocumentJson("d1", "p9", data));
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(DataOf(blobs().Read("DocumentReference", "d1")->json), std::vector<std::string>{data});
}

// The backends themselves: the ones already behind a blob store are covered by the next suite.
std::vector<test::Backend> PlainBackends() {
  std::vector<test::Backend> plain;
  for (const test::Backend& backend : test::AvailableBackends()) {
    if (!backend.name.ends_with("WithBlobs")) plain.push_back(backend);
  }
  return plain;
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BlobResourceStoreTest, ::testing::ValuesIn(PlainBackends()),
                         test::BackendName);

// Attachment data, small and large, reads back exactly through every read path of every backend,
// with and without a blob store in front (the SqliteWithBlobs backend moves every attachment's
// data, however small, to blob files).
class AttachmentContractTest : public test::StoreFixture {};

TEST_P(AttachmentContractTest, AttachmentDataReadsBackExactlyEverywhere) {
  const std::string small = crypto::EncodeBase64("synthetic note");
  const std::string large = crypto::EncodeBase64(Content(40000, 13));
  ASSERT_TRUE(Put(R"({"resourceType":"Patient","id":"p1"})").has_value());
  ASSERT_TRUE(Put(DocumentJson("d1", "p1", small)).has_value());
  auto created = Create(R"({"resourceType":"Media","status":"completed",)"
                        R"("subject":{"reference":"Patient/p1"},"content":{"data":")" +
                        large + R"("}})");
  ASSERT_TRUE(created.has_value()) << created.error().message();
  EXPECT_EQ(DataOf(created->json), std::vector<std::string>{large});
  auto expected = [&](const ResourceVersion& v) {
    return v.type == "Media"               ? std::vector<std::string>{large}
           : v.type == "DocumentReference" ? std::vector<std::string>{small}
                                           : std::vector<std::string>{};
  };
  auto read = store().Read("Media", created->id);
  ASSERT_TRUE(read.has_value()) << read.error().message();
  EXPECT_EQ(read->json, created->json);
  auto everything = store().Everything("p1", {}, std::nullopt);
  ASSERT_TRUE(everything.has_value());
  EXPECT_EQ(everything->size(), 3u);
  for (const auto& v : *everything) EXPECT_EQ(DataOf(v.json), expected(v)) << v.type;
  auto history = store().History(HistoryQuery{});
  ASSERT_TRUE(history.has_value());
  for (const auto& v : history->versions) EXPECT_EQ(DataOf(v.json), expected(v)) << v.type;
  auto page = store().Search(test::Search("DocumentReference"));
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->matches.size(), 1u);
  EXPECT_EQ(DataOf(page->matches[0].json), std::vector<std::string>{small});
  ASSERT_TRUE(store()
                  .InTransaction([&](Transaction& tx) -> Status {
                    auto in_tx = tx.ReadVersion("DocumentReference", "d1", 1);
                    EXPECT_TRUE(in_tx.has_value());
                    if (in_tx) {
                      EXPECT_EQ(DataOf(in_tx->json), std::vector<std::string>{small});
                    }
                    return Ok();
                  })
                  .has_value());
}

INSTANTIATE_TEST_SUITE_P(AllBackends, AttachmentContractTest,
                         ::testing::ValuesIn(test::AvailableBackends()), test::BackendName);

}  // namespace
}  // namespace chartroom::store::blob
