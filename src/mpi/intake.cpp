#include "mpi/intake.hpp"

#include <algorithm>
#include <unordered_set>

#include <boost/json.hpp>

#include "core/result_macros.hpp"
#include "mpi/merge.hpp"

namespace chartroom::mpi {
namespace json = boost::json;
namespace {

constexpr std::size_t kCandidates = 20;
constexpr std::size_t kPatientsPerTransaction = 2000;

std::string PairJson(const Person& a, const Found& f, core::Timestamp now) {
  json::object o;
  const bool ordered = a.id < f.person.id;
  o["first"] = ordered ? a.id : f.person.id;
  o["second"] = ordered ? f.person.id : a.id;
  o["score"] = f.score.probability;
  o["status"] = f.decision == Decision::kMatch ? "linked" : "review";
  json::object weights;
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (f.score.comparison[i] == kMissing) continue;
    weights[FieldName(static_cast<Field>(i))] = f.score.weights[i];
  }
  o["weights"] = std::move(weights);
  o["found"] = core::FormatInstant(now);
  return json::serialize(o);
}

// Records `person`'s undecided pairs in `tx` but those in `seen` or `added` (which gets the new
// ones).
Status Queue(store::Transaction& tx, const Person& person, const std::vector<Found>& found,
             core::Timestamp now, const std::unordered_set<std::string>& seen,
             std::unordered_set<std::string>& added) {
  for (const Found& f : found) {
    const std::string key = PairKey(person.id, f.person.id);
    if (seen.contains(key) || added.contains(key)) continue;
    CHARTROOM_ASSIGN_OR_RETURN(auto decided, tx.GetRecord(kDecisionKind, key));
    if (decided) continue;  // a person decided this pair: it does not come back
    CHARTROOM_RETURN_IF_ERROR(tx.PutRecord(kPairKind, key, PairJson(person, f, now)));
    added.insert(key);
  }
  return Ok();
}

}  // namespace

Status Intake(Index& index, store::ResourceStore& store, std::string_view id, core::Timestamp now) {
  auto current = store.Read("Patient", id);
  if (!current) {
    if (current.error().category() == ErrorCategory::kGone ||
        current.error().category() == ErrorCategory::kNotFound) {
      index.Remove(std::string(id));
      return Ok();
    }
    return tl::unexpected(current.error());
  }
  boost::system::error_code ec;
  json::value value = json::parse(current->json, ec);
  if (ec || !value.is_object()) return Ok();
  Person person = PersonFromPatient(value.get_object());
  const auto found = index.Find(person, index.options().thresholds.review, kCandidates);
  if (!found.empty() && person.active) {
    Status written = store.InTransaction([&](store::Transaction& tx) -> Status {
      std::unordered_set<std::string> added;
      return Queue(tx, person, found, now, {}, added);
    });
    if (!written) return written;
  }
  index.Put(std::move(person));
  return Ok();
}

Result<std::size_t> IntakeAll(Index& index, store::ResourceStore& store,
                              std::span<const std::string> ids, core::Timestamp now,
                              unsigned threads) {
  std::size_t queued = 0;
  std::unordered_set<std::string> seen;  // a pair of two imported patients is found twice
  for (std::size_t start = 0; start < ids.size(); start += kPatientsPerTransaction) {
    const std::size_t n = std::min(kPatientsPerTransaction, ids.size() - start);
    std::vector<std::pair<Person, std::vector<Found>>> found(n);
    Parallel(n, threads, [&](std::size_t begin, std::size_t end, unsigned) {
      for (std::size_t i = begin; i < end; ++i) {
        auto person = index.Get(ids[start + i]);
        if (!person) continue;  // inactive or gone
        found[i].second = index.Find(*person, index.options().thresholds.review, kCandidates);
        found[i].first = std::move(*person);
      }
    });
    std::unordered_set<std::string> added;
    Status written = store.InTransaction([&](store::Transaction& tx) -> Status {
      added.clear();  // the work may run again
      for (const auto& [person, pairs] : found) {
        if (pairs.empty()) continue;
        CHARTROOM_RETURN_IF_ERROR(Queue(tx, person, pairs, now, seen, added));
      }
      return Ok();
    });
    if (!written) return tl::unexpected(written.error());
    queued += added.size();
    seen.merge(added);
  }
  return queued;
}

}  // namespace chartroom::mpi
