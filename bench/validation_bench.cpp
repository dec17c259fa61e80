// Throughput of JSON parsing and FHIR validation over Synthea data, in bytes of JSON text per
// second: Boost.JSON's own parser (the floor), the strict parser (duplicate keys, positions),
// validation of an already parsed DOM, and the two together as the REST layer and the CLI run
// them. The corpus is every gzip Bundle under CHARTROOM_SHARED_DATA_DIR/synthea (decompressed in
// memory before timing), else the bundled tests/data/synthea/patient-bundle-1.json.gz; the
// NDJSON benchmark uses the bulk-data files, one resource a line.
//
//   cmake --preset release && cmake --build --preset release --target chartroom_validation_bench
//   build/release/bench/chartroom_validation_bench --benchmark_min_time=2

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "fhir/json/gzip.hpp"
#include "fhir/json/strict_parser.hpp"
#include "fhir/validation/validator.hpp"

namespace {

namespace fs = std::filesystem;
using chartroom::fhir::OperationOutcome;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!chartroom::fhir::json::IsGzip(data)) return data;
  auto inflated = chartroom::fhir::json::Gunzip(data);
  return inflated ? std::move(*inflated) : std::string();
}

std::vector<fs::path> Sorted(std::vector<fs::path> paths) {
  std::sort(paths.begin(), paths.end());
  return paths;
}

struct Corpus {
  std::vector<std::string> bundles;
  std::vector<std::string> ndjson_lines;
  std::size_t bundle_bytes = 0;
  std::size_t ndjson_bytes = 0;
  std::size_t largest = 0;
};

const Corpus& GetCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    const fs::path synthea = fs::path(CHARTROOM_SHARED_DATA_DIR) / "synthea";
    std::vector<fs::path> bundles;
    std::vector<fs::path> ndjson;
    if (fs::is_directory(synthea)) {
      for (const auto& entry : fs::recursive_directory_iterator(synthea)) {
        const std::string name = entry.path().filename().string();
        if (name.ends_with(".json.gz")) bundles.push_back(entry.path());
        if (name.ends_with(".ndjson") && name != "log.ndjson") ndjson.push_back(entry.path());
      }
    }
    if (bundles.empty()) {
      bundles.push_back(fs::path(CHARTROOM_SOURCE_DIR) /
                        "tests/data/synthea/patient-bundle-1.json.gz");
    }
    for (const fs::path& path : Sorted(bundles)) {
      c.bundles.push_back(ReadText(path));
      c.bundle_bytes += c.bundles.back().size();
      c.largest = std::max(c.largest, c.bundles.back().size());
    }
    for (const fs::path& path : Sorted(ndjson)) {
      const std::string text = ReadText(path);
      std::size_t start = 0;
      while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) {
          c.ndjson_lines.push_back(text.substr(start, end - start));
          c.ndjson_bytes += end - start;
        }
        start = end + 1;
      }
    }
    return c;
  }();
  return corpus;
}

// One buffer reused by every document: a fresh monotonic_resource per document starts at its
// beginning, so small documents never reach the heap for their DOM.
std::vector<unsigned char>& Buffer() {
  static std::vector<unsigned char> buffer(std::size_t{64} << 20);
  return buffer;
}

void BM_BoostParse(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  for (auto _ : state) {
    for (const std::string& text : corpus.bundles) {
      boost::json::monotonic_resource storage(Buffer().data(), Buffer().size());
      boost::json::value value = boost::json::parse(text, &storage);
      benchmark::DoNotOptimize(value);
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(corpus.bundle_bytes));
}
BENCHMARK(BM_BoostParse)->Unit(benchmark::kMillisecond);

void BM_StrictParse(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  for (auto _ : state) {
    for (const std::string& text : corpus.bundles) {
      boost::json::monotonic_resource storage(Buffer().data(), Buffer().size());
      auto parsed = chartroom::fhir::json::ParseStrictJson(text, &storage);
      benchmark::DoNotOptimize(parsed);
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(corpus.bundle_bytes));
}
BENCHMARK(BM_StrictParse)->Unit(benchmark::kMillisecond);

void BM_ValidateParsedDom(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  boost::json::monotonic_resource storage;
  std::vector<boost::json::value> doms;
  for (const std::string& text : corpus.bundles) doms.push_back(boost::json::parse(text, &storage));
  std::size_t errors = 0;
  for (auto _ : state) {
    for (const boost::json::value& dom : doms) {
      OperationOutcome outcome = chartroom::fhir::Validate(dom);
      errors += outcome.ErrorCount();
    }
  }
  state.counters["errors"] = static_cast<double>(errors);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(corpus.bundle_bytes));
}
BENCHMARK(BM_ValidateParsedDom)->Unit(benchmark::kMillisecond);

void BM_ParseAndValidate(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  std::size_t errors = 0;
  for (auto _ : state) {
    for (const std::string& text : corpus.bundles) {
      boost::json::monotonic_resource storage(Buffer().data(), Buffer().size());
      chartroom::fhir::ParsedDocument doc = chartroom::fhir::ParseAndValidate(text, &storage);
      errors += doc.outcome.ErrorCount();
    }
  }
  state.counters["errors"] = static_cast<double>(errors);
  state.counters["documents"] = static_cast<double>(corpus.bundles.size());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(corpus.bundle_bytes));
}
BENCHMARK(BM_ParseAndValidate)->Unit(benchmark::kMillisecond);

void BM_ParseAndValidateNdjson(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  if (corpus.ndjson_lines.empty()) {
    state.SkipWithError("no NDJSON files under CHARTROOM_SHARED_DATA_DIR/synthea");
    return;
  }
  std::size_t errors = 0;
  for (auto _ : state) {
    for (const std::string& line : corpus.ndjson_lines) {
      boost::json::monotonic_resource storage(Buffer().data(), Buffer().size());
      chartroom::fhir::ParsedDocument doc = chartroom::fhir::ParseAndValidate(line, &storage);
      errors += doc.outcome.ErrorCount();
    }
  }
  state.counters["errors"] = static_cast<double>(errors);
  state.counters["documents"] = static_cast<double>(corpus.ndjson_lines.size());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(corpus.ndjson_bytes));
}
BENCHMARK(BM_ParseAndValidateNdjson)->Unit(benchmark::kMillisecond);

}  // namespace
