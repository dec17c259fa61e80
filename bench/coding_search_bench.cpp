// Code search latency (coding/search.hpp) over the code sets Chartroom ships: queries as coders
// type them (whole words, prefixes, typos, codes), each timed alone; p50, p99 and max per query
// in microseconds, as counters. docs/benchmarks.md, "Code search":
//
//   cmake --build --preset release --target chartroom_coding_search_bench
//   build/release/bench/chartroom_coding_search_bench

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "coding/load.hpp"
#include "coding/search.hpp"

namespace {

using chartroom::coding::Catalog;

const Catalog& Shipped() {
  static const std::shared_ptr<const Catalog> catalog = [] {
    auto loaded = chartroom::coding::LoadCatalog(
        {std::filesystem::path(CHARTROOM_SOURCE_DIR) / "data/codes"});
    if (!loaded) std::abort();
    return *loaded;
  }();
  return *catalog;
}

const std::vector<const char*> kQueries = {
    "type 2 diabetes without complications",
    "type 2 diab wo comp",
    "diabetes",
    "essential hypertension",
    "hypertension",
    "pnuemonia",
    "pneumonia unspecified organism",
    "acute myocardial infarction",
    "acute mi",
    "chest pain",
    "chst pain unspec",
    "fracture of femur",
    "frac neck femur right closed initial",
    "copd exacerbation",
    "chronic obstructive pulmonary disease with acute exacerbation",
    "sepsis",
    "sepsis unspecified",
    "urinary tract infection",
    "uti",
    "ckd stage 3",
    "chronic kidney disease stage 3",
    "heart failure",
    "congestive hrt failure",
    "atrial fibrillation",
    "afib",
    "depression",
    "major depressive disorder single episode",
    "anxiety",
    "asthma",
    "obesity",
    "morbid obesity bmi 40",
    "E11.9",
    "I10",
    "j18",
    "s72.001a",
    "wheelchair",
    "syringe",
    "covid",
    "a",
    "th",
};

void BM_CodeSearch(benchmark::State& state) {
  const auto* index = Shipped().search();
  std::vector<double> micros;
  for (auto _ : state) {
    for (const char* q : kQueries) {
      const auto start = std::chrono::steady_clock::now();
      auto hits = index->Search({q, std::nullopt, false, 20});
      benchmark::DoNotOptimize(hits);
      micros.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
    }
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&](double p) {
    return micros[std::min(micros.size() - 1,
                           static_cast<std::size_t>(p * static_cast<double>(micros.size())))];
  };
  state.counters["queries"] = static_cast<double>(micros.size());
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["max_us"] = micros.back();
}
BENCHMARK(BM_CodeSearch)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_LoadCatalog(benchmark::State& state) {
  for (auto _ : state) {
    auto loaded = chartroom::coding::LoadCatalog(
        {std::filesystem::path(CHARTROOM_SOURCE_DIR) / "data/codes"});
    benchmark::DoNotOptimize(loaded);
  }
}
BENCHMARK(BM_LoadCatalog)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
