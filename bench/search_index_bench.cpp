// Search-index extraction throughput (IndexExtractor::Extract) on Synthea data: the resources of
// tests/data/synthea/patient-bundle-1.json.gz, the first 20 (by name) transaction bundles of
// <shared data>/synthea/fhir-data-pipes-synthea-hiv-bundles and the NDJSON files of
// <shared data>/synthea/sample-bulk-fhir-datasets-100-patients. References to urn:uuid fullUrls
// are rewritten to Type/id first, as a server stores a transaction. Each benchmark extracts from
// its resources round robin on one thread: items_per_second = resources/s; the counter
// values_per_resource is the mean number of index entries.
//
//   cmake --preset release && cmake --build --preset release --target chartroom_search_index_bench
//   build/release/bench/chartroom_search_index_bench

#include <benchmark/benchmark.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/json/gzip.hpp"
#include "fhir/search/index_values.hpp"

namespace chartroom::fhir::search {
namespace {

namespace bj = boost::json;

constexpr std::size_t kBundleFiles = 20;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ResolveFullUrls(bj::value& node, const std::map<std::string, std::string>& local) {
  if (node.is_array()) {
    for (bj::value& element : node.as_array()) ResolveFullUrls(element, local);
  } else if (node.is_object()) {
    for (auto& [key, value] : node.as_object()) {
      if (key == "reference" && value.is_string()) {
        const auto it = local.find(std::string(value.as_string()));
        if (it != local.end()) value = it->second;
      } else {
        ResolveFullUrls(value, local);
      }
    }
  }
}

struct Data {
  std::unique_ptr<IndexExtractor> extractor;
  std::vector<std::unique_ptr<bj::monotonic_resource>> arenas;
  std::vector<bj::value> documents;  // resources, each parsed into its file's arena
  std::map<std::string, std::vector<const bj::value*>> by_type;
  std::vector<const bj::value*> all;
};

void AddBundle(Data& data, const std::string& path) {
  const Result<std::string> text = json::Gunzip(ReadFile(path));
  if (!text) return;
  bj::value bundle = bj::parse(*text);
  std::map<std::string, std::string> local;
  for (const bj::value& entry : bundle.at("entry").as_array()) {
    const bj::object& resource = entry.at("resource").as_object();
    local[std::string(entry.at("fullUrl").as_string())] =
        std::string(resource.at("resourceType").as_string()) + "/" +
        std::string(resource.at("id").as_string());
  }
  ResolveFullUrls(bundle, local);
  auto& arena = data.arenas.emplace_back(std::make_unique<bj::monotonic_resource>());
  for (const bj::value& entry : bundle.at("entry").as_array()) {
    data.documents.push_back(bj::value(entry.at("resource"), bj::storage_ptr(arena.get())));
  }
}

void AddNdjson(Data& data, const std::string& path) {
  auto& arena = data.arenas.emplace_back(std::make_unique<bj::monotonic_resource>());
  std::istringstream lines(ReadFile(path));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    bj::value resource = bj::parse(line, bj::storage_ptr(arena.get()));
    if (resource.is_object() && resource.as_object().contains("resourceType")) {
      data.documents.push_back(std::move(resource));
    }
  }
}

const Data& GetData() {
  static const Data* data = [] {
    auto* d = new Data;
    d->extractor = std::move(*IndexExtractor::Create());
    d->documents.reserve(200000);  // pointers into it are kept below
    AddBundle(*d,
              std::string(CHARTROOM_SOURCE_DIR) + "/tests/data/synthea/patient-bundle-1.json.gz");
    const std::filesystem::path shared(CHARTROOM_SHARED_DATA_DIR);
    std::vector<std::string> bundles;
    if (std::filesystem::is_directory(shared / "synthea/fhir-data-pipes-synthea-hiv-bundles")) {
      for (const auto& entry : std::filesystem::directory_iterator(
               shared / "synthea/fhir-data-pipes-synthea-hiv-bundles")) {
        if (entry.path().string().ends_with(".json.gz")) bundles.push_back(entry.path().string());
      }
    }
    std::sort(bundles.begin(), bundles.end());
    if (bundles.size() > kBundleFiles) bundles.resize(kBundleFiles);
    for (const std::string& bundle : bundles) AddBundle(*d, bundle);
    if (std::filesystem::is_directory(shared / "synthea/sample-bulk-fhir-datasets-100-patients")) {
      std::vector<std::string> files;
      for (const auto& entry : std::filesystem::directory_iterator(
               shared / "synthea/sample-bulk-fhir-datasets-100-patients")) {
        const std::string name = entry.path().filename().string();
        if (name.ends_with(".ndjson") && name != "log.ndjson")
          files.push_back(entry.path().string());
      }
      std::sort(files.begin(), files.end());
      for (const std::string& file : files) AddNdjson(*d, file);
    }
    for (const bj::value& resource : d->documents) {
      d->all.push_back(&resource);
      d->by_type[std::string(resource.at("resourceType").as_string())].push_back(&resource);
    }
    return d;
  }();
  return *data;
}

void Extract(benchmark::State& state, const std::vector<const bj::value*>& resources) {
  const IndexExtractor& extractor = *GetData().extractor;
  if (resources.empty()) {
    state.SkipWithError("no resources");
    return;
  }
  std::size_t i = 0;
  std::size_t values = 0;
  for (auto _ : state) {
    Result<std::vector<IndexEntry>> entries = extractor.Extract(*resources[i]);
    if (!entries) {
      state.SkipWithError(entries.error().message().c_str());
      return;
    }
    values += entries->size();
    benchmark::DoNotOptimize(entries);
    if (++i == resources.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["values_per_resource"] =
      static_cast<double>(values) / static_cast<double>(state.iterations());
  state.counters["resources"] = static_cast<double>(resources.size());
}

void BM_ExtractAll(benchmark::State& state) { Extract(state, GetData().all); }
BENCHMARK(BM_ExtractAll);

void BM_ExtractType(benchmark::State& state, const std::string& type) {
  const auto& by_type = GetData().by_type;
  const auto it = by_type.find(type);
  Extract(state, it == by_type.end() ? std::vector<const bj::value*>{} : it->second);
}
BENCHMARK_CAPTURE(BM_ExtractType, Patient, std::string("Patient"));
BENCHMARK_CAPTURE(BM_ExtractType, Observation, std::string("Observation"));
BENCHMARK_CAPTURE(BM_ExtractType, Encounter, std::string("Encounter"));
BENCHMARK_CAPTURE(BM_ExtractType, Condition, std::string("Condition"));
BENCHMARK_CAPTURE(BM_ExtractType, Claim, std::string("Claim"));
BENCHMARK_CAPTURE(BM_ExtractType, ExplanationOfBenefit, std::string("ExplanationOfBenefit"));

void BM_CreateExtractor(benchmark::State& state) {
  for (auto _ : state) {
    Result<std::unique_ptr<IndexExtractor>> extractor = IndexExtractor::Create();
    benchmark::DoNotOptimize(extractor);
  }
}
BENCHMARK(BM_CreateExtractor)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace chartroom::fhir::search
