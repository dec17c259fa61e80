#include "mpi/model.hpp"

#include <algorithm>
#include <cmath>

#include <boost/json.hpp>

namespace chartroom::mpi {
namespace json = boost::json;
namespace {

constexpr double kFloor = 1e-6;  // no probability is 0: one odd field must not veto everything
constexpr double kMaxAdjustment = 4.0;  // bits a name's frequency may add or take

std::size_t Levels(std::size_t field) { return LevelCount(static_cast<Field>(field)); }

// `p` normalised to sum to 1 over the field's levels, each at least kFloor.
void Normalise(std::array<double, kMaxLevels>& p, std::size_t levels) {
  double sum = 0;
  for (std::size_t l = 0; l < levels; ++l) sum += p[l] = std::max(p[l], kFloor);
  for (std::size_t l = 0; l < levels; ++l) p[l] /= sum;
}

using Table = std::array<std::array<double, kMaxLevels>, kFieldCount>;

bool Top(const Comparison& c, Field f) {
  const auto i = static_cast<std::size_t>(f);
  return c[i] != kMissing && std::size_t{c[i]} + 1 == Levels(i);
}

// The seed of EM's first step in a block: the names and birth date agree fully (those of them
// the block's rule did not select on), or an identifier does. Contact fields are left out of it
// on purpose, so that EM learns how often the same person's address and phone differ (people
// move) instead of assuming they never do.
bool SurelyTheSame(const Comparison& c, const std::array<bool, kFieldCount>& selected) {
  bool any = false;
  bool all = true;
  for (Field f : {Field::kGiven, Field::kFamily, Field::kBirth}) {
    if (selected[static_cast<std::size_t>(f)]) continue;
    any = true;
    all = all && Top(c, f);
  }
  return (any && all) ||
         (!selected[static_cast<std::size_t>(Field::kIdentifier)] && Top(c, Field::kIdentifier));
}

// What EM found in one block.
struct BlockEstimate {
  Table m{};
  double matches = 0;  // expected matching pairs in the whole block
  int iterations = 0;
};

// EM over one block's comparison patterns with u held at its random-pair values: m of every
// field the block's rule did not select on, and the share of matches in the block.
BlockEstimate EstimateBlock(const TrainingBlock& block, const Table& u, const Table& m_start,
                            const TrainOptions& options) {
  BlockEstimate e;
  e.m = m_start;
  double total = 0;
  for (const auto& [c, count] : block.patterns) total += static_cast<double>(count);
  if (total == 0) return e;
  double prior = 0.1;
  for (e.iterations = 1; e.iterations <= options.max_iterations; ++e.iterations) {
    Table m_next{};
    double matches = 0;
    for (const auto& [c, count] : block.patterns) {
      double log_m = std::log(prior);
      double log_u = std::log(1 - prior);
      for (std::size_t f = 0; f < kFieldCount; ++f) {
        if (c[f] == kMissing || block.selected[f]) continue;
        log_m += std::log(e.m[f][c[f]]);
        log_u += std::log(u[f][c[f]]);
      }
      // The first expectation is a seed, not a guess from the starting parameters: from
      // arbitrary parameters EM can settle on another grouping of the pairs as its "matches".
      const double w = e.iterations == 1 ? (SurelyTheSame(c, block.selected) ? 1.0 : 0.0)
                                         : 1.0 / (1.0 + std::exp(log_u - log_m));
      const double weight = static_cast<double>(count);
      matches += weight * w;
      for (std::size_t f = 0; f < kFieldCount; ++f) {
        if (c[f] != kMissing && !block.selected[f]) m_next[f][c[f]] += weight * w;
      }
    }
    double moved = 0;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      if (block.selected[f]) continue;
      Normalise(m_next[f], Levels(f));
      for (std::size_t l = 0; l < Levels(f); ++l) {
        moved = std::max(moved, std::abs(m_next[f][l] - e.m[f][l]));
      }
      e.m[f] = m_next[f];
    }
    const double next_prior = std::clamp(matches / total, kFloor, 1 - kFloor);
    moved = std::max(moved, std::abs(next_prior - prior));
    prior = next_prior;
    e.matches = matches * block.scale;
    if (moved < options.tolerance) break;
  }
  return e;
}

}  // namespace

void TermFrequencies::Add(const std::string& value) {
  ++records_;
  if (value.empty()) return;
  // (n + 1)^2 - n^2: the sum of squared counts kept as the counts grow.
  sum_of_squares_ += 2.0 * static_cast<double>(counts_[value]++) + 1.0;
}

double TermFrequencies::Share(const std::string& value) const {
  if (records_ == 0) return 1.0;
  const auto it = counts_.find(value);
  const double count = it == counts_.end() ? 1.0 : static_cast<double>(it->second);
  return count / static_cast<double>(records_);
}

double TermFrequencies::Agreement() const {
  if (records_ == 0) return 1.0;
  const double n = static_cast<double>(records_);
  return std::max(sum_of_squares_ / (n * n), 1.0 / n);
}

const std::string* ValueOf(Field field, const Person& p) {
  switch (field) {
    case Field::kGiven:
      return &p.given;
    case Field::kFamily:
      return &p.family;
    default:
      // Tried on birth dates, phones and places too: on generated data the adjustment of a
      // household's shared address and phone outweighed the names that told its members apart.
      return nullptr;
  }
}

std::string_view DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kMatch:
      return "match";
    case Decision::kReview:
      return "review";
    case Decision::kNoMatch:
      return "no-match";
  }
  return "no-match";
}

Result<Model> Model::Train(std::span<const Person> people, std::span<const TrainingBlock> blocks,
                           const CompareOptions& compare, core::Random& random,
                           const TrainOptions& options) {
  if (people.size() < 2) {
    return Fail(ErrorCategory::kInvalid, "mpi.too-few", "matching needs at least two patients");
  }
  Model model;
  model.Rebase(people);

  // u from random pairs: almost all of them are different people.
  Table counts{};
  const std::uint64_t n = people.size();
  for (std::size_t k = 0; k < options.random_pairs; ++k) {
    const std::uint64_t i = random.NextU64() % n;
    std::uint64_t j = random.NextU64() % (n - 1);
    if (j >= i) ++j;
    const Comparison c = Compare(people[i], people[j], compare);
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      if (c[f] != kMissing) counts[f][c[f]] += 1;
    }
  }
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    // Half a pair more at every level: a level no random pair reached (an exact street) is rare,
    // not impossible.
    for (std::size_t l = 0; l < Levels(f); ++l) counts[f][l] += 0.5;
    model.u_[f] = counts[f];
    Normalise(model.u_[f], Levels(f));
    // m starts leaning to agreement: most of the mass on the top level.
    const std::size_t levels = Levels(f);
    for (std::size_t l = 0; l < levels; ++l) {
      model.m_[f][l] = l + 1 == levels ? 0.8 : 0.2 / static_cast<double>(levels - 1);
    }
  }

  // m of a field: from the blocks whose rule did not select on it, weighted by the matches each
  // found.
  std::vector<BlockEstimate> estimates;
  for (const TrainingBlock& block : blocks) {
    estimates.push_back(EstimateBlock(block, model.u_, model.m_, options));
    model.iterations_ += estimates.back().iterations;
  }
  std::array<bool, kFieldCount> estimated{};
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    std::array<double, kMaxLevels> sum{};
    double weight = 0;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      if (blocks[b].selected[f] || estimates[b].matches <= 0) continue;
      for (std::size_t l = 0; l < Levels(f); ++l)
        sum[l] += estimates[b].matches * estimates[b].m[f][l];
      weight += estimates[b].matches;
    }
    if (weight <= 0) continue;
    for (std::size_t l = 0; l < Levels(f); ++l) model.m_[f][l] = sum[l] / weight;
    Normalise(model.m_[f], Levels(f));
    estimated[f] = true;
  }
  // The prior: the matches of the first block that found any, over the share of all matches
  // that agree fully on what its rule selected (the same person's birth date is recorded the
  // same way in m_birth(top) of the cases), over every pair of records.
  double matches = 0;
  for (std::size_t b = 0; b < blocks.size() && matches <= 0; ++b) {
    if (estimates[b].matches <= 0) continue;
    matches = estimates[b].matches;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      if (blocks[b].selected[f] && estimated[f]) matches /= model.m_[f][Levels(f) - 1];
    }
  }
  const double all_pairs = static_cast<double>(n) * static_cast<double>(n - 1) / 2;
  model.prior_ = std::clamp(std::max(matches, 1.0) / all_pairs, 1e-12, 1 - kFloor);
  return model;
}

void Model::Rebase(std::span<const Person> people) {
  frequencies_ = {};
  for (const Person& p : people) {
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      if (const std::string* value = ValueOf(static_cast<Field>(f), p)) frequencies_[f].Add(*value);
    }
  }
}

double Model::BaseWeight(std::size_t field, std::uint8_t level) const {
  return std::log2(m_[field][level] / u_[field][level]);
}

Score Model::Weigh(const Person& a, const Person& b, const CompareOptions& compare) const {
  Score s;
  s.comparison = Compare(a, b, compare);
  s.prior = std::log2(prior_ / (1 - prior_));
  s.total = s.prior;
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    const std::uint8_t level = s.comparison[f];
    if (level == kMissing) continue;
    double w = BaseWeight(f, level);
    // Exact agreement: as informative as the value is rare ("Smith" says less than a name does
    // on average).
    const std::string* value = ValueOf(static_cast<Field>(f), a);
    if (value != nullptr && std::size_t{level} + 1 == LevelCount(static_cast<Field>(f))) {
      const TermFrequencies& tf = frequencies_[f];
      w +=
          std::clamp(std::log2(tf.Agreement() / tf.Share(*value)), -kMaxAdjustment, kMaxAdjustment);
    }
    s.weights[f] = w;
    s.total += w;
  }
  s.probability = 1.0 / (1.0 + std::exp2(-s.total));
  // Two people by their names, sex or identifiers (DistinctPeople), and no identifier in common:
  // born the same day, twins; otherwise perhaps members of one household, who share an address,
  // a phone and a family name, evidence the model counts as independent when it is not.
  s.distinct = s.comparison[Index(Field::kIdentifier)] != 2 && DistinctPeople(a, b, s.comparison);
  s.twins = s.distinct && s.comparison[Index(Field::kBirth)] == 4;
  return s;
}

Decision Model::Decide(const Score& score, const Thresholds& thresholds) const {
  if (score.twins) return Decision::kNoMatch;
  if (score.probability >= thresholds.match && !score.distinct) return Decision::kMatch;
  if (score.probability >= thresholds.review) return Decision::kReview;
  return Decision::kNoMatch;
}

std::string Model::ToJson() const {
  json::object o;
  o["prior"] = prior_;
  o["iterations"] = iterations_;
  json::object fields;
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    json::array m;
    json::array u;
    for (std::size_t l = 0; l < Levels(f); ++l) {
      m.push_back(m_[f][l]);
      u.push_back(u_[f][l]);
    }
    fields[FieldName(static_cast<Field>(f))] = {{"m", std::move(m)}, {"u", std::move(u)}};
  }
  o["fields"] = std::move(fields);
  return json::serialize(o);
}

Result<Model> Model::FromJson(std::string_view text) {
  auto bad = [] {
    return Fail(ErrorCategory::kInvalid, "mpi.bad-model", "the stored matching model is damaged");
  };
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return bad();
  const json::object& o = v.get_object();
  Model model;
  const json::value* prior = o.if_contains("prior");
  const json::value* fields = o.if_contains("fields");
  if (prior == nullptr || !prior->is_double() || fields == nullptr || !fields->is_object()) {
    return bad();
  }
  model.prior_ = prior->get_double();
  if (const json::value* it = o.if_contains("iterations"); it != nullptr && it->is_int64()) {
    model.iterations_ = static_cast<int>(it->get_int64());
  }
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    const json::value* field = fields->get_object().if_contains(FieldName(static_cast<Field>(f)));
    if (field == nullptr || !field->is_object()) return bad();
    for (const char* which : {"m", "u"}) {
      const json::value* values = field->get_object().if_contains(which);
      if (values == nullptr || !values->is_array() || values->get_array().size() != Levels(f)) {
        return bad();
      }
      auto& target = which[0] == 'm' ? model.m_[f] : model.u_[f];
      for (std::size_t l = 0; l < Levels(f); ++l) {
        const json::value& p = values->get_array()[l];
        if (!p.is_number()) return bad();
        target[l] = std::clamp(p.to_number<double>(), kFloor, 1.0);
      }
    }
  }
  return model;
}

}  // namespace chartroom::mpi
