// Bulk Data export throughput (rest::ExportManager, rest/export.hpp): resources per second from a
// populated SQLite store into sealed NDJSON files, and the decryption of a file for download.
//
// Data: a population of `chartroom generate` (synth::Generate, seed 1) of
// CHARTROOM_EXPORT_BENCH_PATIENTS patients (default 2000, about 150 resources each), loaded into
// a fresh store (every R4 search parameter indexed, content sealed per patient compartment) once
// before the benchmarks run. The store's figures are those of store_bench.cpp.
//
//   BM_StoreForEachCurrent  the store's stream alone (the ceiling of a system export)
//   BM_ExportSystem   [base]/$export: ForEachCurrent over every type, written to sealed files
//   BM_ExportPatient  [base]/Patient/$export: $everything per patient, deduplicated
//   BM_ReadFile       opening one sealed output file of 16 MiB for a download
// items_per_second is resources (files for BM_ReadFile); bytes_per_second is NDJSON.
//
//   cmake --preset release && cmake --build --preset release --target chartroom_export_bench
//   build/release/bench/chartroom_export_bench

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"
#include "fhir/search/index_values.hpp"
#include "rest/export.hpp"
#include "rest/log.hpp"
#include "store/sqlite/sqlite_resource_store.hpp"
#include "synth/generator.hpp"

namespace chartroom {
namespace {

namespace bj = boost::json;

std::size_t Patients() {
  const char* env = std::getenv("CHARTROOM_EXPORT_BENCH_PATIENTS");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 2000;
}

// Loads the generated resources into the store, 1000 per transaction, prepared first.
class LoadSink final : public synth::OutputSink {
 public:
  explicit LoadSink(store::ResourceStore& store) : store_(store) {}

  Status Append(synth::OutputFile file, std::string_view bytes) override {
    if (!synth::IsResourceFile(file)) return Ok();
    while (!bytes.empty()) {
      const std::size_t end = bytes.find('\n');
      const std::string_view line = bytes.substr(0, end);
      bytes = end == std::string_view::npos ? std::string_view() : bytes.substr(end + 1);
      if (line.empty()) continue;
      auto prepared = store_.Prepare(bj::parse(line).as_object());
      if (!prepared) return tl::unexpected(prepared.error());
      batch_.push_back(std::move(*prepared));
      ++resources_;
      bytes_ += line.size() + 1;
      if (batch_.size() == 1000) {
        if (auto flushed = Flush(); !flushed) return flushed;
      }
    }
    return Ok();
  }

  Status Flush() {
    Status status = store_.InTransaction([&](store::Transaction& tx) -> Status {
      for (store::PreparedResource& r : batch_) {
        auto written = tx.Update(std::move(r), std::nullopt);
        if (!written) return tl::unexpected(written.error());
      }
      return Ok();
    });
    batch_.clear();
    return status;
  }

  std::size_t resources() const { return resources_; }
  std::size_t bytes() const { return bytes_; }

 private:
  store::ResourceStore& store_;
  std::vector<store::PreparedResource> batch_;
  std::size_t resources_ = 0;
  std::size_t bytes_ = 0;
};

struct Populated {
  std::filesystem::path dir;
  core::SystemClock clock;
  core::SystemRandom random;
  std::unique_ptr<fhir::search::IndexExtractor> extractor;
  std::unique_ptr<store::SqliteResourceStore> store;
  rest::Logger logger{"rest", rest::LogLevel::kOff, clock, [](std::string_view) {}};
  std::size_t resources = 0;
  std::size_t bytes = 0;

  Populated() {
    dir = std::filesystem::temp_directory_path() /
          ("chartroom-export-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    extractor = std::move(*fhir::search::IndexExtractor::Create());
    store::SqliteResourceStore::Options options;
    options.path = dir / "chartroom.db";
    fhir::search::IndexExtractor* ex = extractor.get();
    options.index = [ex](const bj::value& v) { return ex->Extract(v); };
    core::SeededRandom key_random(1);
    auto opened = store::SqliteResourceStore::Open(options, clock, random,
                                                   crypto::SecretKey::Generate(key_random));
    if (!opened) {
      std::fprintf(stderr, "store: %s\n", opened.error().message().c_str());
      std::abort();
    }
    store = std::move(*opened);
    const auto start = std::chrono::steady_clock::now();
    LoadSink sink(*store);
    synth::GenerateOptions generate;
    generate.patients = Patients();
    auto generated = synth::Generate(generate, sink);
    Status flushed = generated ? sink.Flush() : Status(tl::unexpected(generated.error()));
    if (!flushed) {
      std::fprintf(stderr, "populate: %s\n", flushed.error().message().c_str());
      std::abort();
    }
    resources = sink.resources();
    bytes = sink.bytes();
    std::fprintf(stderr, "populated %zu resources (%.1f MB of NDJSON) in %.1f s\n", resources,
                 static_cast<double>(bytes) / 1e6,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  ~Populated() {
    store.reset();
    std::filesystem::remove_all(dir);
  }

  std::unique_ptr<rest::ExportManager> Manager(std::size_t max_file_bytes = 16 * 1024 * 1024) {
    rest::ExportOptions options;
    options.max_file_bytes = max_file_bytes;
    auto created = rest::ExportManager::Create(options, dir / "exports", *store, clock, logger);
    if (!created) std::abort();
    return std::move(*created);
  }
};

Populated& Db() {
  static Populated db;
  return db;
}

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Runs one export to the end; the finished status.
rest::ExportStatus RunExport(rest::ExportManager& exports, rest::ExportLevel level) {
  rest::ExportRequest request;
  request.level = level;
  auto id = exports.Start(request);
  if (!id) std::abort();
  for (;;) {
    auto status = exports.Status(*id);
    if (!status) std::abort();
    if (status->state != rest::ExportState::kRunning) {
      if (status->state == rest::ExportState::kFailed) {
        std::fprintf(stderr, "export failed: %s\n", status->failure->message().c_str());
        std::abort();
      }
      (void)exports.Cancel(*id);  // deletes its files
      return *status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Export(benchmark::State& state, rest::ExportLevel level) {
  Populated& db = Db();
  auto exports = db.Manager();
  std::int64_t resources = 0;
  std::size_t files = 0;
  const double cpu0 = ProcessCpuSeconds();
  for (auto _ : state) {
    rest::ExportStatus status = RunExport(*exports, level);
    resources += status.exported;
    files = status.outputs.size();
  }
  state.SetItemsProcessed(resources);
  state.SetBytesProcessed(
      static_cast<std::int64_t>(static_cast<double>(db.bytes) * static_cast<double>(resources) /
                                static_cast<double>(db.resources)));
  state.counters["resources"] = static_cast<double>(db.resources);
  state.counters["files"] = static_cast<double>(files);
  // CPU of every thread of the process per resource: unlike the rate, it does not depend on
  // what else the machine runs.
  state.counters["cpu_us_per_res"] = (ProcessCpuSeconds() - cpu0) * 1e6 /
                                     static_cast<double>(std::max<std::int64_t>(1, resources));
}

// The store alone: ForEachCurrent over every type with a sink that only counts, the ceiling of
// a system export.
void BM_StoreForEachCurrent(benchmark::State& state) {
  Populated& db = Db();
  std::int64_t resources = 0;
  std::size_t bytes = 0;
  const double cpu0 = ProcessCpuSeconds();
  for (auto _ : state) {
    Status streamed = db.store->ForEachCurrent({}, std::nullopt, [&](const auto& v) {
      ++resources;
      bytes += v.json.size() + 1;
      return true;
    });
    if (!streamed) state.SkipWithError(streamed.error().message().c_str());
  }
  state.SetItemsProcessed(resources);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["cpu_us_per_res"] = (ProcessCpuSeconds() - cpu0) * 1e6 /
                                     static_cast<double>(std::max<std::int64_t>(1, resources));
}
BENCHMARK(BM_StoreForEachCurrent)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5);

void BM_ExportSystem(benchmark::State& state) { Export(state, rest::ExportLevel::kSystem); }
BENCHMARK(BM_ExportSystem)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5);

void BM_ExportPatient(benchmark::State& state) { Export(state, rest::ExportLevel::kPatient); }
BENCHMARK(BM_ExportPatient)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5);

void BM_ReadFile(benchmark::State& state) {
  Populated& db = Db();
  auto exports = db.Manager();
  rest::ExportRequest request;
  request.types = {"Observation"};
  auto id = exports->Start(request);
  if (!id) std::abort();
  Result<rest::ExportStatus> status = exports->Status(*id);
  while (status && status->state == rest::ExportState::kRunning) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    status = exports->Status(*id);
  }
  if (!status || status->outputs.empty()) {
    state.SkipWithError("no output");
    return;
  }
  std::size_t bytes = 0;
  std::string type;
  for (auto _ : state) {
    auto file = exports->ReadFile(*id, status->outputs.front().name, type);
    if (!file) state.SkipWithError(file.error().message().c_str());
    bytes += file->size();
    benchmark::DoNotOptimize(file);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ReadFile)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace chartroom
