// Computer-assisted coding (coding/cac.hpp) measured on a generated population: every progress
// note that names its encounter is run through the suggester, and its suggestions (not negated,
// not family, not historical) are compared with the ICD-10-CM codes of the Conditions recorded
// at that encounter. Reports precision, recall and F1 (micro, over every note), the same at the
// category (first three characters), and the time per note. docs/benchmarks.md, "Computer-
// assisted coding":
//
//   chartroom generate --patients 2000 --out /tmp/cac
//   CAC_DATA=/tmp/cac build/release/bench/chartroom_coding_cac_bench
//   SYNTHEA_BUNDLES=../shared/data/synthea/fhir-data-pipes-synthea-hiv-bundles
//       build/release/bench/chartroom_coding_cac_bench   (one command line)

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "coding/cac.hpp"
#include "coding/load.hpp"

namespace {

namespace json = boost::json;

std::string Base64Decode(std::string_view in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int value = 0;
  int bits = -8;
  for (char c : in) {
    const std::size_t d = kAlphabet.find(c);
    if (d == std::string::npos) continue;
    value = (value << 6) + static_cast<int>(d);
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((value >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

std::string Encounter(const json::value& reference) {
  const std::string_view r = reference.as_string();
  return r.starts_with("Encounter/") ? std::string(r.substr(10)) : std::string(r);
}

void BM_CacOnGeneratedNotes(benchmark::State& state) {
  const char* dir = std::getenv("CAC_DATA");
  if (dir == nullptr || !std::filesystem::exists(std::filesystem::path(dir) / "Condition.ndjson")) {
    state.SkipWithError("set CAC_DATA to the output directory of chartroom generate");
    return;
  }
  auto catalog =
      chartroom::coding::LoadCatalog({std::filesystem::path(CHARTROOM_SOURCE_DIR) / "data/codes"});
  if (!catalog) {
    state.SkipWithError("the code sets do not load");
    return;
  }
  const chartroom::coding::Suggester suggester(**catalog);
  // Suggestions at or above this confidence count (CAC_MIN_CONFIDENCE, default 0.5: what the
  // assessment of a note names).
  const char* min = std::getenv("CAC_MIN_CONFIDENCE");
  const double min_confidence = min != nullptr ? std::atof(min) : 0.5;
  // Gold: the ICD-10-CM codes recorded at each encounter.
  std::map<std::string, std::set<std::string>> gold;
  {
    std::ifstream in(std::filesystem::path(dir) / "Condition.ndjson");
    std::string line;
    while (std::getline(in, line)) {
      const json::value c = json::parse(line);
      const json::value* encounter = c.as_object().if_contains("encounter");
      if (encounter == nullptr) continue;
      for (const auto& coding : c.at("code").at("coding").as_array()) {
        if (coding.at("system") != "http://hl7.org/fhir/sid/icd-10-cm") continue;
        gold[Encounter(encounter->at("reference"))].insert(
            chartroom::coding::Normalize(coding.at("code").as_string()));
      }
    }
  }
  std::size_t notes = 0, hits = 0, found = 0, expected = 0;
  std::size_t category_hits = 0, category_found = 0, category_expected = 0;
  double seconds = 0;
  std::map<std::string, std::size_t> false_positives, missed;
  for (auto _ : state) {
    std::ifstream in(std::filesystem::path(dir) / "DocumentReference.ndjson");
    std::string line;
    while (std::getline(in, line)) {
      const json::value d = json::parse(line);
      const json::value* context = d.as_object().if_contains("context");
      if (context == nullptr || !context->as_object().contains("encounter")) continue;
      const std::string encounter = Encounter(context->at("encounter").at(0).at("reference"));
      const std::string text =
          Base64Decode(d.at("content").at(0).at("attachment").at("data").as_string());
      const auto start = std::chrono::steady_clock::now();
      const auto suggestions = suggester.Suggest(text);
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::set<std::string> predicted;
      for (const auto& s : suggestions) {
        if (s.excluded.empty() && !s.history && s.confidence >= min_confidence) {
          predicted.insert(s.code);
        }
      }
      const std::set<std::string>& truth = gold[encounter];
      ++notes;
      found += predicted.size();
      expected += truth.size();
      for (const std::string& p : predicted) {
        hits += truth.contains(p);
        if (!truth.contains(p)) ++false_positives[p];
      }
      for (const std::string& t : truth) {
        if (!predicted.contains(t)) ++missed[t];
      }
      std::set<std::string> pc, tc;
      for (const std::string& p : predicted) pc.insert(p.substr(0, 3));
      for (const std::string& t : truth) tc.insert(t.substr(0, 3));
      category_found += pc.size();
      category_expected += tc.size();
      for (const std::string& p : pc) category_hits += tc.contains(p);
    }
  }
  auto ratio = [](std::size_t a, std::size_t b) { return b == 0 ? 0.0 : double(a) / double(b); };
  const double p = ratio(hits, found), r = ratio(hits, expected);
  const double cp = ratio(category_hits, category_found),
               cr = ratio(category_hits, category_expected);
  // CAC_VERBOSE: the codes most often suggested wrongly and missed, to stderr.
  if (std::getenv("CAC_VERBOSE") != nullptr) {
    for (auto* counts : {&false_positives, &missed}) {
      std::vector<std::pair<std::size_t, std::string>> top;
      for (const auto& [code, n] : *counts) top.emplace_back(n, code);
      std::sort(top.rbegin(), top.rend());
      std::fprintf(stderr, "%s:", counts == &missed ? "missed" : "suggested wrongly");
      for (std::size_t i = 0; i < top.size() && i < 25; ++i) {
        std::fprintf(stderr, " %s %zu", top[i].second.c_str(), top[i].first);
      }
      std::fprintf(stderr, "\n");
    }
  }
  state.counters["notes"] = static_cast<double>(notes);
  state.counters["precision"] = p;
  state.counters["recall"] = r;
  state.counters["f1"] = p + r == 0 ? 0 : 2 * p * r / (p + r);
  state.counters["category_precision"] = cp;
  state.counters["category_recall"] = cr;
  state.counters["us_per_note"] = notes == 0 ? 0 : seconds * 1e6 / double(notes);
}
BENCHMARK(BM_CacOnGeneratedNotes)->Iterations(1)->Unit(benchmark::kSecond);

// Synthea's notes (SYNTHEA_BUNDLES: a directory of gzip'd patient Bundles): Synthea codes its
// conditions in SNOMED CT, and no SNOMED-to-ICD-10-CM map is at hand, so each condition's
// ICD-10-CM reading is what the suggester makes of the condition's own name; a condition it
// reads as nothing is counted apart (`unread`) and left out of recall. The note's suggestions
// (confidence >= 0.5, not negated, family or historical) are compared with those readings.
void BM_CacOnSyntheaNotes(benchmark::State& state) {
  const char* dir = std::getenv("SYNTHEA_BUNDLES");
  if (dir == nullptr || !std::filesystem::is_directory(dir)) {
    state.SkipWithError("set SYNTHEA_BUNDLES to a directory of Synthea patient Bundles");
    return;
  }
  auto catalog =
      chartroom::coding::LoadCatalog({std::filesystem::path(CHARTROOM_SOURCE_DIR) / "data/codes"});
  if (!catalog) {
    state.SkipWithError("the code sets do not load");
    return;
  }
  const chartroom::coding::Suggester suggester(**catalog);
  auto reading = [&](std::string_view name) -> std::string {
    for (const auto& s : suggester.Suggest(name)) {
      if (s.excluded.empty()) return s.code;
    }
    return "";
  };
  std::size_t notes = 0, hits = 0, found = 0, expected = 0, conditions = 0, unread = 0;
  for (auto _ : state) {
    for (const auto& file : std::filesystem::directory_iterator(dir)) {
      auto text = chartroom::coding::ReadReleaseText(file.path());
      if (!text) continue;
      boost::system::error_code ec;
      const json::value bundle = json::parse(*text, ec);
      if (ec || !bundle.as_object().contains("entry")) continue;
      std::map<std::string, std::set<std::string>> gold;       // encounter -> ICD readings
      std::vector<std::pair<std::string, std::string>> texts;  // encounter, note
      for (const auto& entry : bundle.at("entry").as_array()) {
        const json::object& r = entry.at("resource").as_object();
        const std::string_view type = r.at("resourceType").as_string();
        if (type == "Condition" && r.contains("encounter")) {
          ++conditions;
          const std::string code =
              reading(r.at("code").at("coding").at(0).at("display").as_string());
          if (code.empty()) {
            ++unread;
          } else {
            gold[std::string(r.at("encounter").at("reference").as_string())].insert(code);
          }
        } else if (type == "DocumentReference" && r.contains("context")) {
          texts.emplace_back(
              std::string(r.at("context").at("encounter").at(0).at("reference").as_string()),
              Base64Decode(r.at("content").at(0).at("attachment").at("data").as_string()));
        }
      }
      for (const auto& [encounter, note] : texts) {
        std::set<std::string> predicted;
        for (const auto& s : suggester.Suggest(note)) {
          if (s.excluded.empty() && !s.history && s.confidence >= 0.5) predicted.insert(s.code);
        }
        const std::set<std::string>& truth = gold[encounter];
        ++notes;
        found += predicted.size();
        expected += truth.size();
        for (const std::string& p : predicted) hits += truth.contains(p);
      }
    }
  }
  auto ratio = [](std::size_t a, std::size_t b) { return b == 0 ? 0.0 : double(a) / double(b); };
  const double p = ratio(hits, found), r = ratio(hits, expected);
  state.counters["notes"] = static_cast<double>(notes);
  state.counters["conditions"] = static_cast<double>(conditions);
  state.counters["unread"] = static_cast<double>(unread);
  state.counters["precision"] = p;
  state.counters["recall"] = r;
  state.counters["f1"] = p + r == 0 ? 0 : 2 * p * r / (p + r);
}
BENCHMARK(BM_CacOnSyntheaNotes)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
