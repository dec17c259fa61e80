// The web console's files (web/, built into web/dist by `make`), served at / by the same server
// as the API: GET or HEAD of a file under the console directory answers it; any other path
// without a file extension is a route of the single-page app and answers index.html. Paths under
// the API (/fhir, /api, /auth, /mpi, /privacy, /metrics, /healthz) never reach here.
//
// Every answer carries a Content-Security-Policy that allows only this origin (no inline
// script; frames only of blob: URLs the app made itself, the packet preview), nosniff, no
// referrer and no framing; index.html is never cached, the hashed files
// under assets/ are cached for a year. A path with "..", a NUL or a backslash is refused.
//
// Thread safety: reentrant (reads files).

#pragma once

#include <filesystem>
#include <optional>

#include "http/server.hpp"
#include "rest/reply.hpp"

namespace chartroom::rest {

// Whether `path` is the console's (not one of the API's prefixes).
bool IsConsolePath(std::string_view path);

// The answer to `request` from `dir`; 404 rest.unknown-route (as an OperationOutcome) when the
// console is not built there or the file does not exist.
Reply ServeConsole(const std::filesystem::path& dir, const http::Request& request);

}  // namespace chartroom::rest
