// The release-of-information workflow over the store (docs/roi.md): intake, authorizations,
// the one extension, denial and cancellation, fulfilment, delivery, the work queue with its
// aging, and the accounting of disclosures.
//
// Fulfilment selects the patient's current records of the requested kinds and dates, then asks
// the access decision point (access::DecideDisclosure) about each with the patient's Consent
// provisions and the request's authorities; what it refuses is left out and only counted. The
// versions released are kept on the request, so the packet (packet.hpp) is rendered from exactly
// them whenever it is asked for. A disclosure the accounting must show (164.528) is recorded as
// a store record of kind `roi-accounting`, in the fulfilment's transaction.
//
// Every change is one store transaction; `within` (when given) runs inside it, for the audit
// entry that must commit with it.
//
// Thread safety: reentrant; the store is thread-safe.

#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "roi/request.hpp"
#include "store/resource_store.hpp"

namespace chartroom::roi {

inline constexpr std::string_view kAccountingKind = "roi-accounting";

// Deadlines, fees and the letterhead (config `roi.*`, docs/config.md).
struct Settings {
  // Days from receipt to the due date, per requester type (45 CFR 164.524(b)(2): 30 for the
  // right of access; other rules as the jurisdiction sets them).
  std::array<int, kRequesterCount> due_days{30, 30, 30, 30, 30, 30, 30, 30, 30, 30};
  std::int64_t extension_days = 30;  // the one documented extension (164.524(b)(2)(ii))
  // The patient's copies (164.524(c)(4)): a flat fee for an electronic copy of electronic
  // records, or a per-page cost for paper.
  std::int64_t electronic_flat_cents = 650;
  std::int64_t patient_per_page_cents = 0;
  // Third parties under an authorization or a subpoena: a retrieval fee and a per-page fee.
  std::int64_t retrieval_cents = 1500;
  std::int64_t per_page_cents = 50;
  std::string facility = "Chartroom General Hospital";
  std::string facility_address;  // a line under the facility's name on letters
  // Who takes complaints (164.526(d)(1)(iv)): name or title, and telephone number.
  std::string privacy_contact = "the Privacy Officer";
};

using Within = std::function<Status(store::Transaction& tx, const Request& request)>;

// Finds the request or fails with kNotFound "roi.unknown-request".
Result<Request> GetRequest(store::ResourceStore& store, std::string_view id);

// Records a new request (ParseIntake's body) received by `user`: the patient must exist and
// agree with the identification given (family and given name, birth date), else kConflict
// "roi.identity-mismatch" and nothing is kept. Status: pending-authorization when the basis
// needs an authorization and none valid is present, else in-review. Due: received + due days.
Result<Request> Intake(store::ResourceStore& store, const Settings& settings,
                       const boost::json::object& body, std::string_view user, core::Timestamp now,
                       const Within& within = {});

// Adds an authorization; a request waiting for one goes to review when it is valid.
Result<Request> AddAuthorization(store::ResourceStore& store, std::string_view id,
                                 Authorization authorization, std::string_view user,
                                 core::Timestamp now, const Within& within = {});
// Records that the patient revoked authorization `index` on `date` (YYYY-MM-DD).
Result<Request> RevokeAuthorization(store::ResourceStore& store, std::string_view id,
                                    std::size_t index, std::string_view date, std::string_view user,
                                    core::Timestamp now, const Within& within = {});

// The one extension, with its reason, while the request is open (kConflict "roi.extended" for a
// second).
Result<Request> Extend(store::ResourceStore& store, const Settings& settings, std::string_view id,
                       std::string_view reason, std::string_view user, core::Timestamp now,
                       const Within& within = {});
// Ends an open request without release (`denied` true) or withdraws it.
Result<Request> Close(store::ResourceStore& store, std::string_view id, bool denied,
                      std::string_view reason, std::string_view user, core::Timestamp now,
                      const Within& within = {});

// What `request` may have on `today` (see above): the versions, the Patient first, then the
// records, then the statements of disagreement about them; what was left out, by rule.
struct Selection {
  std::vector<store::ResourceVersion> released;
  std::vector<std::pair<std::string, std::int64_t>> withheld;
  bool part2 = false;  // Part 2 records to someone other than the patient
  std::vector<std::string> statements;
};
Result<Selection> Select(store::ResourceStore& store, const Request& request,
                         std::string_view today);

// Releases what the request may have (see above). Refused with kForbidden
// "roi.authorization-required" when the basis needs a valid HIPAA authorization and none is
// (the message names the unmet elements, or expired or revoked), kConflict "roi.closed" for a
// request no longer open, kConflict "roi.nothing-to-release" when nothing is left to release.
// `render` gives the packet's page count for the fee (packet.hpp).
using PageCounter = std::function<Result<std::size_t>(
    const Request& request, const std::vector<store::ResourceVersion>& released)>;
Result<Request> Fulfil(store::ResourceStore& store, const Settings& settings, std::string_view id,
                       std::string_view user, core::Timestamp now, const PageCounter& pages,
                       const Within& within = {});
// Records delivery of a fulfilled request.
Result<Request> Deliver(store::ResourceStore& store, std::string_view id, std::string_view user,
                        core::Timestamp now, const Within& within = {});

// The versions a fulfilled request released, Patient first (kConflict "roi.not-fulfilled").
Result<std::vector<store::ResourceVersion>> Released(store::ResourceStore& store,
                                                     const Request& request);

struct QueueItem {
  Request request;
  std::int64_t age_days = 0;   // since receipt
  std::int64_t days_left = 0;  // to the due date; negative when overdue
};
// Open requests (or those of `status`), the earliest due first.
Result<std::vector<QueueItem>> Queue(store::ResourceStore& store,
                                     std::optional<RequestStatus> status, core::Timestamp now);

// One disclosure in the accounting (45 CFR 164.528(b)(2)).
struct AccountedDisclosure {
  std::string date;
  std::string recipient;  // name, organization, address
  std::string description;
  std::string purpose;  // the purpose and its basis
  std::string request;
};
// The patient's disclosures of the six years before `now`, oldest first.
Result<std::vector<AccountedDisclosure>> Accounting(store::ResourceStore& store,
                                                    std::string_view patient, core::Timestamp now);
boost::json::object AccountingToJson(std::string_view patient,
                                     const std::vector<AccountedDisclosure>& list);

// Whether `a` is made out to the request's requester: its recipient names them or their
// organization (or the other way round), ignoring case.
bool ForRecipient(const Authorization& a, const Request& r);
// The first authorization of `kind` valid on `date` (YYYY-MM-DD) and made out to the requester.
const Authorization* ValidAuthorization(const Request& r, AuthorizationKind kind,
                                        std::string_view date);

// YYYY-MM-DD of an instant (UTC).
std::string DayOf(core::Timestamp t);

}  // namespace chartroom::roi
