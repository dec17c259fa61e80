#include "mpi/linker.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <unordered_map>

#include "core/result_macros.hpp"
#include "mpi/text.hpp"

namespace chartroom::mpi {
namespace {

constexpr std::size_t kSlots = kBlockingKeys;
using Keys = BlockingKeys;

std::uint64_t KeyOf(std::size_t slot, std::string_view text) {
  if (text.empty()) return 0;
  std::string keyed(1, static_cast<char>('0' + slot));
  keyed += text;
  const std::uint64_t h = std::hash<std::string>{}(keyed);
  return h == 0 ? 1 : h;
}

}  // namespace

BlockingKeys BlockingKeysOf(const Person& p, const LinkOptions& options) {
  Keys keys{};
  for (const Identifier& id : p.identifiers) {
    if (id.person || std::find(options.person_systems.begin(), options.person_systems.end(),
                               id.system) != options.person_systems.end()) {
      keys[0] = KeyOf(0, id.system + "|" + id.value);
      break;
    }
  }
  keys[1] = KeyOf(1, p.BirthDigits());
  const std::string family = DoubleMetaphone(p.family);
  const std::string given = DoubleMetaphone(p.given_as_written);
  if (!family.empty() && !p.given_as_written.empty()) {
    keys[2] = KeyOf(2, family + "|" + p.given_as_written[0]);
  }
  if (!family.empty() && !given.empty()) {
    keys[3] = KeyOf(3, std::min(family, given) + "|" + std::max(family, given));
  }
  if (!p.postcode.empty() && p.birth_year != 0) {
    keys[4] = KeyOf(4, p.postcode + "|" + std::to_string(p.birth_year));
  }
  keys[5] = KeyOf(5, p.phone);
  return keys;
}

namespace {

std::uint32_t Encode(const Comparison& c) {
  std::uint32_t code = 0;
  for (std::uint8_t level : c) code = code * 8 + (level == kMissing ? 7u : level);
  return code;
}

Comparison Decode(std::uint32_t code) {
  Comparison c;
  for (std::size_t f = kFieldCount; f-- > 0;) {
    const std::uint32_t level = code % 8;
    c[f] = level == 7 ? kMissing : static_cast<std::uint8_t>(level);
    code /= 8;
  }
  return c;
}

}  // namespace

void Parallel(std::size_t n, unsigned threads,
              const std::function<void(std::size_t, std::size_t, unsigned)>& work) {
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(n / 10'000 + 1)));
  std::vector<std::thread> pool;
  const std::size_t chunk = (n + threads - 1) / threads;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back(work, std::min(n, t * chunk), std::min(n, (t + 1) * chunk), t);
  }
  work(0, std::min(n, chunk), 0);
  for (std::thread& t : pool) t.join();
}

std::vector<std::string> DefaultPersonSystems() { return {"http://hl7.org/fhir/sid/us-ssn"}; }

std::vector<std::pair<std::uint32_t, std::uint32_t>> CandidatePairs(std::span<const Person> people,
                                                                    const LinkOptions& options) {
  std::vector<Keys> keys(people.size());
  for (std::size_t i = 0; i < people.size(); ++i) keys[i] = BlockingKeysOf(people[i], options);
  // expanded[i][s]: person i's block in slot s was expanded, so its pairs are out already.
  std::vector<std::array<bool, kSlots>> expanded(people.size());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> slot;
  for (std::size_t s = 0; s < kSlots; ++s) {
    slot.clear();
    for (std::size_t i = 0; i < people.size(); ++i) {
      if (keys[i][s] != 0) slot.emplace_back(keys[i][s], static_cast<std::uint32_t>(i));
    }
    std::sort(slot.begin(), slot.end());
    for (std::size_t begin = 0; begin < slot.size();) {
      std::size_t end = begin + 1;
      while (end < slot.size() && slot[end].first == slot[begin].first) ++end;
      if (end - begin <= options.max_block) {
        for (std::size_t x = begin; x < end; ++x) {
          const std::uint32_t i = slot[x].second;
          expanded[i][s] = true;
          for (std::size_t y = begin; y < x; ++y) {
            const std::uint32_t j = slot[y].second;  // j < i: the slot is sorted by index too
            bool seen = false;
            for (std::size_t earlier = 0; earlier < s && !seen; ++earlier) {
              seen = keys[i][earlier] != 0 && keys[i][earlier] == keys[j][earlier] &&
                     expanded[i][earlier];
            }
            if (!seen) pairs.emplace_back(j, i);
          }
        }
      }
      begin = end;
    }
  }
  return pairs;
}

namespace {

// The pairs sharing the key of blocking `slot` (blocks of at most max_block records).
std::vector<std::pair<std::uint32_t, std::uint32_t>> PairsSharing(std::span<const Person> people,
                                                                  const LinkOptions& options,
                                                                  std::size_t slot) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
  for (std::size_t i = 0; i < people.size(); ++i) {
    const std::uint64_t key = BlockingKeysOf(people[i], options)[slot];
    if (key != 0) keyed.emplace_back(key, static_cast<std::uint32_t>(i));
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (std::size_t begin = 0; begin < keyed.size();) {
    std::size_t end = begin + 1;
    while (end < keyed.size() && keyed[end].first == keyed[begin].first) ++end;
    if (end - begin <= options.max_block) {
      for (std::size_t x = begin; x < end; ++x) {
        for (std::size_t y = begin; y < x; ++y)
          pairs.emplace_back(keyed[y].second, keyed[x].second);
      }
    }
    begin = end;
  }
  return pairs;
}

// The comparison patterns of `pairs`, at most `limit` of them spread evenly.
TrainingBlock BlockOf(std::span<const Person> people,
                      const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs,
                      std::size_t limit, const LinkOptions& options) {
  const CompareOptions compare{options.person_systems};
  const std::size_t stride =
      std::max<std::size_t>(1, pairs.size() / std::max<std::size_t>(limit, 1));
  const std::size_t sampled = (pairs.size() + stride - 1) / stride;
  std::vector<std::unordered_map<std::uint32_t, std::uint64_t>> counts(options.threads + 1);
  Parallel(sampled, options.threads, [&](std::size_t begin, std::size_t end, unsigned worker) {
    auto& mine = counts[worker];
    for (std::size_t k = begin; k < end; ++k) {
      const auto [a, b] = pairs[k * stride];
      ++mine[Encode(Compare(people[a], people[b], compare))];
    }
  });
  std::unordered_map<std::uint32_t, std::uint64_t> merged;
  for (const auto& c : counts) {
    for (const auto& [code, n] : c) merged[code] += n;
  }
  TrainingBlock block;
  block.scale =
      sampled == 0 ? 1.0 : static_cast<double>(pairs.size()) / static_cast<double>(sampled);
  block.patterns.reserve(merged.size());
  for (const auto& [code, n] : merged) block.patterns.emplace_back(Decode(code), n);
  std::sort(block.patterns.begin(),
            block.patterns.end());  // the same model whatever the hash order
  return block;
}

// Training blocks: pairs born the same day (estimating every field but the birth date, and the
// share of matches), and pairs whose given and family names sound alike (estimating the birth
// date and the rest).
Result<Model> Train(std::span<const Person> people, const LinkOptions& options,
                    core::Random& random) {
  constexpr std::size_t kBirthSlot = 1;
  constexpr std::size_t kNamesSlot = 3;
  std::vector<TrainingBlock> blocks;
  blocks.push_back(
      BlockOf(people, PairsSharing(people, options, kBirthSlot), options.train_pairs / 2, options));
  blocks.back().selected[static_cast<std::size_t>(Field::kBirth)] = true;
  blocks.push_back(
      BlockOf(people, PairsSharing(people, options, kNamesSlot), options.train_pairs / 2, options));
  blocks.back().selected[static_cast<std::size_t>(Field::kGiven)] = true;
  blocks.back().selected[static_cast<std::size_t>(Field::kFamily)] = true;
  return Model::Train(people, blocks, CompareOptions{options.person_systems}, random,
                      options.train);
}

}  // namespace

Result<Model> TrainModel(std::span<const Person> people, const LinkOptions& options,
                         core::Random& random) {
  return Train(people, options, random);
}

Result<DedupeResult> Dedupe(std::span<const Person> people, const LinkOptions& options,
                            core::Random& random, const Model* given_model) {
  const CompareOptions compare{options.person_systems};
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point from) {
    return std::chrono::duration<double>(Clock::now() - from).count();
  };
  auto started = Clock::now();
  const auto candidates = CandidatePairs(people, options);
  DedupeResult result;
  result.candidates = candidates.size();
  result.blocking_seconds = seconds(started);
  started = Clock::now();
  if (given_model != nullptr) {
    result.model = *given_model;
    result.model.Rebase(people);
  } else {
    CHARTROOM_ASSIGN_OR_RETURN(result.model, Train(people, options, random));
  }
  result.training_seconds = seconds(started);
  started = Clock::now();
  std::vector<std::vector<ScoredPair>> found(options.threads + 1);
  Parallel(candidates.size(), options.threads,
           [&](std::size_t begin, std::size_t end, unsigned worker) {
             for (std::size_t k = begin; k < end; ++k) {
               const auto [a, b] = candidates[k];
               const Score score = result.model.Weigh(people[a], people[b], compare);
               const Decision decision = result.model.Decide(score, options.thresholds);
               if (decision != Decision::kNoMatch) {
                 found[worker].push_back({a, b, score.probability, decision});
               }
             }
           });
  for (auto& f : found) result.pairs.insert(result.pairs.end(), f.begin(), f.end());
  std::sort(result.pairs.begin(), result.pairs.end(), [](const ScoredPair& x, const ScoredPair& y) {
    return std::tie(y.probability, x.first, x.second) < std::tie(x.probability, y.first, y.second);
  });
  result.scoring_seconds = seconds(started);
  return result;
}

}  // namespace chartroom::mpi
