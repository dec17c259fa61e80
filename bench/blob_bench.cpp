// The cost of the blob store (store/blob/): writing and reading a Binary with 1 MiB of data and
// a small Observation, on the SQLite store alone (data inline in the sealed row) and wrapped by
// BlobResourceStore (data in a sealed blob file). Every write is one durable transaction
// (synchronous=FULL, and the blob's fsyncs), prepared on the calling thread as the REST layer
// does. Run: build/release/bench/chartroom_blob_bench (figures in docs/benchmarks.md).
//
// Arguments: /0 = SQLite store alone, /1 = with the blob store. CPU is the whole process's (the
// store's writer thread does part of every write).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"
#include "crypto/keyed_hash.hpp"
#include "fhir/search/index_values.hpp"
#include "store/blob/blob_resource_store.hpp"
#include "store/sqlite/sqlite_resource_store.hpp"

namespace chartroom::store {
namespace {

namespace bj = boost::json;
namespace fs = fhir::search;

struct Stores {
  std::filesystem::path dir;
  core::SystemClock clock;
  core::SystemRandom random;
  std::unique_ptr<fs::IndexExtractor> extractor;
  std::unique_ptr<SqliteResourceStore> sqlite;
  std::unique_ptr<blob::BlobResourceStore> blobs;

  explicit Stores(const std::string& name) {
    dir = std::filesystem::temp_directory_path() /
          ("chartroom-blob-bench-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir);
    extractor = std::move(*fs::IndexExtractor::Create());
    SqliteResourceStore::Options options;
    options.path = dir / "chartroom.db";
    fs::IndexExtractor* ex = extractor.get();
    options.index = [ex](const bj::value& v) { return ex->Extract(v); };
    core::SeededRandom key_random(1);
    auto opened =
        SqliteResourceStore::Open(options, clock, random, crypto::SecretKey::Generate(key_random));
    auto blob_files = blob::BlobStore::Open(dir / "blobs");
    if (!opened || !blob_files) std::abort();
    sqlite = std::move(*opened);
    blob::BlobResourceStore::Options blob_options;
    blob_options.index = options.index;
    blobs = std::make_unique<blob::BlobResourceStore>(*sqlite, *sqlite, std::move(*blob_files),
                                                      blob_options);
  }
  ~Stores() {
    blobs.reset();
    sqlite.reset();
    std::filesystem::remove_all(dir);
  }
  ResourceStore& Get(bool with_blobs) {
    return with_blobs ? static_cast<ResourceStore&>(*blobs) : *sqlite;
  }
};

std::string Content(std::size_t n, std::uint64_t seed) {
  std::string bytes(n, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (char& c : bytes) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    c = static_cast<char>(x >> 56);
  }
  return bytes;
}

// A Binary of 1 MiB; `data` is its base64 text (computed once: the variants differ in the id).
bj::object BinaryResource(const std::string& id, const std::string& data) {
  bj::object o;
  o["resourceType"] = "Binary";
  o["id"] = id;
  o["contentType"] = "application/pdf";
  o["data"] = data;
  return o;
}

bj::object SmallResource(const std::string& id) {
  return bj::parse(
             R"({"resourceType":"Observation","id":")" + id +
             R"(","status":"final","category":[{"coding":[{"system":)"
             R"("http://terminology.hl7.org/CodeSystem/observation-category",)"
             R"("code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org",)"
             R"("code":"8867-4","display":"Heart rate"}]},"subject":{"reference":)"
             R"("Patient/bench-patient"},"effectiveDateTime":"2024-03-01T09:00:00Z",)"
             R"("valueQuantity":{"value":72,"unit":"/min","system":"http://unitsofmeasure.org",)"
             R"("code":"/min"}})")
      .as_object();
}

void Write(ResourceStore& store, bj::object resource) {
  auto prepared = store.Prepare(std::move(resource));
  if (!prepared) std::abort();
  Status status = store.InTransaction([&](Transaction& tx) -> Status {
    auto written = tx.Update(std::move(*prepared), std::nullopt);
    if (!written) return tl::unexpected(written.error());
    return Ok();
  });
  if (!status) {
    std::fprintf(stderr, "write: %s\n", status.error().message().c_str());
    std::abort();
  }
}

void BM_WriteBinary1MiB(benchmark::State& state) {
  const bool with_blobs = state.range(0) != 0;
  Stores stores("write-binary-" + std::to_string(state.range(0)));
  std::uint64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // New content every time: no write is spared by deduplication.
    const std::string data = crypto::EncodeBase64(Content(1 << 20, ++n));
    state.ResumeTiming();
    Write(stores.Get(with_blobs), BinaryResource("b" + std::to_string(n), data));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * (1 << 20));
}
BENCHMARK(BM_WriteBinary1MiB)->Arg(0)->Arg(1)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_ReadBinary1MiB(benchmark::State& state) {
  const bool with_blobs = state.range(0) != 0;
  Stores stores("read-binary-" + std::to_string(state.range(0)));
  ResourceStore& store = stores.Get(with_blobs);
  Write(store, BinaryResource("b1", crypto::EncodeBase64(Content(1 << 20, 1))));
  for (auto _ : state) {
    auto read = store.Read("Binary", "b1");
    if (!read) std::abort();
    benchmark::DoNotOptimize(read->json.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * (1 << 20));
}
BENCHMARK(BM_ReadBinary1MiB)->Arg(0)->Arg(1)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_WriteSmall(benchmark::State& state) {
  const bool with_blobs = state.range(0) != 0;
  Stores stores("write-small-" + std::to_string(state.range(0)));
  std::uint64_t n = 0;
  for (auto _ : state) Write(stores.Get(with_blobs), SmallResource("o" + std::to_string(++n)));
}
BENCHMARK(BM_WriteSmall)->Arg(0)->Arg(1)->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);

// Prepare alone: the CPU cost the blob store adds to a write without attachments (the scan for
// long `data` strings), without the fsync that dominates BM_WriteSmall.
void BM_PrepareSmall(benchmark::State& state) {
  const bool with_blobs = state.range(0) != 0;
  Stores stores("prepare-small-" + std::to_string(state.range(0)));
  ResourceStore& store = stores.Get(with_blobs);
  const bj::object resource = SmallResource("o1");
  for (auto _ : state) {
    auto prepared = store.Prepare(resource);
    if (!prepared) std::abort();
    benchmark::DoNotOptimize(prepared->payload());
  }
}
BENCHMARK(BM_PrepareSmall)->Arg(0)->Arg(1)->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);

void BM_ReadSmall(benchmark::State& state) {
  const bool with_blobs = state.range(0) != 0;
  Stores stores("read-small-" + std::to_string(state.range(0)));
  ResourceStore& store = stores.Get(with_blobs);
  Write(store, SmallResource("o1"));
  for (auto _ : state) {
    auto read = store.Read("Observation", "o1");
    if (!read) std::abort();
    benchmark::DoNotOptimize(read->json.data());
  }
}
BENCHMARK(BM_ReadSmall)->Arg(0)->Arg(1)->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace chartroom::store
