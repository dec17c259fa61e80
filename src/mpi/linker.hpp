// Finding the duplicates among many records: blocking (only records that share a blocking key
// are compared, so the work grows with the records, not with their square), the model trained
// on the candidate pairs (model.hpp), and every candidate pair scored and decided.
//
// Blocking keys, each a separate pass: a person identifier (SSN and the like); the birth date;
// the family name's Double Metaphone with the first initial; the Double Metaphones of the given
// and family names in either order (names swapped); the postcode with the birth year; the phone
// number. A block larger than `max_block` records is not expanded (a common name or a default
// date says little); its pairs are found by the other keys or not at all. A pair that shares
// several keys is compared once.
//
// Thread safety: Dedupe runs `threads` workers over the candidate pairs; the inputs are read
// only.

#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"
#include "mpi/model.hpp"
#include "mpi/person.hpp"

namespace chartroom::mpi {

// The identifier systems treated as naming a person by default (US SSN; FEBRL-style national
// ids are added by configuration).
std::vector<std::string> DefaultPersonSystems();

struct LinkOptions {
  std::vector<std::string> person_systems = DefaultPersonSystems();
  Thresholds thresholds;
  std::size_t max_block = 200;
  // The model is trained on at most this many candidate pairs, spread evenly over them.
  std::size_t train_pairs = 2'000'000;
  unsigned threads = 2;
  TrainOptions train;
};

inline constexpr std::size_t kBlockingKeys = 6;
using BlockingKeys = std::array<std::uint64_t, kBlockingKeys>;  // 0: no key of that kind
BlockingKeys BlockingKeysOf(const Person& person, const LinkOptions& options);

// Every pair of records (indexes into `people`, first < second) that shares a blocking key.
std::vector<std::pair<std::uint32_t, std::uint32_t>> CandidatePairs(std::span<const Person> people,
                                                                    const LinkOptions& options);

struct ScoredPair {
  std::uint32_t first;
  std::uint32_t second;
  double probability;
  Decision decision;
};

struct DedupeResult {
  Model model;
  std::uint64_t candidates = 0;  // pairs compared
  double blocking_seconds = 0;
  double training_seconds = 0;
  double scoring_seconds = 0;
  std::vector<ScoredPair> pairs;  // decided match or review, the most likely first
};

// Trains a model on `people` and their candidate pairs.
Result<Model> TrainModel(std::span<const Person> people, const LinkOptions& options,
                         core::Random& random);

// Trains a model on `people` (or uses `model` when given) and decides every candidate pair.
// Runs `work(begin, end, worker)` over [0, n) split among at most `threads` threads (fewer for
// small n), worker 0 on the calling thread.
void Parallel(std::size_t n, unsigned threads,
              const std::function<void(std::size_t, std::size_t, unsigned)>& work);

Result<DedupeResult> Dedupe(std::span<const Person> people, const LinkOptions& options,
                            core::Random& random, const Model* model = nullptr);

}  // namespace chartroom::mpi
