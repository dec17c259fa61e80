// The patient index's part of the API (docs/mpi.md). Internal to rest/.
//
// Intake: after a Patient create, update or patch commits through the REST API, the patient is
// matched against the index: a pair at or above the match threshold is recorded as linked
// (the same person, not merged), one at or above the review threshold as waiting for review;
// a pair a person already decided is not recorded again. Then the index takes the new version
// (a deleted patient leaves it).
//
//   GET  /mpi/worklist          (him_technician, him_director, admin) the pairs not yet
//                               decided, the most likely first, each with its score and the
//                               weight of every field
//   POST /mpi/decisions         {"first","second","decision":"same"|"different","note"?}
//                               remembered; the pair leaves the worklist and never returns
//   POST /mpi/merge             {"source","target","note"?}: mpi::Merge, audited in its
//                               transaction; the index drops the source
//   POST /mpi/unmerge           {"merge"}: mpi::Unmerge; the index takes the source back
//   GET  /mpi/merges            every merge record, the latest first
//   GET/POST /mpi/facilities    the facilities issuing MRNs (mpi/mrn.hpp); POST by a director
//   POST /mpi/mrn               {"patient","facility"}: the facility's next MRN, once
//
// Thread safety: reentrant; the index and the store are thread-safe.

#pragma once

#include <string_view>

#include "http/server.hpp"
#include "mpi/index.hpp"
#include "rest/access_http.hpp"
#include "rest/interactions.hpp"

namespace chartroom::rest {

bool IsMpiPath(std::string_view path);

Reply HandleMpiEndpoint(const AccessServices& services, mpi::Index* index,
                        const http::Request& request, const RequestContext& context);

// Matches and indexes Patient/`id` as it now stands in `store` (gone: leaves the index).
Status IntakePatient(mpi::Index& index, store::ResourceStore& store, std::string_view id,
                     core::Timestamp now);

}  // namespace chartroom::rest
