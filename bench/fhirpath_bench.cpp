// FHIRPath evaluation throughput on Synthea data. The expressions, inputs and data selection are
// read from bench/fhirpath-js/expressions.json, which bench/fhirpath-js/run.sh also feeds to the
// reference engine fhirpath.js, so both run the same work. Each benchmark evaluates a compiled
// expression on its input resources round robin and reports items_per_second = evaluations/s;
// parse_and_evaluate compiles the expression anew for every evaluation.
//
//   cmake --preset release && cmake --build --preset release --target chartroom_fhirpath_bench
//   build/release/bench/chartroom_fhirpath_bench
//   bench/fhirpath-js/run.sh build/release      # both engines, side by side

#include <benchmark/benchmark.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/fhirpath/fhirpath.hpp"
#include "fhir/json/gzip.hpp"

namespace chartroom::fhir::fhirpath {
namespace {

namespace json = boost::json;
namespace json_util = chartroom::fhir::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReadGzip(const std::string& path) {
  auto text = json_util::Gunzip(ReadFile(path));
  return text ? std::move(*text) : std::string();
}

struct Data {
  json::value config;
  std::vector<std::unique_ptr<json::monotonic_resource>> arenas;
  std::vector<json::value> documents;  // owns everything below, allocated in `arenas`
  std::map<std::string, std::vector<const json::value*>> sets;
};

const Data& GetData() {
  static const Data* data = [] {
    auto* d = new Data;
    d->config = json::parse(
        ReadFile(std::string(CHARTROOM_SOURCE_DIR) + "/bench/fhirpath-js/expressions.json"));
    std::vector<std::string> files = {std::string(CHARTROOM_SOURCE_DIR) +
                                      "/tests/data/synthea/patient-bundle-1.json.gz"};
    std::string dir =
        std::string(CHARTROOM_SHARED_DATA_DIR) + "/synthea/fhir-data-pipes-synthea-hiv-bundles";
    std::vector<std::string> shared;
    if (std::filesystem::is_directory(dir)) {
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().string().ends_with(".json.gz")) shared.push_back(entry.path().string());
      }
    }
    std::sort(shared.begin(), shared.end());
    // FHIRPATH_BENCH_BUNDLE_FILES overrides the number of shared bundles (0: patient-bundle-1
    // only, which keeps the data in cache).
    auto limit = static_cast<std::size_t>(d->config.at("bundle_files").to_number<int>());
    if (const char* env = std::getenv("FHIRPATH_BENCH_BUNDLE_FILES")) {
      limit = static_cast<std::size_t>(std::strtoul(env, nullptr, 10));
    }
    if (shared.size() > limit) shared.resize(limit);
    files.insert(files.end(), shared.begin(), shared.end());
    // Each source bundle's entries are regrouped into collection Bundles of bundle_size entries;
    // Bundle51 holds those of the first file only (one patient's record, as an indexer sees it).
    auto size = static_cast<std::size_t>(d->config.at("bundle_size").to_number<int>());
    std::vector<std::size_t> first_file_documents;
    for (const std::string& file : files) {
      json::value source = json::parse(ReadGzip(file));
      const json::array& all_entries = source.at("entry").as_array();
      if (file == files.front()) first_file_documents.push_back(0);
      for (std::size_t i = 0; i < all_entries.size(); i += size) {
        json::object bundle;
        bundle["resourceType"] = "Bundle";
        bundle["type"] = "collection";
        json::array chunk;
        for (std::size_t j = i; j < std::min(i + size, all_entries.size()); ++j) {
          chunk.push_back(all_entries[j]);
        }
        bundle["entry"] = std::move(chunk);
        // Read-only documents live in a monotonic arena, as Chartroom holds them: contiguous
        // memory keeps lookups in cache.
        auto& arena = d->arenas.emplace_back(std::make_unique<json::monotonic_resource>());
        d->documents.push_back(
            json::parse(json::serialize(bundle), json::storage_ptr(arena.get())));
      }
      if (file == files.front()) first_file_documents.push_back(d->documents.size());
    }
    for (std::size_t i = first_file_documents[0]; i < first_file_documents[1]; ++i) {
      d->sets["Bundle51"].push_back(&d->documents[i]);
    }
    for (const json::value& bundle : d->documents) {
      for (const json::value& e : bundle.at("entry").as_array()) {
        const json::value& resource = e.at("resource");
        d->sets[std::string(resource.at("resourceType").as_string())].push_back(&resource);
      }
    }
    return d;
  }();
  return *data;
}

DateTime Clock() {
  DateTime now;
  now.year = 2024;
  now.month = 1;
  now.day = 1;
  now.precision = TemporalPrecision::kMillisecond;
  now.tz_offset_minutes = 0;
  return now;
}

void Evaluate(benchmark::State& state, const std::string& text, const std::string& set,
              bool uncached) {
  const auto& resources = GetData().sets.at(set);
  auto compiled = Expression::Compile(text);
  if (!compiled) {
    state.SkipWithError(compiled.error().message().c_str());
    return;
  }
  EvaluationInput input;
  input.now = Clock();
  std::size_t i = 0, items = 0;
  for (auto _ : state) {
    input.resource = resources[i];
    if (++i == resources.size()) i = 0;
    auto result = uncached ? Expression::Compile(text)->Evaluate(input) : compiled->Evaluate(input);
    if (!result) {
      state.SkipWithError(result.error().message().c_str());
      return;
    }
    items += result->size();
    benchmark::DoNotOptimize(items);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["resources"] = static_cast<double>(resources.size());
  state.counters["items_per_eval"] =
      static_cast<double>(items) /
      static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}

const bool kRegistered = [] {
  const json::value& config = GetData().config;
  for (const json::value& e : config.at("expressions").as_array()) {
    std::string name(e.at("name").as_string()), text(e.at("expression").as_string()),
        set(e.at("input").as_string());
    benchmark::RegisterBenchmark(("Eval/" + name).c_str(), [text, set](benchmark::State& s) {
      Evaluate(s, text, set, /*uncached=*/false);
    });
  }
  const json::value& u = config.at("uncached");
  std::string name(u.at("name").as_string()), text(u.at("expression").as_string()),
      set(u.at("input").as_string());
  benchmark::RegisterBenchmark(("Eval/" + name).c_str(), [text, set](benchmark::State& s) {
    Evaluate(s, text, set, /*uncached=*/true);
  });
  return true;
}();

}  // namespace
}  // namespace chartroom::fhir::fhirpath
