// Amendment of the record at the patient's request (45 CFR 164.526; docs/roi.md, "Amendments").
//
// A patient (or their personal representative) asks that a record be changed. The request is
// due in 60 days, with one 30-day extension. Accepted: the record gets a new version with the
// change (the original version stays, as every version does) and the people the patient names,
// and those known to have relied on the record, are listed to be told, each marked when told.
// Denied: with one of the grounds of 164.526(a)(2) and a denial letter (letter PDF, packet.hpp);
// the patient may file a statement of disagreement and the facility a rebuttal, each stored as a
// DocumentReference in the patient's record whose context.related names the disputed record, and
// every later release of that record carries them (service.hpp, Fulfil).
//
// An amendment is a store record of kind `roi-amendment` keyed by its id ("A-000001").
//
// Thread safety: reentrant; the store is thread-safe.

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "roi/request.hpp"
#include "roi/service.hpp"
#include "store/resource_store.hpp"

namespace chartroom::roi {

inline constexpr std::string_view kAmendmentKind = "roi-amendment";

// The grounds on which 164.526(a)(2) allows a denial.
enum class DenialGround : std::uint8_t {
  kNotCreatedHere,       // (a)(2)(i): not created by us (and the originator is available)
  kNotDesignatedRecord,  // (a)(2)(ii): not part of the designated record set
  kNotAccessible,        // (a)(2)(iii): not available for inspection under 164.524
  kAccurateAndComplete,  // (a)(2)(iv)
};
std::string_view DenialGroundName(DenialGround g);  // "not-created-here", ...
std::optional<DenialGround> ParseDenialGround(std::string_view name);

struct ToNotify {
  std::string who;
  std::string notified_on;  // YYYY-MM-DD, "" until told
};

struct Amendment {
  std::string id;
  std::string patient;
  std::string requested_by;         // the patient or their representative
  std::string received;             // YYYY-MM-DD
  std::string record;               // "Type/id" of the disputed record
  std::int64_t record_version = 0;  // the version the patient disputed
  std::string reason;               // what is wrong, in the patient's words
  std::string requested_change;
  std::string status = "received";  // received, accepted, denied
  std::string due;
  std::string extension_reason;
  std::string decided_on;
  std::string decided_by;
  std::int64_t amended_version = 0;  // accepted: the new version
  std::optional<DenialGround> ground;
  std::string denial_explanation;
  std::string disagreement;  // "DocumentReference/id" of the statement of disagreement
  std::string rebuttal;      // "DocumentReference/id" of the facility's rebuttal
  std::vector<ToNotify> notify;
  std::vector<HistoryEntry> history;

  boost::json::object ToJson() const;
  static Amendment FromJson(const boost::json::object& o);
};

// kNotFound "roi.unknown-amendment".
Result<Amendment> GetAmendment(store::ResourceStore& store, std::string_view id);

// Records a request {patient, requested_by, record ("Type/id"), reason, requested_change,
// received}: the record must exist and belong to the patient. Due: received + 60 days.
Result<Amendment> RequestAmendment(store::ResourceStore& store, const boost::json::object& body,
                                   std::string_view user, core::Timestamp now,
                                   const Within& within = {});

// The one 30-day extension (164.526(b)(2)), with its reason.
Result<Amendment> ExtendAmendment(store::ResourceStore& store, std::string_view id,
                                  std::string_view reason, std::string_view user,
                                  core::Timestamp now, const Within& within = {});

// Accepts: `resource` (the disputed record as amended: same type and id, same patient) becomes
// its next version, in the same transaction; `notify` are the people to tell.
Result<Amendment> AcceptAmendment(store::ResourceStore& store, std::string_view id,
                                  boost::json::object resource, std::vector<std::string> notify,
                                  std::string_view user, core::Timestamp now,
                                  const Within& within = {});
// Marks person `index` of the notify list told on `date`.
Result<Amendment> MarkNotified(store::ResourceStore& store, std::string_view id, std::size_t index,
                               std::string_view date, std::string_view user, core::Timestamp now,
                               const Within& within = {});

// Denies on `ground`, with an explanation for the letter.
Result<Amendment> DenyAmendment(store::ResourceStore& store, std::string_view id,
                                DenialGround ground, std::string_view explanation,
                                std::string_view user, core::Timestamp now,
                                const Within& within = {});
// After a denial: the patient's statement of disagreement, then the facility's rebuttal, each
// stored as a DocumentReference linked to the disputed record.
Result<Amendment> FileStatement(store::ResourceStore& store, std::string_view id, bool rebuttal,
                                std::string_view text, std::string_view user, core::Timestamp now,
                                const Within& within = {});

// The amendments of `patient`.
Result<std::vector<Amendment>> AmendmentsOf(store::ResourceStore& store, std::string_view patient);

// The statements (disagreements and rebuttals, "DocumentReference/id") that must go with a
// release of `records` ("Type/id") of `patient`.
Result<std::vector<std::string>> StatementsFor(store::ResourceStore& store,
                                               std::string_view patient,
                                               const std::vector<std::string>& records);

}  // namespace chartroom::roi
