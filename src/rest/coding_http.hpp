// The coding part of the API (docs/coding.md). Internal to rest/.
//
//   POST /api/coding/check          the coding edits (coding/edits.hpp) on a set of codes:
//                                   {"sex","age_years","discharge_date","diagnoses":[{"code",
//                                   "poa"}],"procedures":[{"code"}]} → {"edits":[...]}
//   GET  /api/codes/{system}/{code} a code with its hierarchy, children, notes, billable flag and
//                                   validity (system: icd10cm, icd10pcs, hcpcs, cpt)
//   GET  /api/codes/search?q=&system=&billable=&count=   ranked word search (coding/search.hpp)
//   GET  /api/coding/queue?class=&count=&page=  finished encounters not final-coded, oldest first
//   GET  /api/coding/stats?class=               backlog by age, coders' output
//   GET  /api/coding/cases/{encounter}          the case: codes, coder, status, edits
//   PUT  /api/coding/cases/{encounter}          save {"diagnoses","procedures"}: the edits run
//   POST /api/coding/cases/{encounter}/claim    take the case
//   POST /api/coding/cases/{encounter}/finalize the codes onto a Claim with a Provenance
//                                               (coding/workqueue.hpp); 422 while edits fail
//
// Roles: coder, cdi_specialist, him_technician, him_director, admin; every call is audited.
// Bad input is answered with an OperationOutcome (400 coding.bad-request); a code that does not
// exist with 404 coding.unknown-code.
//
// Thread safety: reentrant; the catalog source is thread-safe.

#pragma once

#include <string_view>

#include "coding/load.hpp"
#include "http/server.hpp"
#include "rest/access_http.hpp"
#include "rest/interactions.hpp"

namespace chartroom::rest {

bool IsCodingPath(std::string_view path);

Reply HandleCodingEndpoint(const AccessServices& services, coding::CatalogSource* code_sets,
                           const http::Request& request, const RequestContext& context);

}  // namespace chartroom::rest
