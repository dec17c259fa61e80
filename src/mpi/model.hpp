// The Fellegi-Sunter model: for each field and agreement level (compare.hpp), m = P(level | the
// records are the same person) and u = P(level | different people); a pair's match weight is
// the sum of log2(m / u) over its fields plus the prior log-odds, and its match probability
// follows from that. u is estimated from random pairs of records (almost all different people);
// m by expectation-maximisation with u held, in blocks of pairs that share a birth date and of
// pairs whose names sound alike, each block estimating the fields its rule did not select on
// (as Splink trains); the prior from the matches found among those sharing a birth date. None
// is set by hand. Exact agreement on a name is
// weighed by how common the name is (term-frequency adjustment): "Smith" = "Smith" counts for
// less than "Okafor" = "Okafor".
//
// Thread safety: a trained Model is immutable; Score may be called from any thread.

#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"
#include "mpi/compare.hpp"

namespace chartroom::mpi {

// How often each value of a name occurs among the records.
class TermFrequencies {
 public:
  void Add(const std::string& value);
  // The share of records with `value` (at least 1 / records).
  double Share(const std::string& value) const;
  // The probability that two random records agree exactly: the sum of squared shares.
  double Agreement() const;
  std::size_t records() const { return records_; }

 private:
  std::unordered_map<std::string, std::uint32_t> counts_;
  std::size_t records_ = 0;
  double sum_of_squares_ = 0;  // of the counts
};

// The value of `field` whose frequency adjusts exact agreement on it: the given and family
// names; null for the other fields.
const std::string* ValueOf(Field field, const Person& person);

struct FieldWeight {
  Field field;
  std::uint8_t level;  // kMissing: weighs 0
  double weight;       // log2(m / u), with the name frequency adjustment
};

struct Score {
  Comparison comparison;
  std::array<double, kFieldCount> weights{};  // per field
  double prior = 0;                           // log2 of the prior odds
  double total = 0;                           // prior + the field weights
  double probability = 0;                     // 2^total / (1 + 2^total)
  // Two people (DistinctPeople) and no identifier in common: a review at most, never a match.
  bool distinct = false;
  bool twins = false;  // and the same birth date: never a match nor a review
};

struct Thresholds {
  double match = 0.95;   // at or above: the same person (linked on intake)
  double review = 0.50;  // at or above, below match: a person decides
};

enum class Decision : std::uint8_t { kNoMatch, kReview, kMatch };
std::string_view DecisionName(Decision decision);

struct TrainOptions {
  std::size_t random_pairs = 200'000;  // sampled to start u
  int max_iterations = 100;
  double tolerance = 1e-6;  // stop when no parameter moves by more than this
};

// The pairs of one blocking rule, for training: their comparison vectors and the fields the rule
// selected on. Pairs chosen for agreeing on a field say nothing of how often matches agree on
// it, so EM in this block leaves that field's m alone (another block's rule estimates it).
struct TrainingBlock {
  std::vector<std::pair<Comparison, std::uint64_t>> patterns;  // a vector and how many pairs
  double scale = 1;  // pairs of the block per pair counted (when the block was sampled)
  std::array<bool, kFieldCount> selected{};
};

class Model {
 public:
  // Estimates the model from `people`: u from random pairs of them (`random` draws them), m by
  // EM in each training block with u held, the prior from the matches of the first block that
  // has any. kInvalid when there are fewer than two people.
  static Result<Model> Train(std::span<const Person> people, std::span<const TrainingBlock> blocks,
                             const CompareOptions& compare, core::Random& random,
                             const TrainOptions& options = {});

  Score Weigh(const Person& a, const Person& b, const CompareOptions& compare) const;
  Decision Decide(const Score& score, const Thresholds& thresholds) const;

  double m(Field f, std::uint8_t level) const { return m_[Index(f)][level]; }
  double u(Field f, std::uint8_t level) const { return u_[Index(f)][level]; }
  double prior() const { return prior_; }
  int iterations() const { return iterations_; }

  // The parameters as JSON (the name frequencies are not included: they come from the data the
  // model is used on, see Rebase).
  std::string ToJson() const;
  static Result<Model> FromJson(std::string_view text);
  // The same parameters with the name frequencies of `people`.
  void Rebase(std::span<const Person> people);

 private:
  static std::size_t Index(Field f) { return static_cast<std::size_t>(f); }
  double BaseWeight(std::size_t field, std::uint8_t level) const;

  std::array<std::array<double, kMaxLevels>, kFieldCount> m_{};
  std::array<std::array<double, kMaxLevels>, kFieldCount> u_{};
  double prior_ = 0.01;  // P(match) for two records taken at random
  int iterations_ = 0;
  std::array<TermFrequencies, kFieldCount> frequencies_;  // of the fields ValueOf reads
};

}  // namespace chartroom::mpi
