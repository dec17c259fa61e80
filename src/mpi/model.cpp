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

}  // namespace

void TermFrequencies::Add(const std::string& value) {
  ++records_;
  if (!value.empty()) ++counts_[value];
}

double TermFrequencies::Share(const std::string& value) const {
  if (records_ == 0) return 1.0;
  const auto it = counts_.find(value);
  const double count = it == counts_.end() ? 1.0 : static_cast<double>(it->second);
  return count / static_cast<double>(records_);
}

double TermFrequencies::Agreement() const {
  if (records_ == 0) return 1.0;
  double sum = 0;
  for (const auto& [value, count] : counts_) {
    const double share = static_cast<double>(count) / static_cast<double>(records_);
    sum += share * share;
  }
  return std::max(sum, 1.0 / static_cast<double>(records_));
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

Result<Model> Model::Train(std::span<const Person> people,
                           const std::vector<std::pair<Comparison, std::uint64_t>>& patterns,
                           const CompareOptions& compare, core::Random& random,
                           const TrainOptions& options) {
  if (people.size() < 2) {
    return Fail(ErrorCategory::kInvalid, "mpi.too-few", "matching needs at least two patients");
  }
  Model model;
  model.Rebase(people);

  // u from random pairs: almost all of them are different people.
  std::array<std::array<double, kMaxLevels>, kFieldCount> counts{};
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
  std::array<std::array<double, kMaxLevels>, kFieldCount> random_u{};
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    model.u_[f] = counts[f];
    Normalise(model.u_[f], Levels(f));
    random_u[f] = model.u_[f];
    // m starts leaning to agreement: most of the mass on the top level.
    const std::size_t levels = Levels(f);
    for (std::size_t l = 0; l < levels; ++l) {
      model.m_[f][l] = l + 1 == levels ? 0.8 : 0.2 / static_cast<double>(levels - 1);
    }
  }
  model.prior_ = 0.1;

  // Expectation-maximisation over the distinct comparison vectors of the candidate pairs: m, u
  // among candidates (non-matches there agree more often than random pairs do: they passed
  // blocking) and the share of matches among candidates.
  double total = 0;
  for (const auto& [c, count] : patterns) total += static_cast<double>(count);
  if (total == 0) return model;
  for (model.iterations_ = 1; model.iterations_ <= options.max_iterations; ++model.iterations_) {
    std::array<std::array<double, kMaxLevels>, kFieldCount> m_next{};
    std::array<std::array<double, kMaxLevels>, kFieldCount> u_next{};
    double matches = 0;
    for (const auto& [c, count] : patterns) {
      double log_m = std::log(model.prior_);
      double log_u = std::log(1 - model.prior_);
      for (std::size_t f = 0; f < kFieldCount; ++f) {
        if (c[f] == kMissing) continue;
        log_m += std::log(model.m_[f][c[f]]);
        log_u += std::log(model.u_[f][c[f]]);
      }
      const double w = 1.0 / (1.0 + std::exp(log_u - log_m));
      const double weight = static_cast<double>(count);
      matches += weight * w;
      for (std::size_t f = 0; f < kFieldCount; ++f) {
        if (c[f] == kMissing) continue;
        m_next[f][c[f]] += weight * w;
        u_next[f][c[f]] += weight * (1 - w);
      }
    }
    double moved = 0;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      Normalise(m_next[f], Levels(f));
      Normalise(u_next[f], Levels(f));
      for (std::size_t l = 0; l < Levels(f); ++l) {
        moved = std::max({moved, std::abs(m_next[f][l] - model.m_[f][l]),
                          std::abs(u_next[f][l] - model.u_[f][l])});
      }
    }
    model.m_ = m_next;
    model.u_ = u_next;
    const double prior = std::clamp(matches / total, kFloor, 1 - kFloor);
    moved = std::max(moved, std::abs(prior - model.prior_));
    model.prior_ = prior;
    if (moved < options.tolerance) break;
  }
  // Weights are for any two records, not only for candidates: u as random pairs give it, and the
  // prior of a match among all pairs (the matches EM found among the candidates, over every
  // pair), so that agreeing on what blocking selected for is not counted as evidence twice.
  model.u_ = random_u;
  const double all_pairs = static_cast<double>(n) * static_cast<double>(n - 1) / 2;
  model.prior_ = std::clamp(model.prior_ * total / all_pairs, 1e-12, 1 - kFloor);
  return model;
}

void Model::Rebase(std::span<const Person> people) {
  given_ = TermFrequencies();
  family_ = TermFrequencies();
  for (const Person& p : people) {
    given_.Add(p.given);
    family_.Add(p.family);
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
    // Exact agreement on a name: as informative as the name is rare.
    const bool exact_name = level == 4 && (f == Index(Field::kGiven) || f == Index(Field::kFamily));
    if (exact_name) {
      const TermFrequencies& tf = f == Index(Field::kGiven) ? given_ : family_;
      const double share = tf.Share(f == Index(Field::kGiven) ? a.given : a.family);
      w += std::clamp(std::log2(tf.Agreement() / share), -kMaxAdjustment, kMaxAdjustment);
    }
    s.weights[f] = w;
    s.total += w;
  }
  s.probability = 1.0 / (1.0 + std::exp2(-s.total));
  // Twins: born the same day, given names clearly different, no person identifier in common.
  s.twins = s.comparison[Index(Field::kBirth)] == 4 &&
            s.comparison[Index(Field::kIdentifier)] != 2 && GivenNamesDiffer(a, b);
  return s;
}

Decision Model::Decide(const Score& score, const Thresholds& thresholds) const {
  if (score.twins) return Decision::kNoMatch;
  if (score.probability >= thresholds.match) return Decision::kMatch;
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
