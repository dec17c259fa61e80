// Benchmarks for the FHIR primitive value types: lexical checks over realistic values, Decimal
// parsing and arithmetic, DateTime parsing and comparison, Quantity comparison.
//
// The lexical corpus is every primitive value in the Synthea sample bulk export
// ($CHARTROOM_SHARED_DATA_DIR/synthea/sample-bulk-fhir-datasets-10-patients/*.ndjson), each
// typed by walking its resource with the R4 model; without the shared data it falls back to
// the FHIRPath suite's example resources in tests/data. Throughput counts the bytes of the
// values checked.
//
//   cmake --build --preset release --target chartroom_primitives_bench
//   build/release/bench/chartroom_primitives_bench

#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/model/model.hpp"
#include "fhir/primitives/decimal.hpp"
#include "fhir/primitives/lexical.hpp"
#include "fhir/primitives/quantity.hpp"
#include "fhir/primitives/temporal.hpp"

namespace chartroom::fhir {
namespace {

struct TypedValue {
  PrimitiveType type;
  std::string text;
};

struct Corpus {
  std::string source;
  std::vector<TypedValue> values;
};

void CollectObject(const boost::json::object& object, const TypeInfo& type, Corpus& out);

void CollectValue(const boost::json::value& value, const TypeInfo& type, Corpus& out) {
  if (type.is_primitive()) {
    const std::optional<PrimitiveType> primitive = PrimitiveTypeByName(type.name());
    if (!primitive) return;
    if (value.is_string()) {
      out.values.push_back({*primitive, std::string(value.get_string())});
    } else if (value.is_bool()) {
      out.values.push_back({*primitive, value.get_bool() ? "true" : "false"});
    } else if (value.is_number()) {
      out.values.push_back({*primitive, boost::json::serialize(value)});
    }
    return;
  }
  if (!value.is_object()) return;
  const boost::json::object& object = value.get_object();
  if (const auto* resource_type = object.if_contains("resourceType")) {
    if (!resource_type->is_string()) return;
    const TypeInfo* resource = FindResourceType(resource_type->get_string());
    if (resource != nullptr) CollectObject(object, *resource, out);
    return;
  }
  CollectObject(object, type, out);
}

void CollectObject(const boost::json::object& object, const TypeInfo& type, Corpus& out) {
  for (const auto& [key, value] : object) {
    if (key == "resourceType" || key.starts_with('_')) continue;
    const JsonProperty* property = type.FindProperty(key);
    if (property == nullptr) continue;
    const TypeInfo& child = Type(property->type);
    // The definitions type Resource.id as System.String; its rule is that of `id`.
    if (key == "id" && type.is_resource() && value.is_string()) {
      out.values.push_back({PrimitiveType::kId, std::string(value.get_string())});
      continue;
    }
    if (value.is_array()) {
      for (const boost::json::value& item : value.get_array()) CollectValue(item, child, out);
    } else {
      CollectValue(value, child, out);
    }
  }
}

void CollectResourceText(std::string_view json, Corpus& out) {
  boost::system::error_code error;
  const boost::json::value resource = boost::json::parse(json, error);
  if (!error) CollectValue(resource, *FindType("Resource"), out);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Corpus LoadCorpus() {
  Corpus corpus;
  const std::filesystem::path bulk = std::filesystem::path(CHARTROOM_SHARED_DATA_DIR) / "synthea" /
                                     "sample-bulk-fhir-datasets-10-patients";
  std::error_code error;
  if (std::filesystem::is_directory(bulk, error)) {
    corpus.source = "synthea-10-patients";
    for (const auto& entry : std::filesystem::directory_iterator(bulk)) {
      const std::string name = entry.path().filename().string();
      if (entry.path().extension() != ".ndjson" || name.starts_with("log")) continue;
      std::istringstream lines(ReadFile(entry.path()));
      for (std::string line; std::getline(lines, line);) CollectResourceText(line, corpus);
    }
  } else {
    corpus.source = "fhirpath-examples";
    const std::filesystem::path examples =
        std::filesystem::path(CHARTROOM_SOURCE_DIR) / "tests/data/fhirpath-r4/r4/input-json";
    for (const auto& entry : std::filesystem::directory_iterator(examples)) {
      if (entry.path().extension() == ".json") CollectResourceText(ReadFile(entry.path()), corpus);
    }
  }
  return corpus;
}

const Corpus& SharedCorpus() {
  static const Corpus corpus = LoadCorpus();
  return corpus;
}

// The values of the corpus for which `include` holds, packed into one buffer as a validator
// finds them in a parsed document (scattered heap strings would measure cache misses instead).
struct PackedValues {
  std::string arena;
  std::vector<std::pair<PrimitiveType, std::string_view>> values;
};

template <typename Include>
PackedValues Pack(Include include) {
  PackedValues packed;
  std::vector<std::pair<PrimitiveType, std::size_t>> offsets;
  for (const TypedValue& value : SharedCorpus().values) {
    if (!include(value)) continue;
    offsets.emplace_back(value.type, packed.arena.size());
    packed.arena += value.text;
  }
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    const std::size_t end = i + 1 < offsets.size() ? offsets[i + 1].second : packed.arena.size();
    packed.values.emplace_back(
        offsets[i].first,
        std::string_view(packed.arena).substr(offsets[i].second, end - offsets[i].second));
  }
  return packed;
}

// Runs the check over every value of the corpus for which `include` holds.
template <typename Include>
void RunLexical(benchmark::State& state, Include include, std::string_view label = "") {
  const PackedValues packed = Pack(include);
  if (packed.values.empty()) {
    state.SkipWithError("no values in the corpus");
    return;
  }
  std::int64_t invalid = 0;
  for (auto _ : state) {
    invalid = 0;
    for (const auto& [type, text] : packed.values) {
      invalid += MatchesLexicalForm(type, text) ? 0 : 1;
    }
    benchmark::DoNotOptimize(invalid);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(packed.arena.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(packed.values.size()));
  state.counters["values"] = static_cast<double>(packed.values.size());
  state.counters["invalid"] = static_cast<double>(invalid);
  std::string full_label(label);
  if (!full_label.empty()) full_label += ' ';
  full_label += SharedCorpus().source;
  state.SetLabel(full_label);
}

void BM_LexicalCorpus(benchmark::State& state) {
  RunLexical(state, [](const TypedValue&) { return true; });
}
BENCHMARK(BM_LexicalCorpus);

// The same without base64Binary, whose long attachments dominate the bytes of the corpus.
void BM_LexicalCorpusWithoutBase64(benchmark::State& state) {
  RunLexical(state, [](const TypedValue& v) { return v.type != PrimitiveType::kBase64Binary; });
}
BENCHMARK(BM_LexicalCorpusWithoutBase64);

void BM_LexicalByType(benchmark::State& state) {
  const auto type = static_cast<PrimitiveType>(state.range(0));
  RunLexical(
      state, [type](const TypedValue& v) { return v.type == type; }, PrimitiveTypeName(type));
}
BENCHMARK(BM_LexicalByType)
    ->Arg(static_cast<int>(PrimitiveType::kBase64Binary))
    ->Arg(static_cast<int>(PrimitiveType::kCode))
    ->Arg(static_cast<int>(PrimitiveType::kDate))
    ->Arg(static_cast<int>(PrimitiveType::kDateTime))
    ->Arg(static_cast<int>(PrimitiveType::kDecimal))
    ->Arg(static_cast<int>(PrimitiveType::kId))
    ->Arg(static_cast<int>(PrimitiveType::kString))
    ->Arg(static_cast<int>(PrimitiveType::kUri))
    ->Arg(static_cast<int>(PrimitiveType::kXhtml));

// The same checks reached through the type name, as a validator holding only the model's
// type name would call them.
void BM_LexicalCorpusByName(benchmark::State& state) {
  const PackedValues packed = Pack([](const TypedValue&) { return true; });
  std::vector<std::string_view> names;
  for (const auto& value : packed.values) names.push_back(PrimitiveTypeName(value.first));
  for (auto _ : state) {
    std::int64_t valid = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
      valid += MatchesLexicalForm(names[i], packed.values[i].second) ? 1 : 0;
    }
    benchmark::DoNotOptimize(valid);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(packed.arena.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(names.size()));
}
BENCHMARK(BM_LexicalCorpusByName);

const std::vector<std::string>& DecimalTexts() {
  static const std::vector<std::string> texts = {
      "72.5", "0.123",     "185",  "-3.25", "1.50", "98.6",   "120",  "0.0034",
      "6.3",  "1234.5678", "37.0", "2.2",   "0.5",  "100.00", "7.35", "4.0000"};
  return texts;
}

void BM_DecimalParse(benchmark::State& state) {
  const std::vector<std::string>& texts = DecimalTexts();
  for (auto _ : state) {
    for (const std::string& text : texts) benchmark::DoNotOptimize(Decimal::Parse(text));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(texts.size()));
}
BENCHMARK(BM_DecimalParse);

void BM_DecimalParseToString(benchmark::State& state) {
  const std::vector<std::string>& texts = DecimalTexts();
  for (auto _ : state) {
    for (const std::string& text : texts) {
      benchmark::DoNotOptimize(Decimal::Parse(text)->ToString());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(texts.size()));
}
BENCHMARK(BM_DecimalParseToString);

void BM_DecimalArithmetic(benchmark::State& state) {
  std::vector<Decimal> values;
  for (const std::string& text : DecimalTexts()) values.push_back(*Decimal::Parse(text));
  for (auto _ : state) {
    for (std::size_t i = 0; i + 1 < values.size(); ++i) {
      benchmark::DoNotOptimize(Decimal::Add(values[i], values[i + 1]));
      benchmark::DoNotOptimize(Decimal::Multiply(values[i], values[i + 1]));
      benchmark::DoNotOptimize(Decimal::Compare(values[i], values[i + 1]));
    }
  }
  state.SetItemsProcessed(state.iterations() * 3 * static_cast<std::int64_t>(values.size() - 1));
}
BENCHMARK(BM_DecimalArithmetic);

void BM_DecimalDivide(benchmark::State& state) {
  std::vector<Decimal> values;
  for (const std::string& text : DecimalTexts()) values.push_back(*Decimal::Parse(text));
  for (auto _ : state) {
    for (std::size_t i = 0; i + 1 < values.size(); ++i) {
      benchmark::DoNotOptimize(Decimal::Divide(values[i], values[i + 1]));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size() - 1));
}
BENCHMARK(BM_DecimalDivide);

const std::vector<std::string>& DateTimeTexts() {
  static const std::vector<std::string> texts = {"2019-03-14T09:12:33-05:00",
                                                 "2019-03-14T09:42:33-05:00",
                                                 "1974-12-25",
                                                 "2021-07-01T00:00:00Z",
                                                 "2015-02-04T14:34:28.123+09:00",
                                                 "2020-02",
                                                 "2018",
                                                 "2022-11-30T23:59:59.999+14:00"};
  return texts;
}

void BM_DateTimeParse(benchmark::State& state) {
  const std::vector<std::string>& texts = DateTimeTexts();
  for (auto _ : state) {
    for (const std::string& text : texts) benchmark::DoNotOptimize(DateTime::ParseDateTime(text));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(texts.size()));
}
BENCHMARK(BM_DateTimeParse);

void BM_DateTimeParseAndCompare(benchmark::State& state) {
  const std::vector<std::string>& texts = DateTimeTexts();
  for (auto _ : state) {
    for (std::size_t i = 0; i + 1 < texts.size(); ++i) {
      const std::optional<DateTime> a = DateTime::ParseDateTime(texts[i]);
      const std::optional<DateTime> b = DateTime::ParseDateTime(texts[i + 1]);
      benchmark::DoNotOptimize(Compare(*a, *b));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(texts.size() - 1));
}
BENCHMARK(BM_DateTimeParseAndCompare);

void BM_DateTimeCompare(benchmark::State& state) {
  std::vector<DateTime> values;
  for (const std::string& text : DateTimeTexts()) values.push_back(*DateTime::ParseDateTime(text));
  for (auto _ : state) {
    for (std::size_t i = 0; i + 1 < values.size(); ++i) {
      benchmark::DoNotOptimize(Compare(values[i], values[i + 1]));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size() - 1));
}
BENCHMARK(BM_DateTimeCompare);

void BM_QuantityCompareAcrossUnits(benchmark::State& state) {
  const std::vector<std::pair<Quantity, Quantity>> pairs = {
      {{*Decimal::Parse("4.0000"), "g"}, {*Decimal::Parse("4000.0"), "mg"}},
      {{*Decimal::Parse("185"), "[lb_av]"}, {*Decimal::Parse("84"), "kg"}},
      {{*Decimal::Parse("120"), "mm[Hg]"}, {*Decimal::Parse("16"), "kPa"}},
      {{*Decimal::Parse("5.5"), "mmol/L"}, {*Decimal::Parse("5500"), "umol/L"}},
  };
  for (auto _ : state) {
    for (const auto& [a, b] : pairs) benchmark::DoNotOptimize(Compare(a, b));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(pairs.size()));
}
BENCHMARK(BM_QuantityCompareAcrossUnits);

}  // namespace
}  // namespace chartroom::fhir
