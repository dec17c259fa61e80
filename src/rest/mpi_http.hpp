// The patient index's part of the API (docs/mpi.md). Internal to rest/.
//
// Intake (mpi/intake.hpp) runs after every Patient create, update, patch or delete that commits
// through the REST API, alone or in a batch or transaction Bundle (Api::Handle).
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

}  // namespace chartroom::rest
