// chartroom mpi dedupe --data DIR --out FILE.csv [--match P] [--review P] [--person-system URI]
// chartroom mpi explain --data DIR ID1 ID2 [--person-system URI]
// chartroom mpi model --data DIR [--person-system URI]
//
// The master patient index over the store as `chartroom serve` opens it (mpi/linker.hpp): dedupe
// reads every active Patient, trains the Fellegi-Sunter model on them by EM and writes every
// pair at or above the review threshold as `id1,id2,score,decision` (score: the match
// probability; decision: match or review), the most likely first. explain trains the same model
// (the same sample, so the same weights) and prints each field's agreement level and weight for
// two patients. model prints the trained model as JSON (what the server falls back on when its
// store has too few patients to train on is such a model, src/mpi/default_model.cpp).
//
// Exit code: 0 done; 1 a patient of explain not found; 2 usage error or invalid configuration;
// 4 store error.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "app/config.hpp"
#include "app/store_open.hpp"
#include "cli/commands.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result_macros.hpp"
#include "mpi/linker.hpp"
#include "mpi/person.hpp"

namespace chartroom::cli {
namespace {

constexpr int kExitNotFound = 1;
constexpr int kExitUsage = 2;
constexpr int kExitStoreError = 4;
// The model's random pairs come from a fixed seed: dedupe and explain on the same data give the
// same weights.
constexpr std::uint64_t kSampleSeed = 0x6d7069;

constexpr std::string_view kUsage =
    "usage: chartroom mpi COMMAND [--config FILE] [--data DIR]\n"
    "  dedupe --out FILE.csv [--match P] [--review P] [--person-system URI]\n"
    "        every pair of patients at or above the review threshold, as\n"
    "        id1,id2,score,decision (match or review); thresholds are match\n"
    "        probabilities (0.95 and 0.5)\n"
    "  explain ID1 ID2 [--person-system URI]\n"
    "        each field's agreement level and weight for two patients\n"
    "  model [--person-system URI]\n"
    "        the model trained on the store's patients, as JSON\n"
    "  --person-system: an identifier system that names a person (like the US SSN,\n"
    "  which is one by default); a different value under it counts against a match\n"
    "  Exit code: 0 done, 1 patient not found, 2 usage error, 4 store error.\n";

struct Parsed {
  std::vector<std::string> positional;
  std::optional<std::filesystem::path> config_file;
  std::map<std::string, std::string> overrides;
  std::optional<std::string> out;
  mpi::LinkOptions link;
};

std::optional<double> Probability(const std::string& text) {
  char* end = nullptr;
  const double p = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(p > 0 && p <= 1)) return std::nullopt;
  return p;
}

std::optional<Parsed> Parse(Args args) {
  Parsed p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      p.positional.emplace_back(arg);
      continue;
    }
    if (i + 1 >= args.size()) return std::nullopt;
    const std::string value(args[++i]);
    if (arg == "--config") {
      p.config_file = value;
    } else if (arg == "--data") {
      p.overrides["data_dir"] = value;
    } else if (arg == "--out") {
      p.out = value;
    } else if (arg == "--person-system") {
      p.link.person_systems.push_back(value);
    } else if (arg == "--match" || arg == "--review") {
      const auto probability = Probability(value);
      if (!probability) return std::nullopt;
      (arg == "--match" ? p.link.thresholds.match : p.link.thresholds.review) = *probability;
    } else {
      return std::nullopt;
    }
  }
  if (p.link.thresholds.review > p.link.thresholds.match) return std::nullopt;
  return p;
}

int Failed(const Error& error) {
  std::fprintf(stderr, "chartroom mpi: %s\n", error.message().c_str());
  return error.category() == ErrorCategory::kInvalid ? kExitUsage : kExitStoreError;
}

int Run(std::string_view sub, const Parsed& p) {
  auto config = app::LoadConfig(p.config_file, app::ProcessEnvironment(), p.overrides);
  if (!config) return Failed(config.error());
  core::SystemClock clock;
  core::SystemRandom system_random;
  auto store = app::OpenStore(*config, clock, system_random);
  if (!store) return Failed(store.error());
  const auto started = std::chrono::steady_clock::now();
  auto people = mpi::LoadActivePeople(*store->store);
  if (!people) return Failed(people.error());
  const auto loaded = std::chrono::steady_clock::now();
  core::SeededRandom random(kSampleSeed);

  if (sub == "model") {
    auto model = mpi::TrainModel(*people, p.link, random);
    if (!model) return Failed(model.error());
    std::printf("%s\n", model->ToJson().c_str());
    return 0;
  }
  if (sub == "explain") {
    auto find = [&](const std::string& id) -> const mpi::Person* {
      for (const mpi::Person& person : *people) {
        if (person.id == id) return &person;
      }
      return nullptr;
    };
    const mpi::Person* a = find(p.positional[0]);
    const mpi::Person* b = find(p.positional[1]);
    if (a == nullptr || b == nullptr) {
      std::fprintf(stderr, "chartroom mpi explain: no active Patient/%s\n",
                   (a == nullptr ? p.positional[0] : p.positional[1]).c_str());
      return kExitNotFound;
    }
    auto result = mpi::Dedupe(*people, p.link, random);
    if (!result) return Failed(result.error());
    const mpi::CompareOptions compare{p.link.person_systems};
    const mpi::Score score = result->model.Weigh(*a, *b, compare);
    std::printf("Patient/%s and Patient/%s\n", a->id.c_str(), b->id.c_str());
    std::printf("%-12s %6s %9s %9s %8s\n", "field", "level", "m", "u", "weight");
    for (std::size_t f = 0; f < mpi::kFieldCount; ++f) {
      const auto field = static_cast<mpi::Field>(f);
      const std::uint8_t level = score.comparison[f];
      const std::string name(mpi::FieldName(field));
      if (level == mpi::kMissing) {
        std::printf("%-12s %6s %9s %9s %8.2f\n", name.c_str(), "-", "-", "-", 0.0);
        continue;
      }
      std::printf("%-12s %6d %9.5f %9.5f %8.2f\n", name.c_str(), level,
                  result->model.m(field, level), result->model.u(field, level), score.weights[f]);
    }
    std::printf("%-12s %6s %9s %9s %8.2f\n", "prior", "", "", "", score.prior);
    std::printf(
        "total weight %.2f, match probability %.6f, decision %s%s\n", score.total,
        score.probability,
        std::string(mpi::DecisionName(result->model.Decide(score, p.link.thresholds))).c_str(),
        score.twins ? " (born the same day, given names differ: twins are never linked)" : "");
    return 0;
  }

  std::ofstream out(*p.out, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::fprintf(stderr, "chartroom mpi dedupe: cannot write %s\n", p.out->c_str());
    return kExitUsage;
  }
  auto result = mpi::Dedupe(*people, p.link, random);
  if (!result) return Failed(result.error());
  out << "id1,id2,score,decision\n";
  std::size_t matches = 0;
  char score[32];
  for (const mpi::ScoredPair& pair : result->pairs) {
    std::snprintf(score, sizeof score, "%.6f", pair.probability);
    out << (*people)[pair.first].id << ',' << (*people)[pair.second].id << ',' << score << ','
        << mpi::DecisionName(pair.decision) << '\n';
    matches += pair.decision == mpi::Decision::kMatch;
  }
  out.flush();
  if (!out) {
    std::fprintf(stderr, "chartroom mpi dedupe: cannot write %s\n", p.out->c_str());
    return kExitStoreError;
  }
  const auto done = std::chrono::steady_clock::now();
  std::fprintf(stderr,
               "%zu patients read in %.1f s; %llu candidate pairs in %.1f s; model (EM %d "
               "iterations) in %.1f s; scored in %.1f s: %zu match, %zu review; %.1f s in all\n",
               people->size(), std::chrono::duration<double>(loaded - started).count(),
               static_cast<unsigned long long>(result->candidates), result->blocking_seconds,
               result->model.iterations(), result->training_seconds, result->scoring_seconds,
               matches, result->pairs.size() - matches,
               std::chrono::duration<double>(done - started).count());
  return 0;
}

}  // namespace

int RunMpi(Args args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage.data(), args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : 0;
  }
  const std::string_view sub = args[0];
  auto parsed = Parse(args.subspan(1));
  const bool ok = parsed && ((sub == "dedupe" && parsed->out && parsed->positional.empty()) ||
                             (sub == "explain" && parsed->positional.size() == 2) ||
                             (sub == "model" && parsed->positional.empty()));
  if (!ok) {
    std::fputs(kUsage.data(), stderr);
    return kExitUsage;
  }
  return Run(sub, *parsed);
}

}  // namespace chartroom::cli
