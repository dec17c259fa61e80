// The release-of-information part of the API (docs/roi.md). Internal to rest/.
//
//   POST /api/roi/requests                      intake (roi/request.hpp): 201 with the request;
//                                               without "patient", the patient index finds
//                                               them from the identification (and any
//                                               "patient_details": FHIR Patient elements)
//   GET  /api/roi/requests?status=              the work queue: open requests (or those of a
//                                               status), earliest due first, with age and days
//                                               left
//   GET  /api/roi/requests/{id}                 the request with each authorization's checklist
//   POST /api/roi/requests/{id}/authorizations  add one (roi/authorization.hpp)
//   POST /api/roi/requests/{id}/authorizations/{n}/revoke   {"date"}
//   POST /api/roi/requests/{id}/extend          {"reason"}: the one extension
//   POST /api/roi/requests/{id}/deny            {"reason"}
//   POST /api/roi/requests/{id}/cancel          {"reason"}
//   POST /api/roi/requests/{id}/fulfil          select, release, account
//   POST /api/roi/requests/{id}/deliver         record delivery
//   GET  /api/roi/requests/{id}/packet?format=pdf|bundle   the release packet
//   GET  /api/roi/accounting/{patient}?format=json|pdf     the accounting of disclosures
//
// Roles: him_technician and him_director work requests; a privacy_officer reads them and the
// accounting; a patient reads its own accounting. Every call is audited with the patient it
// concerns; a change's audit entry commits in the change's transaction.
//
// Thread safety: reentrant.

#pragma once

#include <string_view>

#include "http/server.hpp"
#include "rest/access_http.hpp"
#include "rest/interactions.hpp"
#include "roi/service.hpp"

namespace chartroom::mpi {
class Index;
}  // namespace chartroom::mpi

namespace chartroom::rest {

bool IsRoiPath(std::string_view path);

// `patient_index` (may be null) finds the patient of a request that names none.
Reply HandleRoiEndpoint(const AccessServices& services, const roi::Settings* settings,
                        const mpi::Index* patient_index, const http::Request& request,
                        const RequestContext& context);

}  // namespace chartroom::rest
