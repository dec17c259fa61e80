// The coding workqueue (docs/coding.md, "Workqueue"): encounters that are finished and not
// final-coded (DNFB), oldest discharge first; a coder claims one, saves codes (the edits run on
// every save), and finalizes it: the codes land on a FHIR Claim with a Provenance naming the
// coder, in one transaction with the case's record and its audit entry.
//
// A case is a store record of kind `coding-case` keyed by the encounter id, holding its status
// (in-progress, final), coder and codes. The queue reads finished Encounters from the store and
// leaves out those whose case is final.
//
// Thread safety: reentrant; the store and catalog are thread-safe.

#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "coding/catalog.hpp"
#include "coding/edits.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/resource_store.hpp"

namespace chartroom::coding {

inline constexpr std::string_view kCaseKind = "coding-case";

struct QueueItem {
  std::string encounter;
  std::string patient;
  std::string encounter_class;  // v3 ActCode: IMP, AMB, EMER ...
  std::string discharged;       // Encounter.period.end
  std::int64_t age_days = 0;    // since discharge
  std::string status;           // "uncoded" or "in-progress"
  std::string coder;
};

struct QueueQuery {
  std::string encounter_class;  // "" for every class
  std::size_t count = 50;
  std::string page;  // the previous page's next_page
};

struct QueuePage {
  std::vector<QueueItem> items;
  std::string next_page;  // "" on the last page
};

struct CodingCase {
  std::string encounter;
  std::string patient;
  std::string status;  // "uncoded", "in-progress", "final"
  std::string coder;
  std::vector<CodedItem> diagnoses;
  std::vector<CodedItem> procedures;
  std::string saved_at;
  std::string finalized_at;
  std::string claim;        // the Claim id once final
  std::vector<Edit> edits;  // of the codes as saved, for this encounter's patient

  boost::json::object ToJson() const;
};

struct CoderStats {
  std::string coder;
  std::int64_t finalized = 0;        // ever
  std::int64_t finalized_today = 0;  // since midnight UTC
};

struct QueueStats {
  std::int64_t backlog = 0;              // finished encounters not final
  std::int64_t in_progress = 0;          // of those, claimed
  std::array<std::int64_t, 4> by_age{};  // 0-3, 4-7, 8-30, over 30 days since discharge
  std::vector<CoderStats> coders;

  boost::json::object ToJson() const;
};

using CaseWitness = std::function<Status(store::Transaction& tx, const CodingCase& c)>;

Result<QueuePage> ListQueue(store::ResourceStore& store, core::Timestamp now,
                            const QueueQuery& query);

// The case of a finished encounter (uncoded when nobody has touched it). kNotFound for an
// unknown encounter, kConflict "coding.not-finished" for one not finished.
Result<CodingCase> GetCase(store::ResourceStore& store, const Catalog& catalog,
                           std::string_view encounter);

// kConflict "coding.claimed" when another coder holds it, "coding.final" when final.
Result<CodingCase> ClaimCase(store::ResourceStore& store, const Catalog& catalog,
                             std::string_view encounter, std::string_view coder,
                             core::Timestamp now);

// Saves the codes (claiming the case if nobody holds it) and answers the edits.
Result<CodingCase> SaveCase(store::ResourceStore& store, const Catalog& catalog,
                            std::string_view encounter, std::string_view coder,
                            std::vector<CodedItem> diagnoses, std::vector<CodedItem> procedures,
                            core::Timestamp now);

// Finalizes the saved codes. kInvalid "coding.edits-failed" (the failing edits in the message)
// when an edit of severity error stands; nothing is written then.
Result<CodingCase> FinalizeCase(store::ResourceStore& store, const Catalog& catalog,
                                std::string_view encounter, std::string_view coder,
                                core::Timestamp now, const CaseWitness& witness = nullptr);

// The backlog of one encounter class ("" for all) and every coder's output. Reads every
// finished encounter of the class.
Result<QueueStats> Stats(store::ResourceStore& store, core::Timestamp now,
                         const std::string& encounter_class);

}  // namespace chartroom::coding
